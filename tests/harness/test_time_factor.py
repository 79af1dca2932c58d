"""A scenario's time factor: both clocks run fast, or the run says why it cannot judge.

The client runs under libfaketime (harness/faketime.py) and the fake's Clock at the same
factor, so the journal's times are Binance time. These tests play real subprocess clients
and wait for their runs to end (no sleeps of the test's own); they need libfaketime, which
`python3 tasks.py setup` installs: without it they are skipped locally and fail under CI.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import Awaitable
from pathlib import Path

import pytest

from harness import faketime
from harness.behaviours.keeps_listenkey_alive import Params as KeepAlive
from harness.defaults import SCENARIOS
from harness.lateness import played_again_if_too_busy
from harness.runner import RunResult, run_scenario
from harness.scenario import EventFlow, Expectation, Scenario, Timers
from harness.scenario_file import ScenarioError, default_registries, load_scenario
from harness.verdict import Status, binance_time, fmt_s
from tests.conftest import client_command

HERE = Path(__file__).resolve().parent
FACTOR = 60
#: Binance seconds the sleeper clients sleep between their two calls: 2 s of wall time.
SLEEP = 120.0
#: How far the measured gap may be from the asked sleep, as a ratio either way. A request's
#: trip and the start-up skew add tens of ms of wall time at most (docs/time-factor.md),
#: about 1 % here; an unaccelerated sleep would be off by the factor, 60.
TOLERANCE = 1.2

needs_faketime = pytest.mark.skipif(
    faketime.unavailable() is not None and not os.environ.get("CI"),
    reason=f"{faketime.unavailable()} (python3 tasks.py setup installs it)",
)


def sleeper_scenario(name: str, *, duration: float = 3 * SLEEP, ttl: float = 3600.0) -> Scenario:
    return Scenario(
        name=name,
        family="time-factor",
        description="a client that sleeps between two listenKey calls",
        source=("failure-modes.md A1 lk-never-kept-alive",),
        duration=duration,
        expect=(Expectation("keeps-listenkey-alive", KeepAlive()),),
        timers=Timers(listen_key_ttl=ttl, client_ping_timeout=60.0),
        events=EventFlow(rate=0.0),
        client_env={"SLEEPER_SECONDS": f"{SLEEP:g}"},
        time_factor=FACTOR,
    )


def play(scenario: Scenario, command: str, workdir: Path) -> RunResult:
    return asyncio.run(run_scenario(scenario, command, workdir=workdir))


SLEEPERS = {
    "python-asyncio": f'"{sys.executable}" "{HERE / "clients" / "sleeper.py"}"',
    "node-setTimeout": f'node "{HERE / "clients" / "sleeper.mjs"}"',
}


@needs_faketime
@pytest.mark.parametrize("runtime", sorted(SLEEPERS))
def test_a_sleep_of_n_binance_seconds_takes_n_over_the_factor_in_wall_time(
    runtime: str, tmp_path: Path
) -> None:
    if runtime.startswith("node") and shutil.which("node") is None:
        pytest.skip("node is not installed")
    result = play(sleeper_scenario(f"sleeper-{runtime}"), SLEEPERS[runtime], tmp_path)
    assert result.record is not None and not result.problems, result.problems
    calls = {e["method"]: float(e["t"]) for e in result.record.listen_key_calls()}
    gap = calls["PUT"] - calls["POST"]  # Binance seconds, as the fake's clock measured them
    assert 1 / TOLERANCE <= gap / SLEEP <= TOLERANCE, (
        f"{runtime} slept {gap:.2f} s of Binance time for {SLEEP:g}"
    )
    # The whole run, start-up included, took far less wall time than the sleep asked.
    assert result.wall_time < SLEEP / 4, f"the run took {result.wall_time:.1f} s of wall time"
    (clock,) = list(result.record.of("run", phase="clock"))[:1]
    assert all(p["faketime"] for p in clock["processes"]), clock


@needs_faketime
def test_a_client_started_without_libfaketime_is_an_error_not_a_fail(tmp_path: Path) -> None:
    """`env -u LD_PRELOAD` starts the client with its clock at real speed: its keepalive
    would come an hour of Binance time late, and the key lapses; judged, that is a FAIL of
    keeps-listenkey-alive. The harness sees the client's process without libfaketime and
    makes every verdict an ERROR that says so instead."""
    scenario = sleeper_scenario("unaccelerated", duration=240.0, ttl=60.0)
    command = f'env -u LD_PRELOAD "{sys.executable}" "{HERE / "clients" / "sleeper.py"}"'
    result = play(scenario, command, tmp_path)
    assert result.verdicts
    for verdict in result.verdicts:
        assert verdict.status is Status.ERROR, verdict.summary
        assert verdict.summary.startswith(
            "this client's clock is not accelerated: libfaketime is not loaded in pid"
        )
        assert sys.executable in verdict.summary or "python" in verdict.summary


def test_without_libfaketime_a_time_factor_scenario_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(faketime.LIBRARY_VARIABLE, str(tmp_path / "missing" / "libfaketimeMT.so.1"))
    result = play(sleeper_scenario("no-libfaketime"), SLEEPERS["python-asyncio"], tmp_path / "run")
    assert result.verdicts and all(v.status is Status.ERROR for v in result.verdicts)
    assert "time_factor 60: BINANCE_HARNESS_LIBFAKETIME=" in result.verdicts[0].summary
    assert "names no file" in result.verdicts[0].summary


def test_an_in_process_client_is_refused_at_a_time_factor(tmp_path: Path) -> None:
    async def coroutine_client(env: object, say: object) -> None:
        await asyncio.Event().wait()

    result = asyncio.run(run_scenario(sleeper_scenario("in-process"), coroutine_client, workdir=tmp_path))
    (verdict,) = result.verdicts
    assert verdict.status is Status.ERROR
    assert "an in-process client shares the harness's event loop" in verdict.summary


SCENARIO = """\
family: reconnect
description: a drop judged at a factor too fast for its deadline
source: [failure-modes.md C1 drop-1006-no-close-frame]
duration: 1h
time_factor: {factor}
timers:
  client_ping_timeout: 5m
