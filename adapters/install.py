"""Install what the SDK adapters need, from their lock files; idempotent, stdlib only.

- each Node adapter (adapters/node-*/): ``npm ci`` from its package-lock.json;
- python-binance: its own virtualenv, adapters/python-binance/.venv, made with the Python
  running this script, and ``pip install --no-deps -r requirements.lock`` (every package is
  pinned there, so nothing else is resolved), then ``pip check``.

Each step leaves a stamp (a hash of the lock file, and of the Python version for the venv)
in what it installed, and is skipped while the stamp matches: a second run takes well under
a second. ``--force`` reinstalls; names (``node-binance``, ``node-forum``,
``python-binance``) limit the run to those adapters. Concurrent runs (test workers) wait for
each other on a lock file in the temporary directory.

Usage: python3 adapters/install.py [--force] [NAME ...]
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
NODE_ADAPTERS = ("node-binance", "node-forum")
PYTHON_BINANCE = HERE / "python-binance"
STAMP = ".adapters-install-stamp"
#: Seconds one install command may take before it is abandoned.
STEP_TIMEOUT = 600.0


class InstallError(Exception):
    pass


def say(message: str) -> None:
    print(f"[adapters/install] {message}", flush=True)


def digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part)
        h.update(b"\0")
    return h.hexdigest()


def stamp_matches(stamp: Path, expected: str) -> bool:
    try:
        return stamp.read_text(encoding="utf-8").strip() == expected
    except OSError:
        return False


def run(argv: Sequence[str], cwd: Path) -> None:
    say(f"$ {' '.join(argv)}   (in {cwd.relative_to(HERE.parent)})")
    try:
        done = subprocess.run(list(argv), cwd=cwd, timeout=STEP_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InstallError(f"{argv[0]}: {exc}") from exc
    if done.returncode != 0:
        raise InstallError(f"{' '.join(argv)} exited with {done.returncode}")


def install_node(name: str, force: bool) -> None:
    folder = HERE / name
    lock = folder / "package-lock.json"
    expected = digest(lock.read_bytes(), (folder / "package.json").read_bytes())
    stamp = folder / "node_modules" / STAMP
    if not force and stamp_matches(stamp, expected):
        say(f"{name}: node_modules up to date with package-lock.json")
        return
    npm = shutil.which("npm")
    if npm is None:
        raise InstallError(f"{name}: npm is not installed (the Node adapters need Node.js 20+ and npm)")
    run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], folder)
    stamp.write_text(expected + "\n", encoding="utf-8")
    say(f"{name}: installed")


def install_python_binance(force: bool) -> None:
    lock = PYTHON_BINANCE / "requirements.lock"
    venv = PYTHON_BINANCE / ".venv"
    python = venv / "bin" / "python"
    expected = digest(lock.read_bytes(), sys.version.encode())
    stamp = venv / STAMP
    if not force and python.exists() and stamp_matches(stamp, expected):
        say("python-binance: .venv up to date with requirements.lock")
        return
    if force or not python.exists():
        run([sys.executable, "-m", "venv", "--clear", str(venv)], PYTHON_BINANCE)
    pip = [str(python), "-m", "pip", "--disable-pip-version-check", "--no-input"]
    run([*pip, "install", "--quiet", "--no-deps", "-r", str(lock)], PYTHON_BINANCE)
    run([*pip, "check"], PYTHON_BINANCE)
    stamp.write_text(expected + "\n", encoding="utf-8")
    say("python-binance: installed")


@contextlib.contextmanager
def exclusive(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def lock_path() -> Path:
    key = hashlib.sha256(str(HERE).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"binance-harness-adapters-{key}.lock"


def install(names: Sequence[str] = (), force: bool = False) -> None:
    """Install the named adapters (all when empty); InstallError says what failed."""
    known = (*NODE_ADAPTERS, "python-binance")
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InstallError(f"unknown adapter(s) {', '.join(unknown)}; known: {', '.join(known)}")
    selected = list(names) or list(known)
    with exclusive(lock_path()):
        for name in selected:
            if name == "python-binance":
                install_python_binance(force)
            else:
                install_node(name, force)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="adapters to install (default: all)")
    parser.add_argument("--force", action="store_true", help="reinstall even if up to date")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        install(args.names, args.force)
    except InstallError as exc:
        say(f"FAILED: {exc}")
        return 1
    say(f"done in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
