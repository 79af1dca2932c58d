#!/usr/bin/env python3
"""Set-up and the two jobs of this project, with nothing but Python 3.11 and pip.

    python3 tasks.py catalog [ARGS...]   the scenario catalog against the bundled reference
                                         client, with its report (ARGS go to `binance-harness run`)
    python3 tasks.py test [ARGS...]      lint, type-check and the whole test suite (ARGS go to pytest)
    python3 tasks.py matrix [ARGS...]    the real SDKs of adapters/ through the USD-M catalog:
                                         reports/matrix/, then docs/conformance.md's table
                                         (ARGS go to `binance-harness matrix`)
    python3 tasks.py bench [ARGS...]     the fake's performance beside websockets and a raw asyncio
                                         push, in one run: push rates, fault lateness, handshakes,
                                         memory per connection (ARGS: `python -m bench --help`;
                                         figures in docs/performance.md)
    python3 tasks.py fuzz                 hostile input at full size: 5,000 mutated scenario
                                         files, then 2,000 random REST and control-API requests;
                                         prints the counts (tracebacks, 500s, files written
                                         outside the run folder) and the wall times

Each first makes (or refreshes) `.venv` from requirements.lock, so a fresh clone needs no
other step. CI runs `python3 tasks.py test` (see .ci/run).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".installed"


def run(*cmd: str | Path) -> None:
    code = attempt(*cmd)
    if code != 0:
        raise SystemExit(code)


def attempt(*cmd: str | Path) -> int:
    """Run a command, showing it; its exit status."""
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run([str(c) for c in cmd], cwd=ROOT).returncode


def setup() -> None:
    """Create .venv and install the locked packages, unless the lock did not change; and the
    system's libfaketime, unless it is there."""
    faketime()
    wanted = hashlib.sha256(LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print(f"+ creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", LOCK)
    run(
        BIN / "python",
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-deps",
        "--no-build-isolation",
        "-e",
        ".",
    )
    STAMP.write_text(wanted)


def chromium() -> None:
    """Install Debian's chromium, which the HTML report's browser test opens, if it is missing."""
    if not debian_package("chromium", shutil.which("chromium"), "the browser test needs it"):
        raise SystemExit("chromium could not be installed")


def faketime() -> None:
    """Install Debian's faketime (libfaketime) if it is missing: the scenarios with a
    `time_factor` run the client's clock fast with it (docs/time-factor.md). Where it cannot
    be installed, set-up goes on and those scenarios report ERROR with the reason."""
    sys.path.insert(0, str(ROOT))
    from harness import faketime as library  # stdlib only, importable before .venv exists

    debian_package("faketime", library.library(), "time_factor scenarios need it")


def debian_package(package: str, found: object, needs: str) -> bool:
    """Install a Debian package with apt-get unless `found` (what shows it is there) is set;
    whether it is there at the end. Quick when it is there already; `apt-get update` only
    when the install fails (a fresh machine's package lists are empty or stale)."""
    if found:
        print(f"+ {package}: {found}", flush=True)
        return True
    if not shutil.which("apt-get"):
        print(f"+ {package}: missing, and no apt-get to install it ({needs})", flush=True)
        return False
    sudo = [] if os.geteuid() == 0 or not shutil.which("sudo") else ["sudo", "-n"]
    os.environ.setdefault("DEBIAN_FRONTEND", "noninteractive")
    install = [*sudo, "apt-get", "install", "-y", "--no-install-recommends", package]
    if attempt(*install) != 0 and (attempt(*sudo, "apt-get", "update") != 0 or attempt(*install) != 0):
        print(f"+ {package}: could not be installed ({needs})", flush=True)
        return False
    return True


def catalog(args: list[str]) -> None:
    run(
        BIN / "binance-harness",
        "run",
        "--json",
        "reports/catalog.json",
        "--html",
        "reports/catalog.html",
        "--dir",
        "reports/runs",
        *args,
    )


def matrix(args: list[str]) -> None:
    """The reference client, the forum bot and every adapter, side by side; then the docs page.

    USD-M scenarios only: the adapters speak USD-M futures (adapters/commands.py), and the
    same selection for every column keeps the matrix comparable.
    """
    run(sys.executable, ROOT / "adapters" / "install.py")
    python = BIN / "python"
    clients = [
        f"reference={python} {ROOT / 'clients' / 'reference_client.py'}",
        f"forum-bot-python={python} {ROOT / 'clients' / 'forum_bot.py'}",
    ]
    clients += _adapter_lines()
    # Each adapter's ceiling on a scenario's time factor: its SDK's own timeouts run as fast.
    ceilings = _adapter_lines("--max-time-factor")
    out = ROOT / "reports" / "matrix"
    client_args = [arg for c in clients for arg in ("--client", c)]
    client_args += [arg for c in ceilings for arg in ("--max-time-factor", c)]
    run(BIN / "binance-harness", "matrix", "--profile", "usdm", "--out", out, *client_args, *args)
    run(python, "-m", "harness.docs", "--conformance", out / "matrix.json")


def _adapter_lines(*flags: str) -> list[str]:
    """The `NAME=...` lines adapters/commands.py prints with `flags`, one per adapter."""
    listed = subprocess.run(
        [sys.executable, str(ROOT / "adapters" / "commands.py"), *flags],
        capture_output=True,
        text=True,
        check=True,
    )
    return [line for line in listed.stdout.splitlines() if line.strip()]


def fuzz(args: list[str]) -> None:
    """The long run of the fuzz tests CI runs small (tests/harness/test_scenario_fuzz.py,
    tests/fake_server/test_request_fuzz.py): each script exits 1 if a count that must be 0 is not."""
    python = BIN / "python"
    run(python, ROOT / "scripts" / "fuzz_scenarios.py", "--count", "5000", "--run", "5", *args)
    run(python, ROOT / "scripts" / "fuzz_requests.py", "--count", "2000")


def bench(args: list[str]) -> None:
    run(BIN / "python", "-m", "bench", *args)


def test(args: list[str]) -> None:
    run(BIN / "ruff", "check", ".")
    run(BIN / "ruff", "format", "--check", ".")
    run(BIN / "mypy")
    chromium()
    run(BIN / "python", "-m", "pytest", "-n", "2", "--dist", "loadgroup", *args)


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in ("catalog", "test", "matrix", "fuzz", "bench", "setup"):
        print(__doc__)
        raise SystemExit(2)
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    setup()
    job, args = sys.argv[1], sys.argv[2:]
    if job == "catalog":
        catalog(args)
    elif job == "test":
        test(args)
    elif job == "matrix":
        matrix(args)
    elif job == "fuzz":
        fuzz(args)
    elif job == "bench":
        bench(args)


if __name__ == "__main__":
    main()
