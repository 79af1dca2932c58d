"""Load scenario files (YAML) into the `harness.scenario` model, with errors that name
file, line and field.

A scenario file is written by hand, often by someone chasing a forum report, so every
mistake must point at the line to fix and, for a misspelling, at the word meant. That is
why this loader composes the YAML into nodes (which keep their line numbers) and builds
the model from the nodes itself, instead of loading plain dicts and losing the lines.

Format (also in docs/scenario-format.md)::

    name: drop-1006            # optional; defaults to the file stem; a safe folder name
    family: drops              # required
    description: >             # required
      The server aborts TCP without a close frame; the client sees 1006.
    source:                    # required, non-empty list of strings: public reports
      - binance/binance-connector-python#180        #   ("owner/repo#N", URLs,
      - C1 drop-1006-no-close-frame                 #   failure-modes.md ids)
    tags: [forum]              # optional list of strings
    profile: usdm              # optional: usdm (default), coinm, pm, spot
    duration: 8s               # required, > 0: how long the run lasts
    timers:                    # optional; any field of harness.scenario.Timers, each > 0
      listen_key_ttl: 60m
      ping_interval: 1s
    events:                    # optional; fields of harness.scenario.EventFlow
      rate: 2                  #   fills per second, 0 to 100
    client_env:                # optional mapping of strings to strings
      FOO: bar
    tls: false                 # optional: serve https/wss with a throwaway CA
    steps:                     # optional list of faults to fire
      - at: 1.5s               # optional, default 0; >= 0 and < duration
        on: ws_open            # optional trigger (harness.scenario.TRIGGERS), default start
        nth: 1                 # optional, >= 1 (and 1 when on: start)
        fault: close           # required: a registered fault name
        code: 1001             # every other key is a field of that fault
        reason: going away
    expect:                    # required, non-empty: behaviour id -> its Params fields
      reconnects-after-drop: {within: 5s}
      no-event-lost:           # null or {} means the behaviour's defaults

Typing rules, applied to every dataclass the loader builds (Timers, EventFlow, faults,
behaviour Params), from the fields' type hints:

- ``float`` (or ``float | None``) fields take a number of seconds *or* a duration string
  (``250ms``, ``1.5s``, ``3m``, ``1h``; see `harness.durations`). Every float field is
  duration-aware, including non-durations such as ``rate``: simple beats clever here.
- ``int`` fields take integers only; ``true``/``false`` and ``1.0`` are refused.
- ``str`` fields take any scalar as written (``on``, ``yes`` and ``1001`` stay text):
  YAML 1.1 would otherwise turn ``reason: off`` into False. Mapping keys are always
  taken as written too, which is what lets a step say ``on: ws_open``.
- ``bool``, ``Literal[...]``, ``X | None``, ``tuple[X, ...]``, ``list[X]``,
  ``dict[str, X]`` and nested dataclasses are supported; ``ClassVar`` and ``init=False``
  fields are not parameters.

- a bare number in a float field follows the duration rules (never negative unless the
  field declares its own lower bound); an int is at most 64 bits; a number written with
  colons (YAML 1.1's base 60: ``1:30`` is 90) is refused where a number is read.

Duplicate keys, merge keys (``<<``), custom tags and multi-document files are errors, and
so is a scalar its tag cannot read (``!!int 5s``) or a number of more than 100 digits. The
file itself is bounded (harness/bounded_yaml.py): its size, its nesting and how far its
aliases expand, so no file stalls or crashes the loader.
List indices in field paths are 0-based: ``steps[0].code`` is the first step's code.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields
from pathlib import Path
from typing import (
    Any,
    TypeVar,
)

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from fake_server.exchange.settings import MAX_TICKS_PER_SECOND
from fake_server.faults import Fault
from fake_server.schema import (
    Mismatch,
    ParamError,
    TypeWords,
    Wording,
    build,
    decode,
    join,
    param_error,
    params_of,
    words_for,
)
from fake_server.suggest import did_you_mean, unknown
from harness.behaviours import BEHAVIOURS, is_deadline
from harness.bounded_yaml import YamlLimitError, compose_bounded
from harness.durations import format_duration, parse_duration
from harness.run_folder import SAFE_NAME
from harness.scenario import EventFlow, Expectation, Scenario, Step, Timers
from harness.time_factor import deadlines, pace_refusal, refusal

__all__ = [
    "ScenarioError",
    "build_dataclass",
    "default_registries",
    "load_scenario",
    "load_scenarios",
]

T = TypeVar("T")

_TAG = "tag:yaml.org,2002:"
NULL, BOOL, INT, FLOAT, STR = (_TAG + t for t in ("null", "bool", "int", "float", "str"))
_SCALAR_TAGS = {NULL, BOOL, INT, FLOAT, STR, _TAG + "timestamp"}
_MERGE = _TAG + "merge"
_NONE_TYPE = type(None)

#: The top-level keys, in the order the docs list them.
_TOP_KEYS = (
    "name",
    "family",
    "description",
    "source",
    "tags",
    "profile",
    "duration",
    "timers",
    "events",
    "client_env",
    "tls",
    "generated",
    "time_factor",
    "steps",
    "expect",
)
_TOP_REQUIRED = ("family", "description", "source", "duration", "expect")
#: Optional sections that may be left empty (``steps:`` with nothing under it).
_NULLABLE_SECTIONS = ("tags", "timers", "events", "client_env", "steps")
#: Keys of a step that are not fault parameters.
_STEP_KEYS = ("at", "on", "nth", "fault")

# Only scalar-constructing methods are used; they keep no state between calls.
_SCALARS = SafeConstructor()
#: The longest number the loader reads as one: Python refuses to convert more than 4,300
#: digits, and no parameter needs more than 20.
_MAX_DIGITS = 100
_CONSTRUCT = {
    NULL: _SCALARS.construct_yaml_null,
    BOOL: _SCALARS.construct_yaml_bool,
    INT: _SCALARS.construct_yaml_int,
    FLOAT: _SCALARS.construct_yaml_float,
    STR: _SCALARS.construct_yaml_str,
    _TAG + "timestamp": _SCALARS.construct_yaml_timestamp,
}
_KIND = {BOOL: "a boolean", INT: "an integer", FLOAT: "a number", _TAG + "timestamp": "a timestamp"}


class ScenarioError(Exception):
    """A scenario file is unusable: where (file, 1-based line, dotted field) and why.

    The runner reports it as an ERROR (a setup problem), never as a FAIL of the client.
    """

    def __init__(self, path: Path, line: int, field: str, message: str) -> None:
        # Passing every attribute to Exception keeps the error picklable (pytest-xdist).
        super().__init__(path, line, field, message)
        self.path = path
        self.line = line
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


def load_scenario(
    path: Path,
    *,
    faults: Mapping[str, type[Fault]],
    behaviours: Mapping[str, type[Any]],
) -> Scenario:
    """Read, validate and build the scenario in `path`.

    `faults` maps fault names to fault classes, `behaviours` maps behaviour ids to their
    Params dataclasses. They are arguments, not the global registries, so the loader can
    be tested with small fakes; `default_registries()` gives the real ones.
    """
    return _Loader(Path(path), faults, behaviours).load()[0]


def load_scenarios(
    paths: Iterable[Path],
    *,
    faults: Mapping[str, type[Fault]],
    behaviours: Mapping[str, type[Any]],
) -> list[Scenario]:
    """Load several files, refusing two scenarios with the same name.

    Names identify scenarios in test ids and reports, so a clash would make two results
    indistinguishable; the error points at the second file.
    """
    seen: dict[str, Path] = {}
    result: list[Scenario] = []
    for path in paths:
        scenario, name_line = _Loader(Path(path), faults, behaviours).load()
        if scenario.name in seen:
            raise ScenarioError(
                Path(path),
                name_line,
                "name",
                f"scenario name {scenario.name!r} is already used by {seen[scenario.name]}",
            )
        seen[scenario.name] = Path(path)
        result.append(scenario)
    return result


def default_registries() -> tuple[dict[str, type[Fault]], dict[str, type[Any]]]:
    """The registered faults and behaviours' Params, in the shape `load_scenario` takes.

    Imported lazily so that loading this module does not import every fault and check.
    """
    from fake_server.faults import load_all as load_faults
    from harness.behaviours import load_all as load_behaviours

    return dict(load_faults()), {id: b.params for id, b in load_behaviours().items()}


def build_dataclass(cls: type[T], node: Node, *, path: Path, field: str = "") -> T:
    """Build dataclass `cls` from a composed YAML mapping `node`, by its fields' hints.

    Errors are ScenarioErrors naming `path`, the offending node's line and the dotted
    field path under `field`. Useful for any other YAML that holds parameters.
    """
    loader = _Loader(path, {}, {})
    loader.check_tree(node, field)
    return loader.value(cls, node, field)  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------- internals


def _lasting(step: Step) -> float:
    """How long a step's fault acts after it fires (`lasting`), 0 for a one-off or a count."""
    lasting = getattr(step.fault, "lasting", None)
    return float(lasting) if isinstance(lasting, int | float) else 0.0


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


