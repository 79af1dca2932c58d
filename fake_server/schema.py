"""Typed parameter schemas: what a fault (or a scenario section) takes, declared once.

A fault is a frozen dataclass; each of its fields is one parameter, declared with `param()`:
its type (the annotation), its default, a one-line doc and its range. Everything that
reads or shows parameters derives from that one declaration: the scenario loader
(harness/scenario_file.py), the control API (fake_server/fronts/control_api.py),
`binance-harness list` and the generated docs/faults.md.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: The metadata key under which `param()` stores a field's `Spec`.
SPEC = "param"


@dataclass(frozen=True)
class Spec:
    """What a parameter's declaration adds to its type and default."""

    doc: str
    #: Inclusive lower and upper bounds of a number.
    ge: float | None = None
    le: float | None = None
    #: Exclusive lower bound of a number ("longer than 0s").
    gt: float | None = None
    #: A further rule: the value -> an error message, or None when it is fine.
    check: Callable[[Any], str | None] | None = None
    #: The message for a value out of range, instead of the generic one.
    message: str | None = None


def param(
    default: Any = dataclasses.MISSING,
    *,
    doc: str,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    check: Callable[[Any], str | None] | None = None,
    message: str | None = None,
    factory: Callable[[], Any] | None = None,
    kw_only: bool = False,
) -> Any:
    """A dataclass field that is a documented, range-checked parameter."""
    spec = Spec(doc, ge=ge, le=le, gt=gt, check=check, message=message)
    if factory is not None:
        return field(default_factory=factory, kw_only=kw_only, metadata={SPEC: spec})
    return field(default=default, kw_only=kw_only, metadata={SPEC: spec})


def parameters(cls: type) -> list[dataclasses.Field[Any]]:
    """The init fields of dataclass `cls` in the order its constructor takes them: positional
    ones first, then keyword-only ones (the common parameters faults inherit)."""
    fields = [f for f in dataclasses.fields(cls) if f.init]
    return sorted(fields, key=lambda f: f.kw_only is True)


def spec_of(f: dataclasses.Field[Any]) -> Spec | None:
    spec = f.metadata.get(SPEC)
    return spec if isinstance(spec, Spec) else None


def value_error(spec: Spec, value: Any) -> str | None:
    """What is wrong with `value` for a parameter declared with `spec`, or None.

    Ranges apply to numbers only (None, for "no limit", passes); `check` sees every value
    but None.
    """
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        for bound, ok, words in (
            (spec.ge, spec.ge is None or value >= spec.ge, "at least"),
            (spec.gt, spec.gt is None or value > spec.gt, "more than"),
            (spec.le, spec.le is None or value <= spec.le, "at most"),
        ):
            if not ok:
                return spec.message or f"must be {words} {bound:g}, got {shown}"
    return spec.check(value) if spec.check is not None else None


def validate(obj: Any) -> None:
    """Raise ValueError naming the first parameter of dataclass `obj` its declaration refuses."""
    for f in parameters(type(obj)):
        spec = spec_of(f)
        if spec is not None and (error := value_error(spec, getattr(obj, f.name))):
            raise ValueError(f"{f.name}: {error}")
