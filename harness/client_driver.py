"""Client drivers: start the client under test, feed its output to the journal, end it.

Two kinds of client: a command (any language), run as a subprocess under the guard
(harness/guard.py) in its own process group; or a Python coroutine function, run in the
harness's own event loop, for clients that are libraries rather than programs.
Both get the same environment contract (docs/client-contract.md).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import shlex
import shutil
import signal
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from fake_server.fronts.tls import CA_ENV_VARIABLES
from fake_server.journal import Journal
from fake_server.journal_entries import ClientExitEntry, ClientOutputEntry, ClientStartEntry
from harness import faketime, faketime_start
from harness.client_output import BoundedOutput, Emit
from harness.guard import unsupported as guard_unsupported

#: Seconds between SIGTERM and SIGKILL when a client is ended.
GRACE = 1.0

#: The processes groups of clients still running, ended at interpreter exit as a last resort.
_live_groups: set[int] = set()
#: The shared starts of clients not yet finished (harness/faketime_start.py), removed at
#: interpreter exit too, after their groups are ended.
_live_starts: set[faketime_start.SharedStart] = set()


class ClientError(Exception):
    """The client could not be started: a setup problem, reported as ERROR."""


@dataclass(frozen=True)
class ClientEnv:
    """What a client is told: the contract's variables, by their placeholder names."""

    values: dict[str, str]
    #: The scenario's `client_env`, beside the contract's: an in-process client has no
    #: environment of its own to find them in (a command gets them as variables).
    extra: dict[str, str] = field(default_factory=dict)

    def as_environ(self) -> dict[str, str]:
        environ = dict(self.extra)
        environ.update({f"BINANCE_HARNESS_{k.upper()}": v for k, v in self.values.items()})
        if "ca_file" in self.values:
            # The fake serves TLS: the usual variables make common TLS stacks trust its
            # throwaway CA without a line of client code (docs/client-contract.md).
            environ.update(dict.fromkeys(CA_ENV_VARIABLES, self.values["ca_file"]))
        return environ


class Printer(Protocol):
    """How an in-process client prints a line: to its stdout, or with "stderr" to its stderr.

    Either way the line is journaled as it would be read from a command's pipe, so checks
    that read the client's output (surfaces-error-body) see the same evidence.
    """

    def __call__(self, line: str, stream: str = "stdout", /) -> None: ...


#: An in-process client: a coroutine function given the contract and a line printer. What
#: it returns, when an int, is its exit status (None: 0), as a command's would be.
CoroutineClient = Callable[[ClientEnv, Printer], Coroutine[Any, Any, int | None]]


class Client(Protocol):
    exit_code: int | None

    async def start(self) -> None: ...
    async def wait(self) -> None: ...
    async def stop(self) -> None: ...


def environment_error(values: dict[str, str]) -> str | None:
    """What makes `values` unusable as a client's environment, or None.

    The operating system takes a variable as a NUL-terminated `NAME=value`: a NUL anywhere, an
    `=` in a name or an empty name cannot be passed, and Python would refuse them only when
    the client starts, mid-run. The scenario loader (through `Scenario.client_env`'s
    declaration) and the client driver apply this same rule.
    """
    for name, value in values.items():
        if not name or "=" in name or "\0" in name:
            return f"{name!r} cannot be an environment variable's name (empty, or holding '=' or NUL)"
        if "\0" in value:
            return f"the value of {name} holds a NUL character, which no environment can carry"
    return None


def split(command: str) -> list[str]:
    """The words of a client command line; ClientError when it has none or cannot be split."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ClientError(f"cannot parse client command {command!r}: {exc}") from exc
    if not argv:
        raise ClientError("the client command is empty (an unset variable?)")
    return argv


def client_path(extra_env: dict[str, str] | None = None) -> str:
    """The PATH a client is started with: `python` in a command is the harness's interpreter."""
    path = {**os.environ, **(extra_env or {})}.get("PATH", "")
    return os.path.dirname(sys.executable) + os.pathsep + path


def check_command(command: str, extra_env: dict[str, str] | None = None, cwd: Path | None = None) -> None:
    """Raise ClientError when `command` cannot start a client: empty, unparseable, or its
    program missing. Checked once before any scenario is played, so a typo is one line, not
    an ERROR in every verdict of the catalog."""
    program = split(command)[0]
    if "{" in program:
        return  # {python}, or a placeholder known only once the fake is up
    if os.sep in program:
        found = (cwd or Path.cwd()) / program
        if not found.is_file():
            raise ClientError(f"the client program {program!r} does not exist")
        if not os.access(found, os.X_OK):
            raise ClientError(f"the client program {program!r} is not executable")
    elif shutil.which(program, path=client_path(extra_env)) is None:
        raise ClientError(f"the client program {program!r} is not on PATH")