_join = join


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == NULL


def _unreadable(node: ScalarNode) -> str | None:
    """Why the scalar's tag cannot make a value of its text (`!!int 5s`), or None.

    Checked for every scalar before anything is built, so that building never meets a value
    PyYAML would raise on (ValueError, KeyError, AttributeError) and every such error has a line.
    """
    if node.tag in (INT, FLOAT) and sum(c.isdigit() for c in node.value) > _MAX_DIGITS:
        return (
            f"a number of {sum(c.isdigit() for c in node.value):,} digits is more than the "
            f"{_MAX_DIGITS} a value may have; quote it if you meant text"
        )
    try:
        _CONSTRUCT[node.tag](node)
    except (ValueError, KeyError, AttributeError, TypeError, OverflowError):
        shown = node.value if len(node.value) <= 40 else node.value[:37] + "..."
        return f"{shown!r} is not {_KIND.get(node.tag, 'a value of its tag')} (its tag is {node.tag.removeprefix(_TAG)})"
    return None


def _scalar(node: ScalarNode) -> Any:
    """The value PyYAML reads in a scalar, once `_unreadable` has passed it."""
    return _CONSTRUCT[node.tag](node)


def _base_60(node: Node, field: str) -> None:
    """Refuse a number written with colons: YAML 1.1 reads `1:30` in base 60, as 90."""
    if isinstance(node, ScalarNode) and node.tag in (INT, FLOAT) and ":" in node.value:
        read = _scalar(node)
        raise ParamError(
            node,
            field,
            f"{node.value} is a YAML 1.1 base-60 number ({read:g}), not a time of day or minutes:seconds; "
            f"write {read:g} (or {format_duration(float(read))} for a duration) if that is what you meant",
        )


