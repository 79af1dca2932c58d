"""Typed parameter schemas: what a fault (or a scenario section) takes, declared once.

A fault is a frozen dataclass; each of its fields is one parameter, declared with `param()`:
its type (the annotation), its default, a one-line doc and its range. Everything that
reads or shows parameters derives from that one declaration:

- `decode` / `build` turn input into a dataclass, checking types and ranges as they go.
  The input's format is a `Reader`: the control API reads JSON values (`JsonReader`), the
  scenario loader reads YAML nodes, which keep their line numbers (harness/scenario_file.py).
  A refused value raises `ParamError` naming where it was (a node, a value), the dotted
  field path and why, so a file says file:line:field and the API a 400 with the field;
- `describe` gives the JSON description `GET /v1` serves, `binance-harness list` prints and
  docs/faults.md is generated from;
- `validate` re-checks a built object, so a fault made in Python is held to the same rules.
"""

from __future__ import annotations

import dataclasses
import math
import sys
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, Protocol, TypeVar, Union, cast, get_args, get_origin, get_type_hints

import orjson

from fake_server.suggest import did_you_mean, unknown

#: The metadata key under which `param()` stores a field's `Spec`.
SPEC = "param"
#: The integers a parameter may hold: a signed 64-bit field's, which is what JSON readers,
#: the wire and Binance's own fields carry; Python's unbounded ints would otherwise let a
#: value through that crashes only when it is sent.
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
_NONE_TYPE = type(None)

T = TypeVar("T")
V = TypeVar("V")


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


@dataclass(frozen=True)
class Param:
    """One parameter of a dataclass, resolved: name, type, whether required, declaration."""

    name: str
    type: Any
    required: bool
    spec: Spec | None
    field: dataclasses.Field[Any]

    @property
    def default(self) -> Any:
        if self.field.default is not dataclasses.MISSING:
            return self.field.default
        if self.field.default_factory is not dataclasses.MISSING:
            return self.field.default_factory()
        return None

    @property
    def doc(self) -> str:
        return self.spec.doc if self.spec is not None else ""


#: What resolving an annotation raises when it names something missing at run time.
_UNRESOLVABLE = (NameError, AttributeError, TypeError, SyntaxError)
_PARAMS: dict[type, dict[str, Param]] = {}


def params_of(cls: type) -> dict[str, Param]:
    """The parameters of dataclass `cls`, in constructor order, with resolved types.

    `get_type_hints` resolves the string annotations that `from __future__ import
    annotations` leaves. If one names something importable only under TYPE_CHECKING it
    fails for the whole class, so fall back to resolving field by field and accept any
    value for a field whose type cannot be resolved.
    """
    if cls in _PARAMS:
        return _PARAMS[cls]
    fields = parameters(cls)
    try:
        hints = get_type_hints(cls)
    except _UNRESOLVABLE:
        hints = {f.name: _resolve_one(cls, f) for f in fields}
    resolved = _PARAMS[cls] = {
        f.name: Param(
            f.name,
            hints.get(f.name, Any),
            f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
            spec_of(f),
            f,
        )
        for f in fields
    }
    return resolved


def _resolve_one(cls: type, f: dataclasses.Field[Any]) -> Any:
    if not isinstance(f.type, str):
        return f.type
    owner = next((c for c in cls.__mro__ if f.name in vars(c).get("__annotations__", {})), cls)
    module = sys.modules.get(owner.__module__)
    namespace = dict(vars(module)) if module is not None else {}
    try:
        # The annotation is source text the class's own author wrote, evaluated the way
        # typing.get_type_hints would, in the defining module's namespace.
        return eval(f.type, namespace, dict(vars(owner)))
    except _UNRESOLVABLE:
        return Any


# Ranges -------------------------------------------------------------------------------------


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
                assert bound is not None  # a bound that is None is always ok
                return spec.message or f"must be {words} {bound_words(bound)}, got {shown}"
    return spec.check(value) if spec.check is not None else None


def param_error(p: Param, value: Any) -> str | None:
    """What is wrong with `value` for parameter `p`: its declared range, and for a number of
    seconds without a declared lower bound, the rule every duration follows (never negative).

    The second rule is why `within: -5` is refused like `within: -5s`: a behaviour's Params
    declare no ranges, and a float parameter is always a count of seconds or a rate.
    """
    if p.spec is not None and (error := value_error(p.spec, value)):
        return error
    bounded = p.spec is not None and (p.spec.ge is not None or p.spec.gt is not None)
    if not bounded and isinstance(value, float) and value < 0:
        return f"must be at least 0 (a number of seconds or a rate), got {value:g}"
    return None


