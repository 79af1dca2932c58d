"""The search loop on a stand-in client whose flaw is a known predicate of the schedule, so
finding, shrinking and the flaky rule are tested in seconds, without real runs."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable
from pathlib import Path

from fake_server.faults.abort_tcp import AbortTcp
from fake_server.faults.close import Close
from fake_server.faults.expire_listen_key import ExpireListenKey
from harness.record import RunRecord
from harness.runner import RunResult
from harness.scenario import Scenario
from harness.search.explore import Failing, Search, _load
from harness.search.schedule import PROPERTIES, Frame, Origin
from harness.search.strategies import DrawnStep
from harness.verdict import Status, Verdict

Flaw = Callable[[Scenario], bool]


class StandIn(Search):
    """A Search whose runs are judged by `flaw` (reconnects-after-drop FAILs where it holds)
    and `other` (uses-current-listenkey FAILs where it holds)."""

    flaw: Flaw = staticmethod(lambda s: False)
    other: Flaw = staticmethod(lambda s: False)

    def play_once(self, scenario: Scenario, workdir: Path) -> RunResult:
        broken = {
            "reconnects-after-drop": self.flaw(scenario),
            "uses-current-listenkey": self.other(scenario),
        }
        verdicts = [
            Verdict(Status.FAIL if broken.get(p) else Status.PASS, "stand-in", behaviour=p)
            for p in PROPERTIES
        ]
        return RunResult(scenario, verdicts, None, workdir)


def stand_in(tmp_path: Path, flaw: Flaw, cls: type[StandIn] = StandIn, **options: object) -> StandIn:
    search = cls(
        client="unused",
        frame=Frame(window=2.0, quiet=3.0),
        out=tmp_path,
        seed=5,
        progress=lambda line: None,
        **options,  # type: ignore[arg-type]
    )
    search.flaw = flaw  # type: ignore[method-assign]
    return search


def rst_abort(scenario: Scenario) -> bool:
    return any(s.fault.name == "abort_tcp" and getattr(s.fault, "mode", "") == "rst" for s in scenario.steps)


def test_a_flaw_is_found_shrunk_to_its_one_fault_and_written_as_a_scenario(tmp_path: Path) -> None:
    outcome = stand_in(
        tmp_path, rst_abort, budget=200, faults=("abort_tcp", "close", "expire_listen_key")
    ).run()
    assert len(outcome.found) == 1
    found = outcome.found[0]
    assert found.behaviours == ("reconnects-after-drop",)
    assert (found.faults, found.reproduced, found.replays, found.flaky) == (1, 3, 3, False)
    assert outcome.runs == 1 + outcome.tried + outcome.shrink_runs + found.replays
    text = found.path.read_text()
    assert found.path.name == "found-reconnects-after-drop-seed5.yaml"
    assert "fault: abort_tcp" in text and "mode: rst" in text
    assert "seed: 5" in text and "generated:" in text
    assert outcome.shrink_runs > 0


def test_the_same_seed_draws_the_same_schedules(tmp_path: Path) -> None:
    first = stand_in(tmp_path / "a", lambda s: False, budget=8).run()
    second = stand_in(tmp_path / "b", lambda s: False, budget=8).run()
    a = sorted((tmp_path / "a" / "runs").glob("*.yaml"))
    b = sorted((tmp_path / "b" / "runs").glob("*.yaml"))
    assert first.tried == second.tried == 8
    assert [p.read_text() for p in a] == [p.read_text() for p in b]


def test_nothing_is_found_in_a_client_without_the_flaw(tmp_path: Path) -> None:
    outcome = stand_in(tmp_path, lambda s: False, budget=10).run()
    assert (outcome.found, outcome.tried, outcome.shrink_runs) == ([], 10, 0)
    assert outcome.runs == 1 + 10  # the run with no fault, then the schedules


def test_a_failure_that_does_not_reproduce_every_time_is_flaky_with_its_rate(tmp_path: Path) -> None:
    replays = itertools.count()

    def sometimes(scenario: Scenario) -> bool:
        # Fails wherever the flaw is during the search; of the replays, only every other one.
        if not rst_abort(scenario):
            return False
        return scenario.path is None or "found-" not in scenario.path.name or next(replays) % 2 == 0

    outcome = stand_in(tmp_path, sometimes, budget=200, faults=("abort_tcp",), replays=4).run()
    assert len(outcome.found) == 1
    found = outcome.found[0]
    assert found.flaky and (found.reproduced, found.replays) == (2, 4)
    assert found.describe().startswith("FLAKY reconnects-after-drop")
    assert "reproduced 2/4" in found.describe()


def test_a_flake_does_not_end_the_search_and_each_check_is_reported_once(tmp_path: Path) -> None:
    replays = itertools.count()

    def flaky_rst(scenario: Scenario) -> bool:
        if not rst_abort(scenario):
            return False
        return scenario.path is None or "found-" not in scenario.path.name or next(replays) % 3 == 0

    def silent_expiry(scenario: Scenario) -> bool:
        return any(
            s.fault.name == "expire_listen_key" and not getattr(s.fault, "notify", True)
            for s in scenario.steps
        )

    search = stand_in(tmp_path, flaky_rst, budget=300, faults=("abort_tcp", "expire_listen_key"))
    search.other = silent_expiry  # type: ignore[method-assign]
    outcome = search.run()
    kinds = {f.behaviours[0]: f.flaky for f in outcome.found}
    assert kinds == {"reconnects-after-drop": True, "uses-current-listenkey": False}


def test_the_time_limit_stops_drawing(tmp_path: Path) -> None:
    outcome = stand_in(tmp_path, lambda s: False, budget=1000, time_limit=0.0).run()
    assert outcome.stopped == "time limit reached"
    assert outcome.tried == 0


def test_shrinking_deletes_steps_one_at_a_time_and_keeps_the_one_that_fails(tmp_path: Path) -> None:
    rst = DrawnStep(AbortTcp(mode="rst"), "ws_open", 2, 0.5)
    others = [
        DrawnStep(Close(), "user_stream_ready", 1, 0.25),
        DrawnStep(ExpireListenKey(notify=False), "ws_close", 1, 0.1),
        DrawnStep(AbortTcp(mode="fin"), "resync", 3, 1.0),
    ]
    search = stand_in(tmp_path, rst_abort)
    failing = Failing((others[0], rst, *others[1:]), tmp_path / "x.yaml", ("reconnects-after-drop",), {})
    shrunk = search._shrink(failing, "reconnects-after-drop")
    # Dropping the first step keeps the failure (the flaw is the reset): 1 run; the reset
    # cannot go (1 run); the two after it go (2 runs). Then the reset's simpler versions:
    # the default mode (fin) loses the flaw, the first occurrence and no delay keep it.
    assert [s.fault.name for s in shrunk.steps] == ["abort_tcp"]
    assert (shrunk.steps[0].nth, shrunk.steps[0].at, getattr(shrunk.steps[0].fault, "mode", "")) == (
        1,
        0.0,
        "rst",
    )
    assert search.outcome.shrink_runs == 4 + 3


def test_a_simpler_step_that_makes_another_needless_lets_it_go(tmp_path: Path) -> None:
    # The flaw: a silent expiry at 0 s. Neither step can go while the expiry comes at 1 s
    # after the drop; once its delay is 0 the drop is needless and goes too.
    def expiry_at_once(scenario: Scenario) -> bool:
        steps = scenario.steps
        return any(s.fault.name == "expire_listen_key" and s.at == 0.0 for s in steps) or (
            len(steps) == 2 and any(s.fault.name == "abort_tcp" for s in steps)
        )

    drop = DrawnStep(AbortTcp(), "user_stream_ready", 1, 0.0)
    expiry = DrawnStep(ExpireListenKey(notify=False), "user_stream_ready", 1, 1.0)
    search = stand_in(tmp_path, expiry_at_once)
    failing = Failing((drop, expiry), tmp_path / "x.yaml", ("reconnects-after-drop",), {})
    shrunk = search._shrink(failing, "reconnects-after-drop")
    assert [(s.fault.name, s.at) for s in shrunk.steps] == [("expire_listen_key", 0.0)]


def test_a_step_shrinks_to_its_defaults_where_none_means_not_set(tmp_path: Path) -> None:
    # A close shrunk to its defaults kept `raw_code: 0`: a duration's none ("never") would act
    # past the window, but a code's none is the close's own code, the simpler choice.
    close = DrawnStep(Close(code=4000, raw_code=0), "ws_open", 1, 0.0)
    search = stand_in(tmp_path, lambda s: any(x.fault.name == "close" for x in s.steps))
    failing = Failing((close,), tmp_path / "x.yaml", ("reconnects-after-drop",), {})
    (step,) = search._shrink(failing, "reconnects-after-drop").steps
    assert (getattr(step.fault, "raw_code", "?"), getattr(step.fault, "code", None)) == (None, Close().code)


#: The REST calls of the stand-in client below, in every run.
CALLED = ("GET /fapi/v2/account", "POST /fapi/v1/listenKey")


class Calling(StandIn):
    """A stand-in whose every run journals the REST calls `CALLED`."""

    def play_once(self, scenario: Scenario, workdir: Path) -> RunResult:
        journal = [{"t": 0.1, "kind": "rest", "method": r.split()[0], "path": r.split()[1]} for r in CALLED]
        return dataclasses.replace(super().play_once(scenario, workdir), record=RunRecord(scenario, journal))  # type: ignore[arg-type]


def test_route_faults_target_the_routes_the_client_called_with_no_fault(tmp_path: Path) -> None:
    outcome = stand_in(
        tmp_path, lambda s: False, Calling, budget=30, faults=("slow_rest", "http_error")
    ).run()
    assert outcome.routes == tuple(sorted(CALLED))
    drawn = {
        dataclasses.asdict(step.fault)["route"]
        for path in (tmp_path / "runs").glob("schedule-*.yaml")
        for step in _load(path).steps
    }
    # Every product route was drawn before: 11 for USD-M, of which this client calls 2.
    assert drawn <= {"*", *CALLED} and len(drawn) > 1


def test_a_check_that_fails_with_no_fault_stops_the_search_before_any_schedule(tmp_path: Path) -> None:
    outcome = stand_in(tmp_path, lambda s: True, budget=10).run()
    assert outcome.quiet_failures == ("reconnects-after-drop",)
    assert (outcome.tried, outcome.found) == (0, [])
    assert (tmp_path / "runs" / "no-fault.yaml").exists()


def test_a_shrunk_schedule_that_fails_only_sometimes_gives_way_to_the_steadier_one_before_it(
    tmp_path: Path,
) -> None:
    # The reset alone failed the run it was shrunk on, but fails no replay; with the close
    # before it, it fails every time. Shrinking keeps a step on one run, so the search
    # replays the schedules it passed through and reports the steadiest, not a flake.
    def steady_with_a_close(scenario: Scenario) -> bool:
        if not rst_abort(scenario):
            return False
        replay = scenario.path is not None and "found-" in scenario.path.name
        return not replay or any(s.fault.name == "close" for s in scenario.steps)

    close = DrawnStep(Close(), "user_stream_ready", 1, 0.25)
    rst = DrawnStep(AbortTcp(mode="rst"), "ws_open", 1, 0.0)
    search = stand_in(tmp_path, steady_with_a_close)
    failing = Failing((close, rst), tmp_path / "drawn.yaml", ("reconnects-after-drop",), {})
    search._play(search.frame, failing.steps, Origin(5, "test", 1), failing.path)
    shrunk = search._shrink(failing, "reconnects-after-drop")
    assert [s.fault.name for s in shrunk.steps] == ["abort_tcp"]
    found = search._confirm_steadiest(shrunk, 0.0, 2, 0)
    assert (found.faults, found.reproduced, found.flaky) == (2, 3, False)
    assert "fault: close" in found.path.read_text()


def test_a_schedule_that_no_step_back_makes_steady_is_reported_flaky_as_shrunk(tmp_path: Path) -> None:
    def never_on_replay(scenario: Scenario) -> bool:
        return rst_abort(scenario) and (scenario.path is None or "found-" not in scenario.path.name)

    close = DrawnStep(Close(), "user_stream_ready", 1, 0.25)
    rst = DrawnStep(AbortTcp(mode="rst"), "ws_open", 1, 0.0)
    search = stand_in(tmp_path, never_on_replay)
    failing = Failing((close, rst), tmp_path / "drawn.yaml", ("reconnects-after-drop",), {})
    search._play(search.frame, failing.steps, Origin(5, "test", 1), failing.path)
    found = search._confirm_steadiest(search._shrink(failing, "reconnects-after-drop"), 0.0, 2, 0)
    assert (found.faults, found.reproduced, found.flaky) == (1, 0, True)
    assert "fault: close" not in found.path.read_text()