events:
  rate: {rate}
steps:
  - fault: abort_tcp
    on: user_stream_ready
    at: 10m
expect:
  reconnects-after-drop: {{within: 5s}}
"""


def load(tmp_path: Path, **values: object) -> Scenario:
    path = tmp_path / "fast.yaml"
    path.write_text(SCENARIO.format(**{"factor": 600, "rate": 0, **values}), encoding="utf-8")
    faults, behaviours = default_registries()
    return load_scenario(path, faults=faults, behaviours=behaviours)


def test_a_factor_too_fast_for_the_tightest_deadline_is_refused_at_load_time(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as raised:
        load(tmp_path)
    error = raised.value
    assert (error.line, error.field) == (5, "time_factor")
    # 5 s at x600 is 8 ms of wall time; at x5 it is the 1 s floor.
    assert "expect.reconnects-after-drop.within 5 s" in error.message
    assert "would last 8 ms of wall time, under the 1000 ms" in error.message
    assert "time_factor 5 or less would work" in error.message
    assert load(tmp_path, factor=5).time_factor == 5


def test_an_event_rate_the_factor_makes_too_fast_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as raised:
        load(tmp_path, factor=5, rate=30)
    assert raised.value.field == "time_factor"
    assert "events.rate 30 per Binance second at time_factor 5 is 150 per wall second" in raised.value.message


DAY = "composite/day-long-stream.yaml"


@needs_faketime
def test_the_day_long_stream_fails_a_client_without_keepalives_at_its_first_key_expiry(
    tmp_path: Path,
) -> None:
    """The 24 h scenario, 88 s of wall time at x1000: the reference client keeps its key alive
    all day and reconnects after the 24 h cut; clients/broken/no_keepalive.py, played at the
    same time, FAILs keeps-listenkey-alive where its first key lapsed, 60 min of Binance time
    after its POST."""
    faults, behaviours = default_registries()
    scenario = load_scenario(SCENARIOS / DAY, faults=faults, behaviours=behaviours)

    def played(client: str, workdir: Path) -> Awaitable[RunResult]:
        # A stall of the loaded machine longer than 10 % of a deadline (100 ms of wall time
        # here) makes that verdict unjudgeable: played once more, as the pytest plugin does.
        return played_again_if_too_busy(
            lambda: run_scenario(scenario, client_command(client), workdir=workdir), workdir
        )

    async def both() -> list[RunResult]:
        return await asyncio.gather(
            played("reference_client.py", tmp_path / "reference"),
            played("broken/no_keepalive.py", tmp_path / "no-keepalive"),
        )

    reference, broken = asyncio.run(both())
    for verdict in reference.verdicts:
        assert verdict.status in (Status.PASS, Status.NOT_APPLICABLE), (verdict.behaviour, verdict.summary)
    assert reference.verdict("keeps-listenkey-alive").status is Status.PASS
    assert reference.verdict("reconnects-after-drop").status is Status.PASS
    assert reference.wall_time < 120, f"a Binance day took {reference.wall_time:.0f} s of wall time"

    lapsed = broken.verdict("keeps-listenkey-alive")
    assert lapsed.status is Status.FAIL, lapsed.summary
    assert lapsed.summary.startswith("no keepalive within 45.0 min (2.70 s wall) after the key was created")
    assert broken.record is not None
    created = next(float(e["t"]) for e in broken.record.listen_key_calls() if e["method"] == "POST")
    first_lapse = lapsed.measured["first_lapse"] - created
    assert 1 / TOLERANCE <= first_lapse / 3600 <= TOLERANCE, (
        f"the key lapsed {first_lapse:.0f} s after its POST"
    )


def test_figures_of_a_run_at_a_factor_show_binance_time_with_the_wall_time_beside() -> None:
    with binance_time(600):
        assert fmt_s(2700) == "45.0 min (4.50 s wall)"
        assert fmt_s(86400) == "24.00 h (144.0 s wall)"
        assert fmt_s(30) == "30.0 s (0.05 s wall)"
    assert fmt_s(2700) == "2700.0 s"


def test_a_check_of_the_clients_pace_is_refused_at_a_factor(tmp_path: Path) -> None:
    """A storm at CPU speed would look F times slower in Binance time, and pass."""
    path = tmp_path / "storm.yaml"
    path.write_text(
        SCENARIO.format(factor=5, rate=0).replace("expect:\n", "expect:\n  no-reconnect-storm:\n"),
        encoding="utf-8",
    )
    faults, behaviours = default_registries()
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path, faults=faults, behaviours=behaviours)
    assert (raised.value.line, raised.value.field) == (15, "expect.no-reconnect-storm")
    assert "no-reconnect-storm cannot be judged at time_factor 5" in raised.value.message
    assert "judge it in a scenario at real time" in raised.value.message