def validate(obj: Any) -> None:
    """Raise ValueError naming the first parameter of dataclass `obj` its declaration refuses."""
    for f in parameters(type(obj)):
        spec = spec_of(f)
        if spec is not None and (error := value_error(spec, getattr(obj, f.name))):
            raise ValueError(f"{f.name}: {error}")


# Decoding ------------------------------------------------------------------------------------


class ParamError(Exception):
    """A value refused while decoding: where it was (a reader's value), its field path, why."""

    def __init__(self, where: Any, field: str, message: str) -> None:
        super().__init__(field, message)
        self.where = where
        self.field = field
        self.message = message


class BeyondInt64(ParamError):
    """An integer no parameter may hold; `build` first words it by the field's own range."""

    def __init__(self, where: Any, field: str, number: int) -> None:
        digits = str(number)
        shown = digits if len(digits) <= 24 else f"{digits[:20]}... ({len(digits)} digits)"
        super().__init__(where, field, f"{shown} is beyond the 64-bit integers a parameter may hold")
        self.number = number


class Mismatch(Exception):
    """A value has the wrong shape for the type asked; `decode` words the message, so that
    `X | None` and nested types report the type the field declares ("an integer or null")."""

    def __init__(self, where: Any, detail: str = "") -> None:
        super().__init__(detail)
        self.where = where
        self.detail = detail


class Reader(Protocol[V]):
    """How one input format reads values (`V`: a JSON value, a YAML node)."""

    def is_null(self, value: V) -> bool: ...
    def scalar(self, tp: type, value: V, field: str) -> Any:
        """`value` as bool, int, float or str (`tp`); Mismatch if it is not one."""
        ...

    def literal(self, options: tuple[Any, ...], value: V) -> Any: ...
    def items(self, value: V) -> list[tuple[str, V, V]] | None:
        """(key, key's value, value) of a mapping, in order; None if it is not a mapping."""
        ...

    def sequence(self, value: V) -> list[V] | None: ...
    def plain(self, value: V) -> Any:
        """A value for a parameter typed Any."""
        ...

    def describe(self, value: V) -> str:
        """How the value reads to a person, for "expected X, got Y"."""
        ...

    def expected(self, tp: Any) -> str:
        """How a type reads to a person, for "expected X, got Y"."""
        ...


