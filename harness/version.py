"""The installed distribution's version, for `binance-harness --version` and bug reports."""

from __future__ import annotations

from importlib import metadata

DISTRIBUTION = "binance-stream-harness"


def version() -> str:
    """The version pip installed; a checkout that was never installed says so instead of failing."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown (not installed: run `python3 tasks.py setup`)"