_PLURAL = {
    int: "integers",
    float: "numbers or durations",
    str: "strings",
    bool: "booleans",
}


class _YamlReader:
    """Composed YAML nodes for the shared decoder (fake_server/schema.py), by the typing
    rules of this module's docstring; nodes keep the line an error must name."""

    def is_null(self, node: Node) -> bool:
        return _is_null(node)

    def scalar(self, tp: type, node: Node, field: str) -> Any:
        if tp is bool and isinstance(node, ScalarNode) and node.tag == BOOL:
            return _scalar(node)
        if tp is int and isinstance(node, ScalarNode) and node.tag == INT:
            _base_60(node, field)
            return _scalar(node)
        if tp is float:
            return self.number(node, field)
        if tp is str and isinstance(node, ScalarNode) and node.tag != NULL:
            return str(node.value)
        raise Mismatch(node)

    def number(self, node: Node, field: str) -> float:
        if isinstance(node, ScalarNode) and node.tag in (INT, FLOAT):
            _base_60(node, field)
            value = float(_scalar(node))
            if not math.isfinite(value):
                raise ParamError(node, field, f"expected a finite number, got {node.value}")
            return value
        if isinstance(node, ScalarNode) and node.tag == STR:
            try:
                return parse_duration(str(node.value))
            except ValueError as exc:
                raise ParamError(node, field, str(exc)) from None
        raise Mismatch(node)

    def literal(self, values: tuple[Any, ...], node: Node) -> Any:
        if not isinstance(node, ScalarNode) or node.tag == NULL:
            raise Mismatch(node)
        for wanted in values:
            if isinstance(wanted, bool):
                if node.tag == BOOL and _scalar(node) == wanted:
                    return wanted
            elif isinstance(wanted, int):
                if node.tag == INT and _scalar(node) == wanted:
                    return wanted
            elif isinstance(wanted, str) and node.value == wanted:
                return wanted
        words = [v for v in values if isinstance(v, str)]
        raise Mismatch(node, did_you_mean(str(node.value), words))

    def items(self, node: Node) -> list[tuple[str, Node, Node]] | None:
        return [(k, v, n) for k, v, n in _Loader.items(node)] if isinstance(node, MappingNode) else None

    def sequence(self, node: Node) -> list[Node] | None:
        return list(node.value) if isinstance(node, SequenceNode) else None

    def plain(self, node: Node) -> Any:
        """A field typed Any: plain Python values, keys as written."""
        if isinstance(node, MappingNode):
            return {key: self.plain(value) for key, _, value in _Loader.items(node)}
        if isinstance(node, SequenceNode):
            return [self.plain(item) for item in node.value]
        assert isinstance(node, ScalarNode)
        if node.tag in (NULL, BOOL, INT, FLOAT):
            return _scalar(node)
        return str(node.value)

    def describe(self, node: Node) -> str:
        """How a node reads to a person, for "expected X, got Y"."""
        if isinstance(node, MappingNode):
            return "a mapping"
        if isinstance(node, SequenceNode):
            return "a list"
        value = str(node.value)
        if node.tag == NULL:
            return "nothing (null)"
        if node.tag == BOOL:
            return f"the boolean {value}"
        if node.tag == INT:
            return f"the integer {value}"
        if node.tag == FLOAT:
            return f"the number {value}"
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"the string {shown!r}"

    def expected(self, tp: Any) -> str:
        """How a type reads to a person, for "expected X, got Y"."""
        return words_for(tp, _YAML_WORDS)


