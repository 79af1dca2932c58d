"""What the pytest plugin collects and when it refuses a session: as a user's project meets it.

A project that installs the harness has other YAML, sometimes in a folder called
`scenarios/`; it must collect none of it. A session that would play scenarios without a
client must stop with one line and pytest's usage-error status before any item runs.
Markers must exist at configure time, before any scenario file is read.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from harness import behaviours
from harness.defaults import SCENARIOS
from harness.scenario_paths import has_signature, in_scenario_folder, is_scenario_file

COMPOSE = 'version: "3"\nservices:\n  web:\n    image: nginx\n'


def _pytest_in(project: Path, *args: str, code: str = "") -> subprocess.CompletedProcess[str]:
    """pytest in `project` as its own rootdir (an empty pytest.ini), after `code` ran in-process."""
    (project / "pytest.ini").touch()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST")}
    script = f"{code}\nimport pytest, sys\nsys.exit(pytest.main(sys.argv[1:]))"
    return subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            "-q",
            "--no-header",
            "-p",
            "no:xdist",
            "-p",
            "no:cacheprovider",
            *args,
        ],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_signature_tells_a_scenario_from_other_yaml(tmp_path: Path) -> None:
    compose = tmp_path / "docker-compose.yaml"
    compose.write_text(COMPOSE)
    assert not has_signature(compose)
    # A scenario with a mistake keeps its signature, so its error is still reported.
    broken = tmp_path / "broken.yaml"
    broken.write_text("family: drops\nduration: 4s\nexpekt:\n  reconnects-after-drop:\n")
    assert has_signature(broken)
    assert all(has_signature(p) for p in SCENARIOS.rglob("*.yaml"))


def test_only_files_under_a_scenario_folder_are_candidates(tmp_path: Path) -> None:
    roots = [tmp_path / "checks"]
    inside = tmp_path / "checks" / "drops" / "drop.yaml"
    named_alike = tmp_path / "elsewhere" / "checks" / "drop.yaml"
    outside = tmp_path / "ci" / "drop.yaml"
    for path in (inside, named_alike, outside):
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SCENARIOS / "drops" / "drop-1006.yaml", path)
    assert in_scenario_folder(inside, roots) and in_scenario_folder(named_alike, roots)
    assert not in_scenario_folder(outside, roots)
    assert not is_scenario_file(outside, roots)
    assert not is_scenario_file(inside.with_suffix(".txt"), roots)


def test_unrelated_yaml_in_a_scenarios_folder_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "docker-compose.yaml").write_text(COMPOSE)
    (tmp_path / "test_own.py").write_text("def test_own():\n    assert True\n")
    proc = _pytest_in(tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed" in proc.stdout and "error" not in proc.stdout.lower()


def test_the_ini_option_names_the_scenario_folder(tmp_path: Path) -> None:
    (tmp_path / "checks").mkdir()
    shutil.copyfile(SCENARIOS / "drops" / "drop-1006.yaml", tmp_path / "checks" / "drop-1006.yaml")
    (tmp_path / "pytest.ini").write_text("[pytest]\nbinance_harness_scenarios = checks\n")
    listed = _pytest_in(tmp_path, "--collect-only", "checks")
    assert "checks/drop-1006.yaml::reconnects-after-drop" in listed.stdout, listed.stdout
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    ignored = _pytest_in(tmp_path, "--collect-only", "checks")
    assert "drop-1006" not in ignored.stdout


def test_no_client_is_one_line_and_a_usage_error_before_any_item(tmp_path: Path) -> None:
    (tmp_path / "scenarios").mkdir()
    shutil.copyfile(SCENARIOS / "drops" / "drop-1006.yaml", tmp_path / "scenarios" / "drop-1006.yaml")
    # As in an installed package: no checkout, so no default reference client.
    proc = _pytest_in(
        tmp_path, "scenarios", code="import harness.bundled as b\nb.is_checkout = lambda: False"
    )
    assert proc.returncode == 4, proc.stdout + proc.stderr
    errors = [line for line in (proc.stdout + proc.stderr).splitlines() if "no client to test" in line]
    assert len(errors) == 1 and "--client" in errors[0]
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "passed" not in proc.stdout and "failed" not in proc.stdout


def test_markers_are_listed_before_any_scenario_is_collected(tmp_path: Path) -> None:
    proc = _pytest_in(tmp_path, "--markers")
    for name in ("heartbeats", "drops", "forum", *behaviours.load_all()):
        assert f"@pytest.mark.{name}: binance-harness" in proc.stdout, name
