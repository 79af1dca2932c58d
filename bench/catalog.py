"""Catalog wall time at `--jobs 1` and at the default (`--jobs auto`), with verdicts compared.

The two runs are the claim of docs/scheduling.md: playing scenarios side by side changes the
wall time, never a verdict.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from harness import baseline

ROOT = Path(__file__).resolve().parent.parent
HARNESS = ROOT / ".venv" / "bin" / "binance-harness"


@dataclass
class CatalogWall:
    jobs1: float
    auto: float
    durations_sum: float
    longest: float
    same_verdicts: bool


def durations() -> list[float]:
    """Each scenario's wall time as `binance-harness list` gives it: its duration, or for a
    scenario at a time factor ("[87600 s at x600: 146 s wall]") its wall seconds."""
    listed = subprocess.run([HARNESS, "list"], capture_output=True, text=True, check=True).stdout
    found = re.findall(r"\[([\d.]+) s(?: at x[\d.]+: ([\d.]+) s wall)?\]", listed)
    return [float(wall or duration) for duration, wall in found]


def _timed_run(jobs: list[str], verdicts: Path) -> float:
    start = time.monotonic()
    subprocess.run(
        [HARNESS, "run", *jobs, "--write-baseline", verdicts], cwd=ROOT, capture_output=True, check=False
    )
    return time.monotonic() - start


def catalog_wall() -> CatalogWall:
    with tempfile.TemporaryDirectory(prefix="bench-catalog-") as tmp:
        one, auto = Path(tmp) / "jobs1.json", Path(tmp) / "auto.json"
        jobs1 = _timed_run(["--jobs", "1"], one)
        wall = _timed_run([], auto)
        same = baseline.read(one) == baseline.read(auto)
    spans = durations()
    return CatalogWall(jobs1, wall, sum(spans), max(spans, default=0.0), same)
