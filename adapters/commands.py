"""The SDK adapters and the command line that puts each under the harness.

One entry per adapter: its name (a matrix column, ``binance-harness matrix --client
NAME=CMD``), its command (paths relative to the checkout root), the SDK and version it pins,
and the Binance products (``profile:`` of a scenario) it speaks. All three adapters speak
USD-M futures only: a scenario of another profile (``spot``, ``coinm``, ``pm``) plays them
against a server that does not serve ``/fapi``, so their verdicts there say nothing about
the SDK.

Install what they need first: ``python3 adapters/install.py``.

``python3 adapters/commands.py`` prints ``NAME=CMD`` lines with absolute paths, one per
adapter, ready for ``--client``; ``--relative`` prints them relative to the checkout root
(for a harness started there), and names select adapters. ``--max-time-factor`` prints
``NAME=N`` lines instead, for ``binance-harness matrix --max-time-factor``: the ceilings of
the adapters that have one.
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Adapter:
    name: str
    argv: tuple[str, ...]  # an element with a "/" is a path relative to ROOT
    sdk: str
    language: str
    profiles: tuple[str, ...]
    #: The most a time-factor scenario may compress the SDK's clock (`binance-harness
    #: --max-time-factor`): its own timeouts, which no option reaches, run that fast too, and
    #: above this factor one lasted too little wall time for a loopback call plus the SDK's CPU
    #: work (docs/time-factor.md has the runs). None: no ceiling found necessary.
    max_time_factor: int | None = None

    @property
    def folder(self) -> Path:
        """Where the adapter lives (its program, its lock file, what install.py installs)."""
        return ROOT / "adapters" / self.name

    def command(self, root: Path | None = ROOT) -> str:
        """The shell-quoted command line; paths made absolute under `root` (None: relative)."""
        parts = [str(root / a) if root is not None and "/" in a else a for a in self.argv]
        return shlex.join(parts)


ADAPTERS: dict[str, Adapter] = {
    a.name: a
    for a in (
        Adapter(
            name="node-binance",
            argv=("node", "adapters/node-binance/adapter.mjs"),
            sdk="binance (npm, tiagosiebler/sieblyio) 3.6.5",
            language="Node.js",
            profiles=("usdm",),
        ),
        Adapter(
            name="python-binance",
            argv=("adapters/python-binance/.venv/bin/python", "adapters/python-binance/adapter.py"),
            sdk="python-binance (PyPI, sammchardy) 1.0.37",
            language="Python",
            profiles=("usdm",),
            # Its own 10 s timeouts (`TIMEOUT`, `binance/ws/reconnecting_websocket.py:49`) last
            # 10 ms of wall time at x1000 and 17 ms at x600: it exited with TimeoutError before
            # opening its stream at both when other clients started beside it; at x100 it
            # passed every time (docs/time-factor.md).
            max_time_factor=100,
        ),
        Adapter(
            name="python-ccxt",
            argv=("adapters/python-ccxt/.venv/bin/python", "adapters/python-ccxt/adapter.py"),
            sdk="ccxt (PyPI, ccxt.pro binanceusdm) 4.5.84",
            language="Python",
            profiles=("usdm",),
        ),
        Adapter(
            name="node-ccxt",
            argv=("node", "adapters/node-ccxt/adapter.mjs"),
            sdk="ccxt (npm, ccxt.pro binanceusdm) 4.5.84",
            language="Node.js",
            profiles=("usdm",),
        ),
        Adapter(
            name="python-binance-official",
            argv=(
                "adapters/python-binance-official/.venv/bin/python",
                "adapters/python-binance-official/adapter.py",
            ),
            sdk="binance-sdk-derivatives-trading-usds-futures (PyPI, Binance) 18.1.0",
            language="Python",
            profiles=("usdm",),
            # Its REST timeout, 1000 ms (`binance_common/configuration.py:37`), lasts 1.7 ms of
            # wall time at x600: "Read timed out" in three runs of reconnect/outage-hours;
            # none at x120 or x60 (docs/time-factor.md).
            max_time_factor=60,
        ),
        Adapter(
            name="node-binance-official",
            argv=("node", "adapters/node-binance-official/adapter.mjs"),
            sdk="@binance/derivatives-trading-usds-futures (npm, Binance) 38.1.1",
            language="Node.js",
            profiles=("usdm",),
            # Its REST timeout, 1000 ms as in the Python SDK (`@binance/common`
            # `dist/index.mjs:672`), lasts 1 ms of wall time at x1000 and 1.7 ms at x600: its
            # listenKey POST failed with "Network error or request timeout" in all four
            # time-factor scenarios of a matrix run; at x60 none timed out (docs/time-factor.md).
            max_time_factor=60,
        ),
        Adapter(
            name="node-forum",
            argv=("node", "adapters/node-forum/forum.mjs"),
            sdk="the forum thread's bot on ws 8.23.0 + axios 1.21.1",
            language="Node.js",
            profiles=("usdm",),
        ),
    )
}


def command(name: str, *, relative: bool = False) -> str:
    """The command line of adapter `name` (KeyError if there is none)."""
    return ADAPTERS[name].command(None if relative else ROOT)


def main(argv: list[str]) -> int:
    relative = "--relative" in argv
    ceilings = "--max-time-factor" in argv
    names = [a for a in argv if a not in ("--relative", "--max-time-factor")] or list(ADAPTERS)
    unknown = [n for n in names if n not in ADAPTERS]
    if unknown:
        print(f"unknown adapter(s): {', '.join(unknown)}; known: {', '.join(ADAPTERS)}", file=sys.stderr)
        return 2
    for name in names:
        if not ceilings:
            print(f"{name}={command(name, relative=relative)}")
        elif (ceiling := ADAPTERS[name].max_time_factor) is not None:
            print(f"{name}={ceiling}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
