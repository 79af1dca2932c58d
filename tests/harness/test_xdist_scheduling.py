"""Under pytest-xdist, a scenario's items form one work unit, so the scenario is played once."""

from __future__ import annotations

from harness.xdist_scheduling import scope_of
from tests.harness._subprocess import run_pytest


def test_items_of_one_scenario_file_share_a_scope() -> None:
    a = scope_of("scenarios/drops/drop-1006.yaml::reconnects-after-drop")
    b = scope_of("scenarios/drops/drop-1006.yaml::no-event-lost")
    assert a == b == "scenarios/drops/drop-1006.yaml"
    assert scope_of("scenarios/drops/clean-close-1001.yaml::reconnects-after-drop") != a


def test_an_at_suffix_in_a_parameter_id_names_the_group_and_other_tests_stand_alone() -> None:
    x = scope_of("tests/b/test_broken.py::test_fails[no-pong:no_pong@heartbeats/server-pings.yaml]")
    y = scope_of("tests/b/test_broken.py::test_passes[no-pong:no_pong@heartbeats/server-pings.yaml]")
    assert x == y == "heartbeats/server-pings.yaml"
    assert scope_of("tests/x.py::test_a") == "tests/x.py::test_a"


def test_a_scenario_runs_on_one_worker_under_xdist() -> None:
    proc = run_pytest(
        "scenarios", "-n", "2", "-vv", "-p", "no:cacheprovider", "-k", "drop-1006 or clean-close-1001"
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    workers: dict[str, set[str]] = {}
    for line in proc.stdout.splitlines():
        if line.startswith("[gw") and "scenarios/" in line:
            worker, nodeid = line.split()[0], line.split()[-1]
            workers.setdefault(nodeid.split("::")[0], set()).add(worker)
    assert len(workers) == 2, proc.stdout[-2000:]
    assert all(len(w) == 1 for w in workers.values()), workers
