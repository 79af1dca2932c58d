"""Scheduling under pytest-xdist: a scenario's items stay on one worker.

Each (scenario, behaviour) is its own pytest item, but the scenario is played once per
worker that runs any of its items: split over two workers, it would be played twice, and
the two runs (two clients, two fakes, different timings) could disagree. xdist's own
`xdist_group` marker no longer holds them together under pytest 9 (xdist appends the group
to `item._nodeid`, which pytest 9 no longer reads), so this scheduler groups by node id: all
items of one scenario file form one work unit, and a test parametrized with an id ending
in `@name` joins the group `name` (the convention xdist's loadgroup uses).
"""

from __future__ import annotations

from typing import Any

from xdist.scheduler import LoadGroupScheduling  # type: ignore[import-untyped]

SCENARIO_SUFFIXES = (".yaml", ".yml")


def scope_of(nodeid: str) -> str:
    """The work unit of a node id: its scenario file, its `@group`, or itself."""
    path = nodeid.split("::", 1)[0]
    if path.endswith(SCENARIO_SUFFIXES):
        return path
    if "@" in nodeid:
        return nodeid.rsplit("@", 1)[-1].rstrip("]")
    return nodeid


class ScenarioScheduling(LoadGroupScheduling):  # type: ignore[misc]
    def _split_scope(self, nodeid: str) -> str:
        return scope_of(nodeid)


class XdistScheduling:
    """Registered by the plugin only when pytest-xdist is installed (its hook has no spec otherwise)."""

    def pytest_xdist_make_scheduler(self, config: Any, log: Any) -> ScenarioScheduling | None:
        if config.getvalue("dist") not in ("load", "loadgroup"):
            return None  # the user asked for another distribution: keep it
        return ScenarioScheduling(config, log)
