"""Faults: one server action at one layer, one small registered object per file.

Like Toxiproxy's toxics: each fault is a module of this package (`close.py`, `http_error.py`,
...) holding one frozen dataclass whose fields are its parameters, each declared once with
its type, default, range and a one-line doc (`fake_server.schema.param`); the parameters
many faults share (`target`, `times`, `lasting`) come from the mixins of `common.py`. A
fault acts only through the narrow `FaultTarget` of `target.py`. `load_all` imports every
module here, so adding a fault is one file (plus its test), with no list to edit.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar

from fake_server.journal_entries import FaultDescription, FaultEntry
from fake_server.schema import validate

if TYPE_CHECKING:
    from fake_server.faults.target import FaultTarget

Layer = Literal["tcp", "websocket", "http", "binance", "payload"]
#: The fake's layers, outermost first, with their titles: how `binance-harness list` and
#: docs/faults.md group the faults.
LAYERS: tuple[tuple[Layer, str], ...] = (
    ("tcp", "TCP: the transport (Toxiproxy's toxics)"),
    ("http", "HTTP: REST answers and the upgrade"),
    ("websocket", "WebSocket: frames, closes and handshakes"),
    ("binance", "Binance: the exchange's own rules and lifecycle"),
    ("payload", "Payload: the events on the stream"),
)

FAULTS: dict[str, type[Fault]] = {}

F = TypeVar("F", bound="type[Fault]")


@dataclass(frozen=True)
class Fault:
    """Base of all faults. `apply` acts on the running fake; it must not block."""

    name: ClassVar[str]
    layer: ClassVar[Layer]
    #: Whether the fault ends (or kills) the connections it hits, so a client must replace them.
    ends_connection: ClassVar[bool] = False
    #: The public fault tool's fault it mirrors (a Toxiproxy toxic, a WireMock fault, an
    #: Autobahn case family), as docs/faults.md names it; empty when it mirrors none.
    mirrors: ClassVar[str] = ""
    #: The products whose fake it acts on; None: every product. A fault outside this set
    #: would do nothing (a spot WebSocket API subscription does not exist on USD-M), so a
    #: generated schedule (harness/search) never draws it there.
    profiles: ClassVar[frozenset[str] | None] = None
    #: Whether a correct client may stop for good after it (Binance refusing the client's
    #: location): a search's quiet period cannot ask such a client to be connected again.
    final: ClassVar[bool] = False

    def holds_for(self) -> float:
        """Seconds one message it acts on may keep the connection busy after the fault stops
        (0: none): a message it started sending goes on to its end, and what the fake writes
        next waits behind it. A generated schedule keeps this inside its fault window too."""
        return 0.0

    def __init_subclass__(
        cls,
        *,
        name: str | None = None,
        layer: Layer | None = None,
        ends_connection: bool | None = None,
        mirrors: str | None = None,
        profiles: frozenset[str] | None = None,
        final: bool | None = None,
        **kwargs: Any,
    ) -> None:
        """A fault says what it is in its class line: `class Close(Fault, name="close",
        layer="websocket", ends_connection=True)`. (Setting the class variables works too.)"""
        super().__init_subclass__(**kwargs)
        if name is not None:
            cls.name = name
        if layer is not None:
            cls.layer = layer
        if ends_connection is not None:
            cls.ends_connection = ends_connection
        if mirrors is not None:
            cls.mirrors = mirrors
        if profiles is not None:
            cls.profiles = profiles
        if final is not None:
            cls.final = final

    def __post_init__(self) -> None:
        validate(self)
        self.check()

    def check(self) -> None:
        """Rules between parameters; raise ValueError. (A parameter's own range is declared
        with it and checked before this.)"""

    def apply(self, fake: FaultTarget) -> list[int]:
        """Fire the fault; return the ids of the connections it touched (may be empty)."""
        raise NotImplementedError

    def describe(self) -> FaultDescription:
        return FaultDescription(
            name=self.name,
            layer=self.layer,
            ends_connection=self.ends_connection,
            params=dataclasses.asdict(self),
        )

    def entry(
        self,
        conns: list[int],
        *,
        step: int | None,
        line: int | None,
        source: Literal["control"] | None = None,
    ) -> FaultEntry:
        """Its journal entry, having touched `conns`: fired by scenario step `step` (at file line
        `line`), or by the control API (`source`, with no step)."""
        what = self.describe()
        entry = FaultEntry(
            kind="fault",
            name=what["name"],
            layer=what["layer"],
            ends_connection=what["ends_connection"],
            params=what["params"],
            conns=conns,
            step=step,
            line=line,
        )
        if source is not None:
            entry["source"] = source
        return entry


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
