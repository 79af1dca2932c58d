"""Which faults a search may draw: the registry, filtered by what each fault declares.

A fault says which products it acts on (`Fault.profiles`) and whether a correct client may
stop for good after it (`Fault.final`): neither belongs in a schedule whose quiet period
asks the client to be connected again. Everything else registered is on the menu, so a
new fault is searched the moment it exists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fake_server.faults import Fault
from fake_server.suggest import unknown


class MenuError(ValueError):
    """A `--faults` choice the search cannot use, with why."""


def applies(cls: type[Fault], profile: str) -> bool:
    return cls.profiles is None or profile in cls.profiles


def fault_menu(
    faults: Mapping[str, type[Fault]], profile: str, chosen: Sequence[str] = ()
) -> list[type[Fault]]:
    """The faults a schedule for `profile` draws from: `chosen` (checked), or all that apply."""
    if not chosen:
        return [cls for name, cls in sorted(faults.items()) if applies(cls, profile) and not cls.final]
    menu = []
    for name in chosen:
        if name not in faults:
            raise MenuError(
                unknown(f"unknown fault {name!r}", name, faults, f"faults: {', '.join(sorted(faults))}")
            )
        cls = faults[name]
        if not applies(cls, profile):
            raise MenuError(
                f"fault {name!r} acts on {', '.join(sorted(cls.profiles or ()))} only, not {profile}"
            )
        if cls.final:
            raise MenuError(
                f"fault {name!r} may end a correct client for good, so no quiet period can judge its recovery"
            )
        menu.append(cls)
    return menu
