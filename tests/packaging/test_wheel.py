"""The wheel, installed into a fresh virtualenv outside the repository, does what the README's
"Use it in your project" section says, line by line: this test runs that very block.

A checkout hides packaging mistakes (the catalog, the reference client and the docs are next
to the code there), so only an installed wheel in a folder that is not the repository shows
whether a user who runs `pip install` gets a working tool. Each line of the block runs in one
bash session (its `cd` and `activate` carry over), and each line's exit status is checked
against the `# exit N` the README announces for it, then its output against what the
comment promises.

Cost (measured on the 2-core machine, nothing else running): about 150 s in all; the
virtualenv ~8 s, `pip install` of the wheel and its dependencies from the registry ~25 s,
the scenario runs and the example suites the rest. One xdist group: both tests read one run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.defaults import ROOT
from harness.scenario_file import default_registries, load_scenario

pytestmark = pytest.mark.xdist_group("packaging")

#: What a wheel is built from: the files the build reads (setup.py adds the bundled folders).
SOURCES = (
    "pyproject.toml",
    "setup.py",
    "MANIFEST.in",
    "README.md",
    "harness",
    "fake_server",
    "scenarios",
    "clients",
    "docs",
)
SECTION = "## Use it in your project"
TIMEOUT = 600


def readme_block() -> list[str]:
    """The shell lines of the README's "Use it in your project" block, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    after = text[text.index(SECTION) :]
    block = re.search(r"```sh\n(.*?)```", after, re.DOTALL)
    assert block is not None, f"no ```sh block under {SECTION!r}"
    return [line for line in block.group(1).splitlines() if line.strip()]


def announced_exit(line: str) -> int | None:
    m = re.search(r"#\s*exit (\d+)", line)
    return int(m.group(1)) if m else None


def build_wheel(tmp: Path) -> Path:
    """A wheel of the working tree, built from a clean copy so no stale build/ leaks into it."""
    source = tmp / "source"
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__", "node_modules"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copyfile(path, source / name)
    dist = tmp / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            dist,
            source,
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (wheel,) = dist.glob("*.whl")
    return wheel


def plain_environ() -> dict[str, str]:
    """The environment of a user's shell: no project virtualenv, no pytest worker variables."""
    venv_bin = str(ROOT / ".venv" / "bin")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST_", "VIRTUAL_ENV", "PYTHONPATH", "BINANCE_HARNESS_"))
    }
    env["PATH"] = os.pathsep.join(
        [os.path.dirname(sys._base_executable)]  # the python3 the project venv was made from
        + [p for p in env.get("PATH", "").split(os.pathsep) if p and p != venv_bin]
    )
    return env


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, int, str]]:
    """(line, exit status, output) of each README line, run in a fresh project folder."""
    tmp = tmp_path_factory.mktemp("packaging")
    wheel = build_wheel(tmp)
    project = tmp / "my-bot"
    project.mkdir()
    lines = readme_block()
    script = ["set +e"]
    for i, line in enumerate(lines):
        script += [f"echo '@@begin {i}'", line, f'echo "@@end {i} $?"']
    env = plain_environ() | {"HARNESS": str(wheel), "EXAMPLE": str(ROOT / "examples" / "python")}
    proc = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    out = proc.stdout
    steps = []
    for i, line in enumerate(lines):
        m = re.search(rf"@@begin {i}\n(.*?)@@end {i} (\d+)\n", out, re.DOTALL)
        assert m is not None, f"line {i} ({line}) did not finish:\n{out[-3000:]}\n{proc.stderr[-3000:]}"
        steps.append((line, int(m.group(2)), m.group(1)))
    return steps


def step(steps: list[tuple[str, int, str]], command: str) -> tuple[int, str]:
    """The exit status and output of the one line whose command (comment aside) starts so."""
    (found,) = [(code, out) for line, code, out in steps if line.split("  #")[0].strip().startswith(command)]
    return found


def test_every_line_exits_as_the_readme_says(session: list[tuple[str, int, str]]) -> None:
    for line, code, out in session:
        expected = announced_exit(line)
        assert code == (0 if expected is None else expected), f"{line}\nexit {code}:\n{out[-3000:]}"


def test_the_installed_tool_works_outside_the_repository(session: list[tuple[str, int, str]]) -> None:
    _, version = step(session, "binance-harness --version")
    assert re.match(r"binance-harness \d+\.\d+", version)
    _, init = step(session, "binance-harness init")
    drops = sorted((ROOT / "scenarios" / "drops").glob("*.yaml"))
    assert f"copied {len(drops)} scenario files" in init and "pytest.ini" in init
    (passing,) = [out for line, _, out in session if line.split("  #")[0].strip() == "pytest scenarios/"]
    faults, behaviours = default_registries()
    items = sum(len(load_scenario(p, faults=faults, behaviours=behaviours).expect) for p in drops)
    assert re.search(rf"\b{items} passed\b", passing) and "failed" not in passing, passing
    _, failing = step(session, 'pytest scenarios/ --client "python bot.py --no-reconnect"')
    assert "FAIL: reconnects-after-drop in scenario drop-1006" in failing
    _, diagnosis = step(session, "binance-harness diagnose")
    assert "Your client" in diagnosis and "reconnect" in diagnosis
    _, bundled = step(session, "binance-harness run --family drops")
    assert "reference_client.py" in bundled and "site-packages" in bundled  # the packaged copy
    _, fixture = step(session, "cp -r")
    assert re.search(r"\b4 passed\b", fixture), fixture
    _, other = step(session, "printf 'def test_own")
    assert re.search(r"\b1 passed\b", other) and "error" not in other.lower(), other
