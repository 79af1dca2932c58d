"""Faults: one server action at one layer, as small registered objects.

Like Toxiproxy's toxics, each fault family lives in its own module and registers its
faults here by name, so the scenario loader can validate a step against the fault's own
fields and the control surfaces (scenario files, `serve`, tests) share one vocabulary.
A fault is a frozen dataclass: its fields are its parameters, documented in its class.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal, TypeVar

if TYPE_CHECKING:
    from fake_server.faults.target import FaultTarget

Layer = Literal["tcp", "websocket", "http", "binance", "payload"]

FAULTS: dict[str, type[Fault]] = {}

F = TypeVar("F", bound="type[Fault]")


@dataclass(frozen=True)
class Fault:
    """Base of all faults. `apply` acts on the running fake; it must not block."""

    name: ClassVar[str]
    layer: ClassVar[Layer]
    #: Whether the fault ends (or kills) the connections it hits, so a client must replace them.
    ends_connection: ClassVar[bool] = False

    def apply(self, fake: FaultTarget) -> list[int]:
        """Fire the fault; return the ids of the connections it touched (may be empty)."""
        raise NotImplementedError

    def describe(self) -> dict[str, object]:
        from dataclasses import asdict

        return {
            "name": self.name,
            "layer": self.layer,
            "ends_connection": self.ends_connection,
            "params": asdict(self),
        }


def register(cls: F) -> F:
    if cls.name in FAULTS:
        raise ValueError(f"fault {cls.name!r} registered twice")
    FAULTS[cls.name] = cls
    return cls


def load_all() -> dict[str, type[Fault]]:
    """Import every fault family (each module of this package) so that all faults are registered."""
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    return FAULTS