def _plural(tp: Any, noun: str) -> str:
    return f"{noun} of {_PLURAL[tp]}" if tp in _PLURAL else noun


#: How scenario files word types in their errors (YAML's names, durations for floats).
_YAML_WORDS = TypeWords(
    scalars={
        int: "an integer",
        float: "a number of seconds or a duration (e.g. 250ms, 1.5s, 3m)",
        str: "a string",
        bool: "true or false",
    },
    choice=lambda args: "one of " + ", ".join(repr(a) for a in args),
    sequence=lambda item: _plural(item, "a list"),
    mapping=lambda value: _plural(value, "a mapping of strings to") if value in _PLURAL else "a mapping",
    null="null",
    other=lambda tp: (
        f"a mapping of {getattr(tp, '__name__', tp)} fields" if dataclasses.is_dataclass(tp) else repr(tp)
    ),
)


_YAML = _YamlReader()
_describe = _YAML.describe


class _Loader:
    """One file's worth of loading: holds the path every error must name."""

    def __init__(
        self,
        path: Path,
        faults: Mapping[str, type[Fault]],
        behaviours: Mapping[str, type[Any]],
    ) -> None:
        self.path = path
        self.faults = faults
        self.behaviours = behaviours
        #: (behaviour, field) -> the node of its value ("" field: the behaviour's id), so a
        #: rule checked once the whole file is read can still name the line.
        self.expect_nodes: dict[tuple[str, str], Node] = {}

    def error(self, where: Node | int, field: str, message: str) -> ScenarioError:
        line = where if isinstance(where, int) else _line(where)
        return ScenarioError(self.path, line, field, message)

    # ---- reading and structural checks

    def compose(self) -> Node | None:
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise self.error(1, "<file>", f"cannot read the scenario file: {exc.strerror or exc}") from None
        try:
            return compose_bounded(data)
        except YamlLimitError as exc:
            line = int(exc.problem_mark.line) + 1 if exc.problem_mark is not None else 1
            raise self.error(line, "<yaml>", str(exc.problem)) from None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = int(mark.line) + 1 if mark is not None else 1
            message = f"invalid YAML: {exc.problem or exc.context}"
            if exc.context and exc.problem and exc.context_mark is not None:
                message += f" ({exc.context} at line {int(exc.context_mark.line) + 1})"
            raise self.error(line, "<yaml>", message) from None
        except yaml.YAMLError as exc:
            # ReaderError (bad bytes) has a position but no mark; there is no better line.
            raise self.error(1, "<yaml>", f"invalid YAML: {exc}") from None

    def check_tree(self, node: Node, field: str, active: frozenset[int] = frozenset()) -> None:
        """Refuse what PyYAML would accept silently: duplicate keys (it keeps the last),
        merge keys (not a YAML 1.2 feature and they hide lines), unknown tags, cycles."""
        if id(node) in active:
            raise self.error(node, field or "<root>", "an alias refers to a node that contains it")
        active = active | {id(node)}
        if isinstance(node, MappingNode | SequenceNode):
            kind = "map" if isinstance(node, MappingNode) else "seq"
            if node.tag != _TAG + kind:
                raise self.error(node, field or "<root>", f"unsupported YAML tag {node.tag!r}")
        if isinstance(node, MappingNode):
            seen: dict[str, Node] = {}
            for key, value in node.value:
                if not isinstance(key, ScalarNode) or key.tag == NULL:
                    raise self.error(key, field or "<root>", "mapping keys must be plain words")
                name = str(key.value)
                if key.tag == _MERGE:
                    raise self.error(
                        key,
                        field or "<root>",
                        "merge keys (<<) are not supported; write the keys out",
                    )
                if name in seen:
                    raise self.error(
                        key,
                        _join(field, name),
                        f"duplicate key {name!r} (first at line {_line(seen[name])}); "
                        "YAML would silently keep only the last one",
                    )
                seen[name] = key
                self.check_tree(value, _join(field, name), active)
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                self.check_tree(item, f"{field}[{index}]", active)
        elif node.tag not in _SCALAR_TAGS:
            raise self.error(node, field or "<root>", f"unsupported YAML tag {node.tag!r}")
        elif isinstance(node, ScalarNode) and (problem := _unreadable(node)):
            raise self.error(node, field or "<root>", problem)

    @staticmethod
    def items(node: MappingNode) -> list[tuple[str, ScalarNode, Node]]:
        """(key as written, key node, value node), in file order. Keys are taken as
        their source text so that `on:` stays "on" instead of YAML 1.1's True."""
        return [(str(k.value), k, v) for k, v in node.value]

    # ---- typed values, through the shared decoder (fake_server/schema.py)

    def located(self, exc: ParamError) -> ScenarioError:
        """A decoding error at the line of the node it names."""
        return self.error(exc.where, exc.field, exc.message)

    def value(self, tp: Any, node: Node, field: str) -> Any:
        """Build a value of type `tp` from `node`, or raise a ScenarioError at its line."""
        try:
            return decode(tp, node, field, _YAML)
        except ParamError as exc:
            raise self.located(exc) from None

    def param(self, cls: type, name: str, node: Node, field: str) -> Any:
        """Parameter `name` of dataclass `cls` from `node`: its type, then its declared range."""
        p = params_of(cls)[name]
        value = self.value(p.type, node, field)
        if error := param_error(p, value):
            raise self.error(node, field, error)
        return value

    def dataclass(
        self,
        cls: type[T],
        items: Sequence[tuple[str, ScalarNode, Node]],
        node: Node,
        field: str,
        what: str,
        also: Sequence[str] = (),
    ) -> T:
        """Build `cls` from `items` (key, key node, value node) of the mapping `node`.

        `also` names keys that the surrounding mapping accepts besides the fields (a
        step's at/on/nth/fault): they are offered as suggestions and listed in messages.
        """
        try:
            return build(cls, items, node, field, what, _YAML, Wording(also=also))
        except ParamError as exc:
            raise self.located(exc) from None

    # ---- the scenario itself

    def load(self) -> tuple[Scenario, int]:
        """The scenario and the line of its name (for clashes found across files)."""
        root = self.compose()
        if root is None or _is_null(root):
            raise self.error(
                1,
                "<root>",
                "the file is empty; a scenario needs at least " + ", ".join(_TOP_REQUIRED),
            )
        if not isinstance(root, MappingNode):
            raise self.error(
                root,
                "<root>",
                f"the top level must be a mapping of scenario fields, got {_describe(root)}",
            )
        self.check_tree(root, "")

        values: dict[str, Any] = {}
        nodes: dict[str, Node] = {}
        steps: list[tuple[Step, Node]] = []
        for key, key_node, node in self.items(root):
            if key not in _TOP_KEYS:
                raise self.error(
                    key_node,
                    key,
                    unknown(
                        f"unknown field {key!r}",
                        key,
                        _TOP_KEYS,
                        f"a scenario takes: {', '.join(_TOP_KEYS)}",
                    ),
                )
            nodes[key] = key_node
            if key in _NULLABLE_SECTIONS and _is_null(node):
                continue
            if key == "steps":
                steps = self.steps(node)
            elif key == "expect":
                values[key] = self.expect(node, key_node)
            else:
                values[key] = self.param(Scenario, key, node, key)
                self.check_top(key, values[key], node)
        for key in _TOP_REQUIRED:
            if key not in nodes:
                raise self.error(root, key, f"missing required field {key!r}")

        duration = float(values["duration"])
        for index, (step, at_node) in enumerate(steps):
            # Checked here, not in `step`, because `duration` may come later in the file.
            if step.at >= duration:
                raise self.error(
                    at_node,
                    f"steps[{index}].at",
                    f"the step would never fire: at {format_duration(step.at)} is not before the end "
                    f"of the run (duration: {format_duration(duration)})",
                )

        scenario = Scenario(
            name=values.get("name", self.path.stem),
            family=values["family"],
            # A folded block (`>`) ends with a newline that is not part of the text.
            description=values["description"].strip(),
            source=values["source"],
            duration=duration,
            expect=values["expect"],
            steps=tuple(step for step, _ in steps),
            profile=values.get("profile", "usdm"),
            timers=values.get("timers", Timers()),
            events=values.get("events", EventFlow()),
            tags=values.get("tags", ()),
            tls=values.get("tls", False),
            client_env=values.get("client_env", {}),
            generated=values.get("generated"),
            time_factor=values.get("time_factor", 1),
            path=self.path,
        )
        self.check_deadlines_fit(scenario)
        if "time_factor" in nodes:
            self.check_time_factor(scenario, nodes["time_factor"])
        return scenario, _line(nodes["name"]) if "name" in nodes else 1

    def check_top(self, key: str, value: Any, node: Node) -> None:
        """Rules the types and the declared ranges do not say."""
        if key == "duration" and value <= 0:
            raise self.error(node, key, "the run must last longer than 0s")
        if key in ("name", "family", "description") and not str(value).strip():
            raise self.error(node, key, "must not be empty")
        if key == "name" and not SAFE_NAME.fullmatch(value):
            raise self.error(
                node,
                key,
                f"{_describe(node)} cannot name a run folder: a scenario name is made of letters, digits, "
                "'.', '_' and '-', starts with a letter or a digit and has at most 100 characters",
            )
        if key == "source":
            if not value:
                raise self.error(
                    node,
                    key,
                    "list at least one public report this scenario reproduces",
                )
            for index, (text, item) in enumerate(zip(value, node.value)):
                if not text.strip():
                    raise self.error(item, f"source[{index}]", "must not be empty")

    def steps(self, node: Node) -> list[tuple[Step, Node]]:
        if not isinstance(node, SequenceNode):
            raise self.error(node, "steps", f"expected a list of steps, got {_describe(node)}")
        return [self.step(item, f"steps[{index}]") for index, item in enumerate(node.value)]

    def step(self, node: Node, field: str) -> tuple[Step, Node]:
        """The step, and the node to blame if its `at` turns out to be too late."""
        if not isinstance(node, MappingNode):
            raise self.error(
                node,
                field,
                f"expected a step (a mapping with at, on, nth, fault and the fault's fields), got {_describe(node)}",
            )
        items = self.items(node)
        own = {key: (key_node, value) for key, key_node, value in items if key in _STEP_KEYS}
        if "fault" not in own:
            raise self.error(
                node,
                _join(field, "fault"),
                "missing required field 'fault' (the name of the fault to fire)",
            )
        fault_node = own["fault"][1]
        if not isinstance(fault_node, ScalarNode) or fault_node.tag == NULL:
            raise self.error(
                fault_node,
                _join(field, "fault"),
                f"expected a fault name, got {_describe(fault_node)}",
            )
        fault_name = str(fault_node.value)
        if fault_name not in self.faults:
            known = ", ".join(sorted(self.faults)) or "none are registered"
            raise self.error(
                fault_node,
                _join(field, "fault"),
                unknown(
                    f"unknown fault {fault_name!r}",
                    fault_name,
                    self.faults,
                    f"known faults: {known}",
                ),
            )
        kwargs: dict[str, Any] = {}
        for key in ("at", "on", "nth"):
            if key in own:
                kwargs[key] = self.param(Step, key, own[key][1], _join(field, key))
        if "nth" in kwargs:
            nth_node = own["nth"][1]
            if kwargs["nth"] > 1 and kwargs.get("on", "start") == "start":
                raise self.error(
                    nth_node,
                    _join(field, "nth"),
                    "the run starts once, so with on: start nth must be 1",
                )
        fault_items = [item for item in items if item[0] not in _STEP_KEYS]
        fault = self.dataclass(
            self.faults[fault_name],
            fault_items,
            node,
            field,
            f"fault {fault_name!r}",
            also=_STEP_KEYS,
        )
        at_node = own["at"][1] if "at" in own else node
        return Step(fault=fault, line=_line(node), **kwargs), at_node

    def expect(self, node: Node, key_node: Node) -> tuple[Expectation, ...]:
        if _is_null(node) or (isinstance(node, MappingNode) and not node.value):
            raise self.error(key_node, "expect", "name at least one behaviour this scenario judges")
        if not isinstance(node, MappingNode):
            raise self.error(
                node,
                "expect",
                f"expected a mapping of behaviour ids to their parameters, got {_describe(node)}",
            )
        result: list[Expectation] = []
        for behaviour, id_node, params_node in self.items(node):
            field = f"expect.{behaviour}"
            if behaviour not in self.behaviours:
                known = ", ".join(sorted(self.behaviours)) or "none are registered"
                raise self.error(
                    id_node,
                    field,
                    unknown(
                        f"unknown behaviour {behaviour!r}",
                        behaviour,
                        self.behaviours,
                        f"known behaviours: {known}",
                    ),
                )
            if _is_null(params_node):
                items: list[tuple[str, ScalarNode, Node]] = []
                where: Node = id_node
            elif isinstance(params_node, MappingNode):
                items, where = self.items(params_node), params_node
            else:
                raise self.error(
                    params_node,
                    field,
                    f"expected a mapping of the behaviour's parameters (or nothing), got {_describe(params_node)}",
                )
            params = self.dataclass(
                self.behaviours[behaviour],
                items,
                where,
                field,
                f"behaviour {behaviour!r}",
            )
            result.append(Expectation(behaviour=behaviour, params=params, line=_line(id_node)))
            for name, _, value_node in items:
                self.expect_nodes[(behaviour, name)] = value_node
            self.expect_nodes[(behaviour, "")] = id_node
        return tuple(result)

    def check_time_factor(self, scenario: Scenario, key_node: Node) -> None:
        """Refuse a factor at which the tightest deadline is too short in wall time to judge
        (harness/time_factor.py), at the line of `time_factor`, naming one that would work.
        Also refuse an account that would push more than the fake's cap per wall second."""
        factor = scenario.time_factor
        for expectation in scenario.expect:
            if why := pace_refusal(factor, expectation.behaviour):
                raise self.error(
                    self.expect_nodes[(expectation.behaviour, "")], f"expect.{expectation.behaviour}", why
                )
        tightest = min(
            deadlines(scenario.expect, scenario.timers, scenario.profile),
            key=lambda d: d.seconds,
            default=None,
        )
        if tightest is not None:
            given = (
                (tightest.behaviour, tightest.name) in self.expect_nodes
                if tightest.behaviour
                else getattr(scenario.timers, tightest.name) != getattr(Timers(), tightest.name)
            )
            if why := refusal(factor, tightest, given):
                raise self.error(key_node, "time_factor", why)
        for name in ("rate", "market_rate"):
            rate = float(getattr(scenario.events, name))
            if rate * factor > MAX_TICKS_PER_SECOND:
                raise self.error(
                    key_node,
                    "time_factor",
                    f"events.{name} {rate:g} per Binance second at time_factor {factor} is "
                    f"{rate * factor:g} per wall second, above the fake's {MAX_TICKS_PER_SECOND:g}: "
                    f"lower events.{name} to at most {MAX_TICKS_PER_SECOND / factor:g}",
                )

    def check_deadlines_fit(self, scenario: Scenario) -> None:
        """Refuse a deadline that cannot end inside the run.

        A check whose deadline outlives the run can only call a slow client "too late to
        judge", never FAIL it. The bound is the earliest the situation can arise: the last
        step's `at` for deadlines counted from a fault, its `at` plus `lasting` for those
        counted from the server's recovery (`Behaviour.deadline_from`). The client's own
        steps after its first contact (a key, a connection, a subscription) come on top: the
        run's duration counts from that contact, not from them, so leave a margin beyond this bound.
        """
        starts = [step.at for step in scenario.steps]
        ends = [step.at + _lasting(step) for step in scenario.steps]
        for expectation in scenario.expect:
            registered = BEHAVIOURS.get(expectation.behaviour)
            from_recovery = registered is not None and registered.deadline_from == "recovery"
            anchors = ends if from_recovery else starts
            last = max(anchors, default=0.0)
            for f in fields(expectation.params):  # type: ignore[arg-type]
                value = getattr(expectation.params, f.name)
                if (
                    not is_deadline(f.name)
                    or not isinstance(value, int | float)
                    or last + value <= scenario.duration
                ):
                    continue
                node = self.expect_nodes.get((expectation.behaviour, f.name))
                given = "" if node is not None else " (its default)"
                after = (
                    f"counted from {format_duration(last)} (steps[{anchors.index(last)}] "
                    + ("stops acting" if from_recovery else "fires")
                    + ")"
                    if anchors
                    else "counted from the start"
                )
                raise self.error(
                    node or self.expect_nodes[(expectation.behaviour, "")],
                    f"expect.{expectation.behaviour}.{f.name}",
                    f"the deadline {format_duration(value)}{given} cannot end inside the run: {after}, "
                    f"it ends at {format_duration(last + value)}, after the run's end "
                    f"(duration: {format_duration(scenario.duration)}); lengthen the duration or "
                    "shorten the deadline",
                )
