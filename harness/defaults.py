"""Where the bundled clients and scenarios are, for defaults that work from a checkout."""

from __future__ import annotations

from pathlib import Path

#: The project checkout holding harness/, clients/ and scenarios/ side by side.
ROOT = Path(__file__).resolve().parent.parent
REFERENCE_CLIENT = ROOT / "clients" / "reference_client.py"
SCENARIOS = ROOT / "scenarios"


def default_client() -> str:
    """The bundled reference client, run by the harness's own Python."""
    if not REFERENCE_CLIENT.exists():
        raise SystemExit(
            "no --client given and the bundled reference client is not next to this "
            f'installation ({REFERENCE_CLIENT}); pass --client "CMD"'
        )
    return f'{{python}} "{REFERENCE_CLIENT}"'