def expand(command: str, env: ClientEnv) -> list[str]:
    """The argv of a command line, with `{placeholders}` of the contract substituted."""
    values = {**env.values, "python": sys.executable}
    argv = split(command)
    try:
        return [arg.format_map(values) for arg in argv]
    except (KeyError, IndexError, ValueError) as exc:
        raise ClientError(
            f"unknown placeholder {exc} in client command; known: "
            + ", ".join("{" + k + "}" for k in sorted(values))
        ) from exc


class SubprocessClient:
    def __init__(
        self,
        command: str,
        env: ClientEnv,
        extra_env: dict[str, str],
        cwd: Path,
        journal: Journal,
        origin: faketime.Origin | None = None,
    ) -> None:
        if problem := environment_error(extra_env):
            raise ClientError(f"client_env: {problem}")
        check_command(command, extra_env, cwd)
        #: At a time factor: where the client's clock starts (it runs under libfaketime).
        self.origin = origin
        self.library: Path | None = None
        if origin is not None:
            if why := faketime.unavailable():
                raise ClientError(f"time_factor {origin.factor:g}: {why}")
            self.library = faketime.library()
        self.argv = expand(command, env)
        self.env = env
        self.extra_env = extra_env
        self.cwd = cwd
        self.journal = journal
        self.proc: asyncio.subprocess.Process | None = None
        #: At a time factor: where the client's clock starts, until the client is gone.
        self.shared_start: faketime_start.SharedStart | None = None
        self.exit_code: int | None = None
        self._readers: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        if why := guard_unsupported():
            raise ClientError(why)
        environ = dict(os.environ)
        environ.update(self.extra_env)
        environ.update(self.env.as_environ())
        environ["PATH"] = client_path(self.extra_env)
        environ["PYTHONUNBUFFERED"] = "1"
        guard = [
            sys.executable,
            "-m",
            "harness.guard",
            "--parent",
            str(os.getpid()),
            "--grace",
            str(GRACE),
        ]
        started = ClientStartEntry(kind="client_start", argv=self.argv)
        if self.origin is not None and self.library is not None:
            guard += ["--faketime", str(self.library), *self.origin.as_args()]
            guard += self._shared_start(started)
        guard.append("--")
        harness_root = str(Path(__file__).resolve().parent.parent)
        guard_env = dict(environ)
        guard_env["PYTHONPATH"] = harness_root + os.pathsep + environ.get("PYTHONPATH", "")
        try:
            self.proc = await asyncio.create_subprocess_exec(
                *guard,
                *self.argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                cwd=self.cwd,
                env=guard_env,
                start_new_session=True,
            )
        except OSError as exc:
            self._remove_shared_start()
            raise ClientError(f"cannot start the client guard: {exc}") from exc
        _live_groups.add(self.proc.pid)
        started["pid"] = self.proc.pid
        self.journal.append(started)
        assert self.proc.stdout is not None and self.proc.stderr is not None
        self._readers = [
            asyncio.create_task(self._read(self.proc.stdout, "stdout")),
            asyncio.create_task(self._read(self.proc.stderr, "stderr")),
        ]

    def _shared_start(self, started: ClientStartEntry) -> list[str]:
        """The guard's option that starts the client's clock at the fake's, noted on the
        journal's `client_start`; none when the pair cannot be made (the old way)."""
        try:
            self.shared_start = faketime_start.SharedStart.create()
        except faketime_start.SharedStartError as exc:
            started["clock_start"] = "own"
            started["clock_start_why"] = str(exc)
            return []
        _live_starts.add(self.shared_start)
        started["clock_start"] = "shared"
        return ["--shared-start", self.shared_start.name]

    def _remove_shared_start(self) -> None:
        if self.shared_start is not None:
            self.shared_start.remove()
            _live_starts.discard(self.shared_start)
            self.shared_start = None

    async def _read(self, stream: asyncio.StreamReader, name: Literal["stdout", "stderr"]) -> None:
        output = BoundedOutput(_journal_output(self.journal, name))
        try:
            while chunk := await stream.read(65536):
                output.feed(chunk)
        finally:
            output.close()

    async def wait(self) -> None:
        assert self.proc is not None
        await self.proc.wait()
        await self._finish()

    async def stop(self) -> None:
        """End the client's whole process group: SIGTERM, then SIGKILL after GRACE."""
        proc = self.proc
        if proc is None:
            return
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGTERM)  # the guard relays it to the group
            try:
                await asyncio.wait_for(proc.wait(), GRACE + 3.0)
            except TimeoutError:
                kill_group(proc.pid)
                await proc.wait()
        kill_group(proc.pid)  # anything that escaped the guard's reaping
        await self._finish()

    async def _finish(self) -> None:
        assert self.proc is not None
        if self._readers:
            _done, pending = await asyncio.wait(self._readers, timeout=2.0)
            for task in pending:
                task.cancel()
            self._readers = []
        if self.exit_code is None and self.proc.returncode is not None:
            self.exit_code = self.proc.returncode
            self.journal.append(ClientExitEntry(kind="client_exit", code=self.exit_code))
        if self.proc.returncode is not None:  # the guard ended the group before it exited
            self._remove_shared_start()
        _live_groups.discard(self.proc.pid)


