"""Install what the SDK adapters need, from their lock files; idempotent, stdlib only.

Which adapters there are, and in which language, is adapters/commands.py's table; each lives
in adapters/<name>/ and is installed by its language's one recipe:

- Node.js: ``npm ci`` from its package-lock.json (into its node_modules);
- Python: its own virtualenv, adapters/<name>/.venv, made with the Python running this
  script, and ``pip install --no-deps -r requirements.lock`` (every package is pinned there,
  so nothing else is resolved), then ``pip check``.

Each step leaves a stamp (a hash of the lock file, and of the Python version for a venv)
in what it installed, and is skipped while the stamp matches: a second run takes well under
a second. ``--force`` reinstalls; names (``python3 adapters/commands.py`` lists them) limit
the run to those adapters. Concurrent runs (test workers) wait for each other on a lock file
in the temporary directory.

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
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # commands.py is this script's neighbour, not a package
    sys.path.insert(0, str(HERE))
from commands import ADAPTERS, Adapter  # noqa: E402

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


def install_node(adapter: Adapter, force: bool) -> None:
    """``npm ci`` from the adapter's package-lock.json into its node_modules."""
    folder = adapter.folder
    lock = folder / "package-lock.json"
    expected = digest(lock.read_bytes(), (folder / "package.json").read_bytes())
    stamp = folder / "node_modules" / STAMP
    if not force and stamp_matches(stamp, expected):
        say(f"{adapter.name}: node_modules up to date with package-lock.json")
        return
    npm = shutil.which("npm")
    if npm is None:
        raise InstallError(
            f"{adapter.name}: npm is not installed (the Node adapters need Node.js 20+ and npm)"
        )
    run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], folder)
    stamp.write_text(expected + "\n", encoding="utf-8")
    say(f"{adapter.name}: installed")


def install_python(adapter: Adapter, force: bool) -> None:
    """The adapter's own virtualenv (.venv beside it), from its requirements.lock, then pip check."""
    folder = adapter.folder
    lock = folder / "requirements.lock"
    venv = folder / ".venv"
    python = venv / "bin" / "python"
    expected = digest(lock.read_bytes(), sys.version.encode())
    stamp = venv / STAMP
    if not force and python.exists() and stamp_matches(stamp, expected):
        say(f"{adapter.name}: .venv up to date with requirements.lock")
        return
    # A venv made for another lock is made anew: --no-deps would leave its stale packages.
    run([sys.executable, "-m", "venv", "--clear", str(venv)], folder)
    pip = [str(python), "-m", "pip", "--disable-pip-version-check", "--no-input"]
    run([*pip, "install", "--quiet", "--no-deps", "-r", str(lock)], folder)
    run([*pip, "check"], folder)
    stamp.write_text(expected + "\n", encoding="utf-8")
    say(f"{adapter.name}: installed")


#: How each language's adapters are installed (Adapter.language in commands.py).
INSTALLERS: dict[str, Callable[[Adapter, bool], None]] = {"Node.js": install_node, "Python": install_python}


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
    unknown = [n for n in names if n not in ADAPTERS]
    if unknown:
        raise InstallError(f"unknown adapter(s) {', '.join(unknown)}; known: {', '.join(ADAPTERS)}")
    with exclusive(lock_path()):
        for name in names or list(ADAPTERS):
            adapter = ADAPTERS[name]
            started = time.monotonic()
            INSTALLERS[adapter.language](adapter, force)
            say(f"{name}: {time.monotonic() - started:.1f} s")


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
