"""Where the catalog, the reference client and the docs are, installed or in a checkout.

The repository keeps `scenarios/`, `clients/` and `docs/` at its top, where a reader (and
GitHub's links) expect them. A wheel cannot ship top-level folders as package data, so the
build copies them into `harness/_bundled/` (setup.py); an installed package finds them
there through importlib.resources. A source checkout, or an editable install of one, has no
`_bundled/` and reads the top-level folders themselves, so one lookup serves both.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

#: The folders the build copies into the package, each with the files of it that ship.
SHIPPED = {
    "scenarios": ("**/*.yaml",),
    # The reference client and what it imports (the spot client, the package marker).
    "clients": ("__init__.py", "reference_client.py", "reference_spot.py", "README.md"),
    "docs": ("*.md", "*.json"),
}

#: The checkout this module sits in, when it sits in one (harness/ next to scenarios/).
CHECKOUT = Path(__file__).resolve().parent.parent


def root() -> Path:
    """The folder holding scenarios/, clients/ and docs/: the package's copy, else the checkout."""
    packaged = files("harness").joinpath("_bundled")
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    return CHECKOUT


def is_checkout() -> bool:
    """Whether this runs from a clone of the repository rather than an installed wheel."""
    return root() == CHECKOUT and (CHECKOUT / "tasks.py").is_file()


def scenarios() -> Path:
    """The catalog: one folder per family."""
    return root() / "scenarios"


def reference_client() -> Path:
    return root() / "clients" / "reference_client.py"


def doc(name: str) -> Path:
    """A page of the documentation, e.g. doc("catalog.md"), where this installation has it."""
    return root() / "docs" / name