def _journal_output(journal: Journal, stream: Literal["stdout", "stderr"]) -> Emit:
    def emit(line: str, not_kept: int) -> None:
        entry = ClientOutputEntry(kind="client_output", stream=stream, line=line)
        if not_kept:
            entry["not_kept"] = not_kept
        journal.append(entry)

    return emit


class CoroutineClientRunner:
    """Runs an in-process client; its printed lines go to the journal as stdout or stderr."""

    def __init__(self, fn: CoroutineClient, env: ClientEnv, journal: Journal) -> None:
        self.fn = fn
        self.env = env
        self.journal = journal
        self.task: asyncio.Task[int | None] | None = None
        self.exit_code: int | None = None
        self._outputs = {
            "stdout": BoundedOutput(_journal_output(journal, "stdout")),
            "stderr": BoundedOutput(_journal_output(journal, "stderr")),
        }

    def _print(self, line: str, stream: str = "stdout", /) -> None:
        output = self._outputs["stderr" if stream == "stderr" else "stdout"]
        for one in str(line).splitlines() or [""]:
            output.line(one)

    async def start(self) -> None:
        self.journal.append(ClientStartEntry(kind="client_start", argv=[coroutine_name(self.fn)]))
        self.task = asyncio.create_task(self.fn(self.env, self._print))

    async def wait(self) -> None:
        assert self.task is not None
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.shield(self.task)
        self._record()

    async def stop(self) -> None:
        """Cancel the client's task, as a command is sent SIGTERM, and wait for it to end."""
        if self.task is None:
            return
        if not self.task.done():
            self.task.cancel()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(self.task, GRACE + 3.0)
        self._record()

    def _record(self) -> None:
        if self.exit_code is not None or self.task is None or not self.task.done():
            return
        for output in self._outputs.values():
            output.close()
        if self.task.cancelled():
            self.exit_code = 0
        elif (exc := self.task.exception()) is not None:
            self.exit_code = 1
            error = f"{type(exc).__name__}: {exc}"
            self.journal.append(ClientOutputEntry(kind="client_output", stream="stderr", line=error))
        else:
            result = self.task.result()
            self.exit_code = result if isinstance(result, int) else 0
        self.journal.append(ClientExitEntry(kind="client_exit", code=self.exit_code))


def coroutine_name(fn: CoroutineClient) -> str:
    """How the journal names an in-process client: as `--client` would (python:MODULE:ATTR),
    the class it was called on included (a broken client's inherited `in_process`)."""
    owner = getattr(fn, "__self__", None)
    if isinstance(owner, type):
        module: str | None = owner.__module__
        name = f"{owner.__qualname__}.{getattr(fn, '__name__', '?')}"
    else:
        module, name = getattr(fn, "__module__", None), getattr(fn, "__qualname__", "coroutine")
    return f"python:{module}:{name}" if module else name


def kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def group_alive(pgid: int) -> bool:
    """Whether any process of the group still exists (for tests and the stop path)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _kill_live_groups() -> None:
    for pgid in list(_live_groups):
        kill_group(pgid)
    for start in list(_live_starts):
        start.remove()


atexit.register(_kill_live_groups)
