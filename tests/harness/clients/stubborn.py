"""A client the harness must still be able to end: it ignores SIGTERM, and so does the
grandchild it starts. It reports both pids on the FIFO named in STUBBORN_FIFO, then hangs.
With STUBBORN_CONTACT=1 it first makes one REST call, so its later death is not a setup error.
"""

import os
import signal
import subprocess
import sys
import urllib.request

signal.signal(signal.SIGTERM, signal.SIG_IGN)
if os.environ.get("STUBBORN_CONTACT") == "1":
    try:
        urllib.request.urlopen(os.environ["BINANCE_HARNESS_REST_URL"] + "/fapi/v1/ping", timeout=5)
    except OSError as exc:
        print(f"ping failed: {exc}", flush=True)
child = subprocess.Popen(
    [
        sys.executable,
        "-c",
        "import signal, threading; signal.signal(signal.SIGTERM, signal.SIG_IGN); threading.Event().wait()",
    ]
)
with open(os.environ["STUBBORN_FIFO"], "w") as fifo:
    fifo.write(f"{os.getpid()} {child.pid}\n")
print("hanging", flush=True)
signal.pause()
