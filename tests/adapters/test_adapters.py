"""The SDK adapters (adapters/) run as the harness runs any client, on a core subset of the catalog.

The adapters' dependencies are installed by adapters/install.py from their lock files (npm ci,
and python-binance's own virtualenv); a second install is a no-op. When the install cannot
be done here (no npm, no registry), the tests are skipped with the reason, except under CI
(the variable CI is set), where that is a failure: CI must prove the adapters run.

Each test asserts what the harness needs from an adapter, not how well its SDK recovers
(that is the catalog's job, and docs/conformance.md's): no harness problem and no ERROR
verdict, a user-data connection opened on the fake, and at least one event reported to the
events file. One adapter per language plays the core subset (a drop, server pings, an
expired key); every other adapter plays the drop (a few seconds each).
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from harness.defaults import ROOT, SCENARIOS
from harness.runner import HARD_TIMEOUT_MARGIN, run_scenario
from harness.scenario_file import default_registries, load_scenario
from harness.verdict import Status

ADAPTERS = ROOT / "adapters"
#: Seconds the install may take on a fresh checkout (~2 min here: three venvs, four npm ci).
INSTALL_TIMEOUT = 600.0
#: The core subset: the forum thread's three failures (the drop, the pings, the key).
CORE = ("drops/drop-1006.yaml", "heartbeats/server-pings.yaml", "listenkey/expired.yaml")
#: Adapters that play the whole core subset (one per language); the others play the drop.
CORE_PLAYERS = ("node-binance", "python-binance")


def _load_commands() -> dict[str, Any]:
    """adapters/commands.py's ADAPTERS (adapters/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "binance_harness_adapter_commands", ADAPTERS / "commands.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve the module by name
    spec.loader.exec_module(module)
    adapters: dict[str, Any] = module.ADAPTERS
    return adapters


COMMANDS = _load_commands()
#: (adapter, scenario) pairs; the "@adapter" test id suffix keeps one adapter on one xdist
#: worker (harness/xdist_scheduling.py), so two SDK processes never compete for a core.
PLAYS = [(a, s) for a in CORE_PLAYERS for s in CORE] + [
    (a, CORE[0]) for a in COMMANDS if a not in CORE_PLAYERS
]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"adapters cannot be installed under CI: {reason}")
    pytest.skip(f"adapters not installed here: {reason}")


@pytest.fixture(scope="module")
def installed() -> None:
    """adapters/install.py has run successfully (skip locally, fail under CI, otherwise)."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            _unavailable(f"{tool} is not on PATH (the Node adapters need Node.js 20+ and npm)")
    try:
        done = subprocess.run(
            [sys.executable, str(ADAPTERS / "install.py")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        _unavailable(f"adapters/install.py did not finish within {INSTALL_TIMEOUT:.0f} s")
        return
    if done.returncode != 0:
        _unavailable(
            f"adapters/install.py exited with {done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )


def of_language(language: str) -> list[Any]:
    return [a for a in COMMANDS.values() if a.language == language]


def test_every_adapter_has_a_command_and_its_files() -> None:
    assert set(COMMANDS) == {
        "node-binance",
        "python-binance",
        "python-ccxt",
        "node-ccxt",
        "python-binance-official",
        "node-binance-official",
        "node-forum",
    }
    for adapter in COMMANDS.values():
        assert adapter.profiles == ("usdm",)
        assert adapter.language in ("Node.js", "Python"), adapter.name
        for arg in adapter.argv[1:]:
            assert (ROOT / arg).is_file(), arg
            assert (ROOT / arg).parent == adapter.folder, arg


def test_node_locks_pin_exact_versions_and_record_no_download_address() -> None:
    for adapter in of_language("Node.js"):
        lock = (adapter.folder / "package-lock.json").read_text(encoding="utf-8")
        assert '"resolved"' not in lock, adapter.name
        assert "omit-lockfile-registry-resolved=true" in (adapter.folder / ".npmrc").read_text()
        wanted = json.loads((adapter.folder / "package.json").read_text(encoding="utf-8"))["dependencies"]
        locked = json.loads(lock)["packages"]
        for name, version in wanted.items():
            assert version[:1].isdigit(), (adapter.name, name, version)  # exact, not a range
            assert locked[f"node_modules/{name}"]["version"] == version, (adapter.name, name)
            assert version in adapter.sdk, (adapter.name, name)  # the version commands.py names


def test_python_locks_pin_every_package_by_version_only() -> None:
    for adapter in of_language("Python"):
        lines = (adapter.folder / "requirements.lock").read_text(encoding="utf-8").splitlines()
        pins = dict(line.partition("==")[::2] for line in lines if line.strip() and not line.startswith("#"))
        for name, version in pins.items():
            assert name and version and "/" not in name + version and " " not in name + version, name
        # The SDK itself is pinned at the version commands.py names.
        sdk_name = adapter.sdk.split(" ", 1)[0]
        normalised = {n.lower().replace("_", "-"): v for n, v in pins.items()}
        assert normalised[sdk_name] == adapter.sdk.rsplit(" ", 1)[1], adapter.name


@pytest.mark.parametrize(("name", "scenario_file"), PLAYS, ids=[f"{s}@{a}" for a, s in PLAYS])
async def test_adapter_plays_the_core_catalog(
    installed: None, name: str, scenario_file: str, tmp_path: Path
) -> None:
    faults, behaviours = default_registries()
    scenario = load_scenario(SCENARIOS / scenario_file, faults=faults, behaviours=behaviours)
    command = COMMANDS[name].command()
    result = await asyncio.wait_for(
        run_scenario(scenario, command, workdir=tmp_path),
        scenario.duration + HARD_TIMEOUT_MARGIN + 5,
    )
    output = "\n".join(e["line"] for e in result.record.of("client_output")) if result.record else ""
    assert not result.problems, (result.problems, output[-3000:])
    errors = [(v.behaviour, v.summary) for v in result.verdicts if v.status is Status.ERROR]
    assert not errors, (errors, output[-3000:])
    assert result.record is not None
    opens = result.record.user_opens()
    assert opens, f"{name} opened no user-data connection:\n{output[-3000:]}"
    assert result.record.client_events, f"{name} reported no event to the events file:\n{output[-3000:]}"
    assert all("e" in event and "E" in event for event in result.record.client_events)