def join(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key


def decode(tp: Any, value: V, field: str, reader: Reader[V]) -> Any:
    """`value` as type `tp`, or a ParamError at `field`."""
    try:
        return _decode(tp, value, field, reader)
    except Mismatch as exc:
        got = reader.describe(exc.where)
        raise ParamError(
            exc.where, field or "<root>", f"expected {reader.expected(tp)}, got {got}{exc.detail}"
        ) from None


def _decode(tp: Any, value: V, field: str, reader: Reader[V]) -> Any:
    origin, args = get_origin(tp), get_args(tp)
    if tp is Any or tp is object:
        return reader.plain(value)
    if origin is Literal:
        return reader.literal(args, value)
    if origin is Union or origin is types.UnionType:
        if _NONE_TYPE in args and reader.is_null(value):
            return None
        members = [a for a in args if a is not _NONE_TYPE]
        if len(members) == 1:
            return _decode(members[0], value, field, reader)
        for member in members:
            try:
                return _decode(member, value, field, reader)
            except Mismatch:
                continue
        raise Mismatch(value)
    if tp in (bool, int, float, str):
        result = reader.scalar(tp, value, field)
        if tp is int and not INT_MIN <= result <= INT_MAX:
            raise BeyondInt64(value, field, result)
        return result
    if origin in (tuple, list) or tp in (tuple, list):
        return _sequence(origin or tp, args, value, field, reader)
    if origin is dict or tp is dict:
        items = reader.items(value)
        if items is None:
            raise Mismatch(value)
        key_tp, value_tp = args if args else (str, Any)
        return {
            decode(key_tp, key_value, field, reader): decode(value_tp, item, join(field, key), reader)
            for key, key_value, item in items
        }
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        items = reader.items(value)
        if items is None:
            raise Mismatch(value)
        what = f"{field!r}" if field else tp.__name__
        return build(tp, items, value, field, what, reader)
    raise TypeError(f"cannot decode a value of type {tp!r} (field {field})")


def _sequence(container: Any, args: tuple[Any, ...], value: V, field: str, reader: Reader[V]) -> Any:
    items = reader.sequence(value)
    if items is None:
        raise Mismatch(value)
    if container is tuple and args and not (len(args) == 2 and args[1] is Ellipsis):
        if len(items) != len(args):
            raise ParamError(value, field, f"expected a list of {len(args)} items, got {len(items)}")
        return tuple(decode(a, item, f"{field}[{i}]", reader) for i, (a, item) in enumerate(zip(args, items)))
    item_tp = args[0] if args else Any
    built = [decode(item_tp, item, f"{field}[{i}]", reader) for i, item in enumerate(items)]
    return tuple(built) if container is tuple else built


@dataclass(frozen=True)
class Wording(Generic[V]):
    """How `build` words what it refuses, where formats differ (a step vs a JSON request)."""

    #: What an unknown key is called: "field" (scenario files) or "parameter" (control API).
    noun: str = "field"
    #: Keys the surrounding mapping takes besides the parameters (a step's at/on/nth/fault),
    #: suggested and listed in messages.
    also: Sequence[str] = ()


def build(
    cls: type[T],
    items: Sequence[tuple[str, V, V]],
    where: V,
    field: str,
    what: str,
    reader: Reader[V],
    wording: Wording[V] | None = None,
) -> T:
    """Build dataclass `cls` from `items` (key, key's value, value) of the mapping `where`,
    checking each value's type and range where it stands."""
    wording = wording or Wording()
    params = params_of(cast("type[Any]", cls))
    kwargs: dict[str, Any] = {}
    for key, key_value, value in items:
        path = join(field, key)
        if key not in params:
            takes = ", ".join(params) if params else "no parameters"
            listing = f"{what} takes: {takes}"
            if wording.also:
                listing += f"; every step also takes: {', '.join(wording.also)}"
            message = unknown(
                f"unknown {wording.noun} {key!r} for {what}", key, [*params, *wording.also], listing
            )
            raise ParamError(key_value, path, message)
        p = params[key]
        try:
            kwargs[key] = decode(p.type, value, path, reader)
        except BeyondInt64 as exc:  # "must be at most 10000" says more than "beyond 64 bits"
            raise ParamError(value, path, param_error(p, exc.number) or exc.message) from None
        if error := param_error(p, kwargs[key]):
            raise ParamError(value, path, error)
    missing = [name for name, p in params.items() if p.required and name not in kwargs]
    if missing:
        message = f"missing required field {missing[0]!r} of {what}"
        if len(missing) > 1:
            message += f" (also missing: {', '.join(missing[1:])})"
        raise ParamError(where, join(field, missing[0]), message)
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        # A dataclass's own __post_init__ validation, reported at the mapping.
        raise ParamError(where, field or "<root>", f"invalid {what}: {exc}") from None


@dataclass(frozen=True)
class TypeWords:
    """How one audience words types: the scalars, a choice of values, a list, a mapping."""

    scalars: dict[type, str]
    choice: Callable[[tuple[Any, ...]], str]
    #: The words for a list, given the words for its items (None: items of any type).
    sequence: Callable[[Any], str]
    #: The words for a mapping, given its values' type (None: values of any type).
    mapping: Callable[[Any], str]
    null: str
    other: Callable[[Any], str] = repr


def words_for(tp: Any, words: TypeWords) -> str:
    """`tp` in `words` (Union members joined with "or", null last)."""
    origin, args = get_origin(tp), get_args(tp)
    if tp in words.scalars:
        return words.scalars[tp]
    if origin is Literal:
        return words.choice(args)
    if origin is Union or origin is types.UnionType:
        members = [words_for(a, words) for a in args if a is not _NONE_TYPE]
        return " or ".join(members + ([words.null] if _NONE_TYPE in args else []))
    if origin in (list, tuple) or tp in (list, tuple):
        return words.sequence(args[0] if args else None)
    if origin is dict or tp is dict:
        return words.mapping(args[1] if args else None)
    return words.other(tp)


#: How the control API words types in its errors (JSON's names).
JSON_WORDS = TypeWords(
    scalars={bool: "true or false", int: "an integer", float: "a number (seconds)", str: "a string"},
    choice=lambda args: "one of " + ", ".join(orjson.dumps(a).decode() for a in args),
    sequence=lambda item: "a list",
    mapping=lambda value: "an object",
    null="null",
    other=lambda tp: "an object" if dataclasses.is_dataclass(tp) else repr(tp),
)


class JsonReader:
    """Decoded JSON: numbers, strings, booleans and null arrive typed; no line numbers."""

    def is_null(self, value: Any) -> bool:
        return value is None

    def scalar(self, tp: type, value: Any, field: str) -> Any:
        if tp is bool and isinstance(value, bool):
            return value
        if tp is int and isinstance(value, int) and not isinstance(value, bool):
            return value
        if (
            tp is float
            and isinstance(value, int | float)
            and not isinstance(value, bool)
            and math.isfinite(value)
        ):
            return float(value)
        if tp is str and isinstance(value, str):
            return value
        raise Mismatch(value)

    def literal(self, options: tuple[Any, ...], value: Any) -> Any:
        for wanted in options:
            if type(wanted) is type(value) and wanted == value:
                return value
        words = [a for a in options if isinstance(a, str)]
        raise Mismatch(value, did_you_mean(value, words) if isinstance(value, str) else "")

    def items(self, value: Any) -> list[tuple[str, Any, Any]] | None:
        return [(k, k, v) for k, v in value.items()] if isinstance(value, dict) else None

    def sequence(self, value: Any) -> list[Any] | None:
        return value if isinstance(value, list) else None

    def plain(self, value: Any) -> Any:
        return value

    def describe(self, value: Any) -> str:
        if value is None:
            return "null"
        if isinstance(value, bool):
            return f"the boolean {str(value).lower()}"
        if isinstance(value, int | float):
            return f"the number {value}"
        if isinstance(value, str):
            shown = value if len(value) <= 60 else value[:57] + "..."
            return f"the string {shown!r}"
        if isinstance(value, list):
            return "a list"
        return "an object"

    def expected(self, tp: Any) -> str:
        return words_for(tp, JSON_WORDS)


# Describing ----------------------------------------------------------------------------------


def type_schema(tp: Any) -> dict[str, Any]:
    """A JSON description of a parameter type (a small JSON-Schema-like shape)."""
    origin, args = get_origin(tp), get_args(tp)
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is float:
        return {"type": "number", "unit": "seconds"}
    if tp is str:
        return {"type": "string"}
    if origin is Literal:
        kinds = {type(a) for a in args}
        base = {str: "string", int: "integer", bool: "boolean"}.get(next(iter(kinds)), "any")
        return {"type": base if len(kinds) == 1 else "any", "enum": list(args)}
    if origin is Union or origin is types.UnionType:
        members = [type_schema(a) for a in args if a is not _NONE_TYPE]
        schema = members[0] if len(members) == 1 else {"one_of": members}
        return {**schema, "nullable": True} if _NONE_TYPE in args else schema
    if origin in (list, tuple) or tp in (list, tuple):
        return {"type": "array", "items": type_schema(args[0]) if args else {"type": "any"}}
    if origin is dict or tp is dict:
        return {"type": "object", "values": type_schema(args[1]) if args else {"type": "any"}}
    return {"type": "any"}


def describe(cls: type) -> dict[str, Any]:
    """Each parameter of `cls`: its type, whether required, its default and, when declared,
    its range (`minimum`, `exclusive_minimum`, `maximum`)."""
    out: dict[str, Any] = {}
    for name, p in params_of(cls).items():
        entry = {**type_schema(p.type), "required": p.required, "default": p.default}
        if p.spec is not None:
            for key, bound in (
                ("minimum", p.spec.ge),
                ("exclusive_minimum", p.spec.gt),
                ("maximum", p.spec.le),
            ):
                if bound is not None:
                    entry[key] = bound
        out[name] = entry
    return out


def docs_of(cls: type) -> dict[str, str]:
    """The one-line doc of each parameter of `cls` ("" where none is declared)."""
    return {name: p.doc for name, p in params_of(cls).items()}


def first_line(doc: str | None) -> str:
    """The first line of a docstring: what a listing shows."""
    return (doc or "").strip().splitlines()[0] if (doc or "").strip() else ""


#: How listings (`binance-harness list`, docs/faults.md) word types: short.
SHORT_WORDS = TypeWords(
    scalars={bool: "true/false", int: "integer", float: "seconds", str: "text"},
    choice=lambda args: " | ".join(str(a) for a in args),
    sequence=lambda item: "list" if item is None else f"list of {type_words(item)}",
    mapping=lambda value: "mapping" if value is None else f"mapping of {type_words(value)}",
    null="none",
    other=lambda tp: "any",
)


def type_words(tp: Any) -> str:
    """A parameter type in a few words, for listings: `integer`, `fin | rst`, `seconds or none`."""
    return words_for(tp, SHORT_WORDS)


def bound_words(bound: float) -> str:
    """A range's bound as people write it: 1000000 rather than 1e+06, 0.5 as is."""
    return str(int(bound)) if float(bound).is_integer() else format(bound, "g")


def range_words(spec: Spec | None) -> str:
    """A declared numeric range in a few words (`>= 1`, `> 0`), or ""."""
    if spec is None:
        return ""
    parts = [
        f"{op} {bound_words(bound)}"
        for op, bound in ((">=", spec.ge), (">", spec.gt), ("<=", spec.le))
        if bound is not None
    ]
    return ", ".join(parts)


def default_words(p: Param) -> str:
    if p.required:
        return "required"
    value = p.default
    if value is None:
        return "none"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)
