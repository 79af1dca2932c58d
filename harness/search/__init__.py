"""Generated fault search: Hypothesis draws fault schedules from the faults' own schemas,
plays each against a client, and shrinks a failure to a scenario file that replays it.

- strategies.py: the Hypothesis strategies (schedules, steps, parameter values);
- menu.py: which registered faults a search may draw for a product;
- schedule.py: the frame every generated scenario shares and the scenario file it becomes;
- explore.py: the search loop, shrinking and the replays that tell a failure from a flake.
"""
