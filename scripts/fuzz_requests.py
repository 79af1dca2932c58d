"""Send N random REST and control-API requests to `binance-harness serve`; count what broke.

    .venv/bin/python scripts/fuzz_requests.py --count 2000

Starts `serve` in a subprocess (no token, so requests reach the routes), sends half the
requests to its REST front and half to its control API, each over a new raw socket
(tests/fake_server/request_fuzz.py makes them), then prints: the answers of 500 caused by
an exception ("crashes"), all answers of 500 (a fault such as `http_error` may be asked for
one), requests left unanswered, tracebacks on serve's stderr, whether the fake still
answers, and the wall time. Exits 1 when anything crashed. Issue 11 asks for 0 crashes and
0 tracebacks.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from hypothesis import Phase, given, seed, settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fake_server.request_fuzz import (  # noqa: E402
    FuzzRequest,
    control_requests,
    rest_requests,
    send,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="requests to send (default 2000)")
    parser.add_argument("--seed", type=int, default=11, help="Hypothesis seed (default 11)")
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryFile() as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "harness.cli", "serve", "--rate", "0"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=stderr,
        )
        try:
            exported = _exported(proc)
            counts = _fuzz(exported, args.count, args.seed)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        stderr.seek(0)
        log = stderr.read().decode("utf-8", "replace")
    wall = time.monotonic() - started
    tracebacks = log.count("Traceback (most recent call last)")
    print(
        f"requests sent:            {counts['sent']} ({counts['rest']} REST, {counts['control']} control API)"
    )
    print(f"500s from an exception:   {counts['crashed']}")
    print(f"500s in all:              {counts['500']} (the rest asked for by a fault)")
    print(f"unanswered:               {counts['unanswered']}")
    print(f"tracebacks on stderr:     {tracebacks}")
    print(f"still answering:          {'yes' if counts['alive'] else 'NO'}")
    print(f"wall time:                {wall:.1f} s")
    print(
        "statuses:                 "
        + ", ".join(f"{k}: {v}" for k, v in sorted(counts["statuses"].items(), key=str))
    )
    return 0 if counts["crashed"] == 0 and tracebacks == 0 and counts["alive"] else 1


def _exported(proc: subprocess.Popen[bytes]) -> dict[str, str]:
    """The variables serve prints, read until the control URL (printed last); then its
    stdout (a line per journal entry) is drained by a thread so it never blocks."""
    assert proc.stdout is not None
    exported: dict[str, str] = {}
    while "BINANCE_HARNESS_CONTROL_URL" not in exported:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("serve exited before printing its URLs")
        if m := re.match(rb"export (\w+)=(\S*)", line):
            exported[m[1].decode()] = m[2].decode()
    stdout = proc.stdout
    threading.Thread(target=lambda: collections.deque(iter(stdout.readline, b""), 0), daemon=True).start()
    return exported


def _fuzz(exported: dict[str, str], count: int, chosen_seed: int) -> dict:  # type: ignore[type-arg]
    rest = urlsplit(exported["BINANCE_HARNESS_REST_URL"])
    control = urlsplit(exported["BINANCE_HARNESS_CONTROL_URL"])
    assert rest.hostname and rest.port and control.hostname and control.port
    counts: dict = {"sent": 0, "rest": 0, "control": 0, "crashed": 0, "500": 0, "unanswered": 0}  # type: ignore[type-arg]
    counts["statuses"] = collections.Counter()
    run = settings(max_examples=count // 2, database=None, deadline=None, phases=[Phase.generate])

    def record(host: str, port: int, request: FuzzRequest, what: str) -> None:
        answer = send(host, port, request)
        counts["sent"] += 1
        counts[what] += 1
        counts["statuses"][answer.status] += 1
        counts["crashed"] += answer.crashed
        counts["500"] += answer.status == 500
        counts["unanswered"] += answer.status is None

    @seed(chosen_seed)
    @run
    @given(request=rest_requests(exported["BINANCE_HARNESS_API_KEY"], exported["BINANCE_HARNESS_API_SECRET"]))
    def on_rest(request: FuzzRequest) -> None:
        record(rest.hostname or "", rest.port or 0, request, "rest")

    @seed(chosen_seed)
    @run
    @given(request=control_requests())
    def on_control(request: FuzzRequest) -> None:
        record(control.hostname or "", control.port or 0, request, "control")
        send(control.hostname or "", control.port or 0, FuzzRequest("DELETE", b"/v1/faults"))

    on_rest()
    on_control()
    time_answer = send(rest.hostname, rest.port, FuzzRequest("GET", b"/fapi/v1/time"))
    info = send(control.hostname, control.port, FuzzRequest("GET", b"/v1"))
    counts["alive"] = time_answer.status == 200 and info.status == 200
    return counts


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())
