"""The defaults that need the bundled files: the catalog and the reference client."""

from __future__ import annotations

from harness import bundled

#: The project checkout holding harness/, clients/ and scenarios/ side by side (the tests' root).
ROOT = bundled.CHECKOUT
REFERENCE_CLIENT = bundled.reference_client()
SCENARIOS = bundled.scenarios()


def default_client() -> str:
    """The bundled reference client, run by the harness's own Python."""
    if not REFERENCE_CLIENT.exists():
        raise SystemExit(
            "no --client given and the bundled reference client is not next to this "
            f'installation ({REFERENCE_CLIENT}); pass --client "CMD"'
        )
    return f'{{python}} "{REFERENCE_CLIENT}"'
