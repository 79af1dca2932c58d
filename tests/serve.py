"""`binance-harness serve` in a subprocess, for tests that drive the fake from outside."""

from __future__ import annotations

import contextlib
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import IO

from harness.defaults import ROOT

STEP_TIMEOUT = 60.0


@contextlib.contextmanager
def serve(*options: str) -> Iterator[dict[str, str]]:
    """`binance-harness serve` in a subprocess; yields the variables it exported.

    Its stdout is read unbuffered with select until the control URL (printed last) shows,
    then drained by a thread so the journal lines it keeps printing never fill the pipe.
    Ended with SIGINT, like Ctrl-C, and it must then exit 0.
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "serve", "--rate", "0", *options],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        bufsize=0,
    )
    output = bytearray()
    try:
        assert proc.stdout is not None
        exported: dict[str, str] = {}
        deadline = time.monotonic() + STEP_TIMEOUT
        while "BINANCE_HARNESS_CONTROL_URL" not in exported:
            ready, _, _ = select.select([proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
            assert ready, f"serve printed no control URL within {STEP_TIMEOUT:g} s:\n{output.decode()}"
            chunk = os.read(proc.stdout.fileno(), 65536)
            assert chunk, f"serve exited early:\n{output.decode()}"
            output += chunk
            exported = {m[1].decode(): m[2].decode() for m in re.finditer(rb"export (\w+)=(\S*)\n", output)}
        drain = threading.Thread(target=_drain, args=(proc.stdout, output), daemon=True)
        drain.start()
        yield exported
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=STEP_TIMEOUT) == 0, output.decode()
        drain.join(timeout=STEP_TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _drain(stream: IO[bytes], into: bytearray) -> None:
    while chunk := os.read(stream.fileno(), 65536):
        into += chunk
