"""The scenario file loader: what it builds, and where it points when a file is wrong.

The registries here are small fakes, so these tests do not depend on the real faults and
behaviours (which other modules define) and can exercise every supported field type.
"""

from __future__ import annotations

import pickle
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal

import pytest
import yaml

from fake_server.faults import Fault, Layer
from harness.scenario import EventFlow, Expectation, Scenario, Step, Timers
from harness.scenario_file import (
    ScenarioError,
    build_dataclass,
    load_scenario,
    load_scenarios,
)

if TYPE_CHECKING:
    from decimal import Decimal  # only for the unresolvable-annotation test


# ------------------------------------------------------------------ fake registries


@dataclass(frozen=True)
class Close(Fault):
    name: ClassVar[str] = "close"
    layer: ClassVar[Layer] = "websocket"

    code: int = 1000
    reason: str = ""


@dataclass(frozen=True)
class HttpError(Fault):
    name: ClassVar[str] = "http_error"
    layer: ClassVar[Layer] = "http"

    route: str
    status: int
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    times: list[int] = field(default_factory=list)
    methods: tuple[str, ...] = ("GET",)


@dataclass(frozen=True)
class Blackhole(Fault):
    name: ClassVar[str] = "blackhole"
    layer: ClassVar[Layer] = "tcp"

    def __post_init__(self) -> None:
        pass


@dataclass(frozen=True)
class Throttle(Fault):
    name: ClassVar[str] = "throttle"
    layer: ClassVar[Layer] = "tcp"

    bytes_per_second: int = 100

    def __post_init__(self) -> None:
        if self.bytes_per_second > 10_000:
            raise ValueError("bytes_per_second is capped at 10000")


FAULTS: dict[str, type[Fault]] = {
    "close": Close,
    "http_error": HttpError,
    "blackhole": Blackhole,
    "throttle": Throttle,
}


@dataclass(frozen=True)
class ReconnectParams:
    within: float = 10.0


@dataclass(frozen=True)
class NoParams:
    pass


@dataclass(frozen=True)
class BackoffParams:
    min_delay: float | None = None
    mode: Literal["strict", "lenient"] = "strict"
    strict: bool = False
    attempts: int = 3


@dataclass(frozen=True)
class Window:
    start: float
    end: float = 60.0


@dataclass(frozen=True)
class Nested:
    window: Window
    counts: list[int] = field(default_factory=list)
    pair: tuple[int, str] = (0, "")
    labels: dict[str, str] = field(default_factory=dict)
    anything: object = None
    later: Decimal | None = None  # only importable under TYPE_CHECKING


BEHAVIOURS: dict[str, type] = {
    "reconnects-after-drop": ReconnectParams,
    "no-event-lost": NoParams,
    "backs-off": BackoffParams,
}

# --------------------------------------------------------------------------- helpers

#: A valid scenario; error tests break one line of it.
BASE = """\
name: drop-1006
family: drops
description: >
  The server aborts TCP without a close frame.
source:
  - binance/binance-connector-python#180
duration: 8s
steps:
  - at: 1.5s
    on: ws_open
    fault: close
    code: 1001
    reason: going away
expect:
  reconnects-after-drop: {within: 5s}
  no-event-lost:
"""


def write(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def load(path: Path) -> Scenario:
    return load_scenario(path, faults=FAULTS, behaviours=BEHAVIOURS)


def error(tmp_path: Path, text: str) -> ScenarioError:
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load(path)
    assert info.value.path == path
    assert str(info.value) == f"{path}:{info.value.line}: {info.value.field}: {info.value.message}"
    return info.value


def line_of(text: str, fragment: str) -> int:
    """1-based line of the only line of `text` containing `fragment`."""
    lines = [n for n, line in enumerate(text.splitlines(), 1) if fragment in line]
    assert len(lines) == 1, (fragment, lines)
    return lines[0]


def broken(old: str, new: str) -> str:
    assert old in BASE
    return BASE.replace(old, new, 1)


# ------------------------------------------------------------------------ happy path


def test_every_field(tmp_path: Path) -> None:
    text = """\
        name: http-404-body
        family: http
        description: >
          The keepalive answers 404 and the client must print the body.
        source:
          - binance/binance-connector-python#180
          - https://dev.binance.vision/t/example/1
          - C1 drop-1006-no-close-frame
        tags: [forum, "1006"]
        profile: usdm
        duration: 2m
        timers:
          listen_key_ttl: 60m
          ping_interval: 1s
          pong_timeout: 2500ms
          connection_life: 24h
          keepalive_interval: 30
          client_ping_interval: 1.5
        events:
          rate: 0
          symbol: ETHUSDT
          seed: 7
        client_env:
          FOO: bar
          RETRIES: 3
          FLAG: yes
        steps:
          - fault: blackhole
          - at: 1.5s
            on: ws_open
            nth: 2
            fault: close
            code: 1001
            reason: off
          - at: 250ms
            on: keepalive
            fault: http_error
            route: /fapi/v1/listenKey
            status: 404
            body: '{"code":-1125,"msg":"This listenKey does not exist."}'
            headers: {Retry-After: 5}
            delay: 0.5
            times: [1, 2]
            methods: [PUT, POST]
        expect:
          reconnects-after-drop: {within: 5s}
          no-event-lost:
          backs-off:
            min_delay: 1s
            mode: lenient
            strict: true
            attempts: 4
        """
    path = write(tmp_path, text)
    scenario = load(path)
    lines = textwrap.dedent(text)
    assert scenario == Scenario(
        name="http-404-body",
        family="http",
        description="The keepalive answers 404 and the client must print the body.",
        source=(
            "binance/binance-connector-python#180",
            "https://dev.binance.vision/t/example/1",
            "C1 drop-1006-no-close-frame",
        ),
        tags=("forum", "1006"),
        profile="usdm",
        duration=120.0,
        timers=Timers(
            listen_key_ttl=3600.0,
            ping_interval=1.0,
            pong_timeout=2.5,
            connection_life=86400.0,
            keepalive_interval=30.0,
            client_ping_interval=1.5,
        ),
        events=EventFlow(rate=0.0, symbol="ETHUSDT", seed=7),
        client_env={"FOO": "bar", "RETRIES": "3", "FLAG": "yes"},
        steps=(
            Step(fault=Blackhole(), line=line_of(lines, "fault: blackhole")),
            Step(
                fault=Close(code=1001, reason="off"),
                at=1.5,
                on="ws_open",
                nth=2,
                line=line_of(lines, "at: 1.5s"),
            ),
            Step(
                fault=HttpError(
                    route="/fapi/v1/listenKey",
                    status=404,
                    body='{"code":-1125,"msg":"This listenKey does not exist."}',
                    headers={"Retry-After": "5"},
                    delay=0.5,
                    times=[1, 2],
                    methods=("PUT", "POST"),
                ),
                at=0.25,
                on="keepalive",
                line=line_of(lines, "at: 250ms"),
            ),
        ),
        expect=(
            Expectation(
                "reconnects-after-drop",
                ReconnectParams(within=5.0),
                line_of(lines, "reconnects-after-drop"),
            ),
            Expectation("no-event-lost", NoParams(), line_of(lines, "no-event-lost")),
            Expectation(
                "backs-off",
                BackoffParams(min_delay=1.0, mode="lenient", strict=True, attempts=4),
                line_of(lines, "backs-off"),
            ),
        ),
        path=path,
    )
    # Types, not just equal values: the model promises tuples and floats.
    assert isinstance(scenario.steps[0].fault, Blackhole)
    assert isinstance(scenario.timers.keepalive_interval, float)


def test_defaults_and_name_from_the_file_stem(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        family: drops
        description: Minimal.
        source: [C1]
        duration: 3
        steps:
        tags:
        expect:
          no-event-lost: {}
        """,
        name="drop-minimal.yaml",
    )
    scenario = load(path)
    assert scenario.name == "drop-minimal"
    assert scenario.duration == 3.0
    assert scenario.steps == ()
    assert scenario.tags == ()
    assert scenario.timers == Timers()
    assert scenario.events == EventFlow()
    assert scenario.client_env == {}
    assert scenario.profile == "usdm"
    assert scenario.expect == (Expectation("no-event-lost", NoParams(), 8),)


def test_optional_float_takes_null(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "timers:\n  keepalive_interval: null\n")
    assert load(path).timers.keepalive_interval is None


def test_load_scenarios_refuses_two_scenarios_with_one_name(tmp_path: Path) -> None:
    first = write(tmp_path, BASE, "a.yaml")
    second = write(tmp_path, BASE, "b.yaml")
    third = write(tmp_path, BASE.replace("name: drop-1006\n", ""), "c.yaml")
    scenarios = load_scenarios([first, third], faults=FAULTS, behaviours=BEHAVIOURS)
    assert [s.name for s in scenarios] == ["drop-1006", "c"]
    with pytest.raises(ScenarioError) as info:
        load_scenarios([first, second], faults=FAULTS, behaviours=BEHAVIOURS)
    assert (info.value.path, info.value.line, info.value.field) == (second, 1, "name")
    assert f"already used by {first}" in info.value.message


def test_scenario_error_format_and_pickling() -> None:
    exc = ScenarioError(Path("s.yaml"), 12, "steps[0].code", "expected an integer")
    assert str(exc) == "s.yaml:12: steps[0].code: expected an integer"
    copy = pickle.loads(pickle.dumps(exc))
    assert (copy.path, copy.line, copy.field, copy.message) == (
        exc.path,
        12,
        "steps[0].code",
        exc.message,
    )
    assert str(copy) == str(exc)


# ------------------------------------------------------------ one test per error class


def test_typo_in_a_fault_parameter(tmp_path: Path) -> None:
    text = broken("code: 1001", "cod: 1001")
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "cod:"), "steps[0].cod")
    assert "unknown field 'cod' for fault 'close'; did you mean 'code'?" in exc.message
    assert "fault 'close' takes: code, reason" in exc.message
    assert "every step also takes: at, on, nth, fault" in exc.message


def test_typo_in_a_step_key(tmp_path: Path) -> None:
    text = broken("    on: ws_open", "    onn: ws_open")
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "onn:"), "steps[0].onn")
    assert "did you mean 'on'?" in exc.message


def test_unknown_fault(tmp_path: Path) -> None:
    text = broken("fault: close", "fault: clsoe")
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "clsoe"), "steps[0].fault")
    assert "unknown fault 'clsoe'; did you mean 'close'?" in exc.message
    assert "known faults: blackhole, close, http_error, throttle" in exc.message


def test_unknown_behaviour(tmp_path: Path) -> None:
    text = broken("reconnects-after-drop:", "reconnect-after-drop:")
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (
        line_of(text, "reconnect-after-drop"),
        "expect.reconnect-after-drop",
    )
    assert "unknown behaviour 'reconnect-after-drop'; did you mean 'reconnects-after-drop'?" in exc.message


def test_unknown_behaviour_parameter(tmp_path: Path) -> None:
    text = broken("{within: 5s}", "{witin: 5s}")
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (
        line_of(text, "witin"),
        "expect.reconnects-after-drop.witin",
    )
    assert "did you mean 'within'?" in exc.message


def test_unknown_trigger(tmp_path: Path) -> None:
    text = broken("on: ws_open", "on: ws_opne")
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "ws_opne"), "steps[0].on")
    assert "expected one of 'start', 'ws_open'" in exc.message
    assert "got the string 'ws_opne'; did you mean 'ws_open'?" in exc.message


def test_unknown_top_level_key(tmp_path: Path) -> None:
    text = broken("duration: 8s", "duraton: 8s")
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "duraton"), "duraton")
    assert "did you mean 'duration'?" in exc.message


def test_unknown_timer(tmp_path: Path) -> None:
    text = BASE + "timers:\n  ping_intervl: 1s\n"
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (
        line_of(text, "ping_intervl"),
        "timers.ping_intervl",
    )
    assert "did you mean 'ping_interval'?" in exc.message


def test_bad_duration(tmp_path: Path) -> None:
    text = broken("duration: 8s", "duration: 8 sec")
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "duration"), "duration")
    assert "invalid duration '8 sec'" in exc.message
    assert "did you mean '8s'?" in exc.message


def test_bad_duration_in_a_flow_mapping(tmp_path: Path) -> None:
    text = broken("{within: 5s}", "{within: 5 lightyears}")
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (
        line_of(text, "lightyears"),
        "expect.reconnects-after-drop.within",
    )
    assert "unknown unit 'lightyears'" in exc.message


def test_missing_required_top_level_field(tmp_path: Path) -> None:
    text = broken("family: drops\n", "")
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (1, "family")
    assert exc.message == "missing required field 'family'"


def test_missing_required_fault_field(tmp_path: Path) -> None:
    text = broken("fault: close\n    code: 1001\n    reason: going away\n", "fault: http_error\n")
    exc = error(tmp_path, text)
    # Reported at the step (the mapping that lacks it), naming the field.
    assert (exc.line, exc.field) == (line_of(text, "at: 1.5s"), "steps[0].route")
    assert "missing required field 'route' of fault 'http_error' (also missing: status)" in exc.message


def test_missing_fault_name(tmp_path: Path) -> None:
    text = broken("    fault: close\n", "")
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "at: 1.5s"), "steps[0].fault")
    assert "missing required field 'fault'" in exc.message


def test_wrong_type(tmp_path: Path) -> None:
    text = broken("code: 1001", "code: abc")
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "code: abc"), "steps[0].code")
    assert exc.message == "expected an integer, got the string 'abc'"


def test_wrong_type_in_a_list_item(tmp_path: Path) -> None:
    text = broken("  - binance/binance-connector-python#180", "  - [nested]")
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "[nested]"), "source[0]")
    assert exc.message == "expected a string, got a list"


def test_wrong_shape_for_a_list(tmp_path: Path) -> None:
    text = broken("source:\n  - binance/binance-connector-python#180", "source: C1")
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "source: C1"), "source")
    assert exc.message == "expected a list of strings, got the string 'C1'"


def test_bool_for_an_int(tmp_path: Path) -> None:
    text = broken("code: 1001", "code: true")
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "code: true"), "steps[0].code")
    assert exc.message == "expected an integer, got the boolean true"


def test_float_for_an_int(tmp_path: Path) -> None:
    text = broken("code: 1001", "code: 1001.0")
    exc = error(tmp_path, text)
    assert exc.message == "expected an integer, got the number 1001.0"


def test_bool_for_a_float(tmp_path: Path) -> None:
    text = broken("{within: 5s}", "{within: yes}")
    exc = error(tmp_path, text)
    assert exc.field == "expect.reconnects-after-drop.within"
    assert "expected a number of seconds or a duration" in exc.message
    assert "got the boolean yes" in exc.message


def test_optional_type_names_null(tmp_path: Path) -> None:
    text = BASE + "timers:\n  keepalive_interval: [1]\n"
    exc = error(tmp_path, text)
    assert exc.field == "timers.keepalive_interval"
    assert exc.message.endswith("or null, got a list")


def test_duplicate_key(tmp_path: Path) -> None:
    text = broken("duration: 8s\n", "duration: 8s\nduration: 9s\n")
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "duration: 9s"), "duration")
    assert f"duplicate key 'duration' (first at line {line_of(text, 'duration: 8s')})" in exc.message


def test_duplicate_key_in_a_step(tmp_path: Path) -> None:
    text = broken("    reason: going away\n", "    reason: going away\n    code: 1002\n")
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "code: 1002"), "steps[0].code")
    assert "duplicate key 'code'" in exc.message


def test_yaml_syntax_error(tmp_path: Path) -> None:
    text = broken("    reason: going away", "    reason: going: away")
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "going: away"), "<yaml>")
    assert "invalid YAML: mapping values are not allowed here" in exc.message


def test_yaml_syntax_error_unclosed_flow(tmp_path: Path) -> None:
    text = broken("{within: 5s}", "{within: 5s")
    exc = error(tmp_path, text)
    assert exc.field == "<yaml>"
    assert exc.line == line_of(text, "no-event-lost")
    assert "while parsing a flow mapping at line" in exc.message


def test_step_at_not_before_the_end(tmp_path: Path) -> None:
    text = broken("at: 1.5s", "at: 8s")
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "at: 8s"), "steps[0].at")
    assert exc.message == "the step would never fire: at 8s is not before the end of the run (duration: 8s)"


def test_step_at_checked_against_a_later_duration(tmp_path: Path) -> None:
    # `duration` after `steps` in the file must still be checked.
    text = broken("duration: 8s\n", "").replace("  no-event-lost:\n", "  no-event-lost:\nduration: 1s\n")
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "at: 1.5s"), "steps[0].at")


def test_negative_at(tmp_path: Path) -> None:
    text = broken("at: 1.5s", "at: -1")
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "at: -1"), "steps[0].at")
    assert "at must be >= 0" in exc.message


def test_nth(tmp_path: Path) -> None:
    text = broken("    on: ws_open\n", "    on: ws_open\n    nth: 0\n")
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "nth: 0"), "steps[0].nth")
    assert "from 1" in exc.message
    text = broken("    on: ws_open\n", "    nth: 2\n")
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "nth: 2"), "steps[0].nth")
    assert "the run starts once" in exc.message


def test_duration_must_be_positive(tmp_path: Path) -> None:
    text = broken("duration: 8s", "duration: 0s")
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "duration: 0s"), "duration")
    assert "longer than 0s" in exc.message


def test_negative_rate_and_zero_timer(tmp_path: Path) -> None:
    text = BASE + "events:\n  rate: -1\n"
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "rate: -1"), "events.rate")
    text = BASE + "timers:\n  ping_interval: 0\n"
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (
        line_of(text, "ping_interval: 0"),
        "timers.ping_interval",
    )


def test_source_and_expect_must_not_be_empty(tmp_path: Path) -> None:
    text = broken("source:\n  - binance/binance-connector-python#180", "source: []")
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "source: []"), "source")
    text = BASE.split("expect:")[0] + "expect:\n"
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "expect:"), "expect")
    assert "at least one behaviour" in exc.message


def test_profile_is_checked(tmp_path: Path) -> None:
    text = BASE + "profile: options\n"
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "profile"), "profile")
    assert exc.message == "expected one of 'usdm', 'coinm', 'pm', 'spot', got the string 'options'"


def test_a_fault_s_own_validation_is_reported_at_the_step(tmp_path: Path) -> None:
    text = broken(
        "fault: close\n    code: 1001\n    reason: going away\n",
        "fault: throttle\n    bytes_per_second: 99999\n",
    )
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "at: 1.5s"), "steps[0]")
    assert exc.message == "invalid fault 'throttle': bytes_per_second is capped at 10000"


def test_empty_file(tmp_path: Path) -> None:
    exc = error(tmp_path, "# nothing but a comment\n")
    assert (exc.line, exc.field) == (1, "<root>")
    assert "the file is empty" in exc.message


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    exc = error(tmp_path, "\n- a\n- b\n")
    assert (exc.line, exc.field) == (2, "<root>")
    assert "got a list" in exc.message


def test_several_documents(tmp_path: Path) -> None:
    text = BASE + "---\nfamily: x\n"
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "---"), "<yaml>")
    assert "single document" in exc.message


def test_merge_keys_and_custom_tags(tmp_path: Path) -> None:
    text = BASE + "timers:\n  <<: {ping_interval: 1s}\n"
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "<<"), "timers")
    assert "merge keys" in exc.message
    text = broken("reason: going away", "reason: !custom going away")
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "!custom"), "steps[0].reason")
    text = BASE + "client_env: !!omap [{A: b}]\n"
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "omap"), "client_env")
    assert "unsupported YAML tag" in exc.message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load(tmp_path / "nope.yaml")
    assert (info.value.line, info.value.field) == (1, "<file>")


# ------------------------------------------------------------------ the generic builder


def node(text: str) -> yaml.Node:
    composed = yaml.compose(textwrap.dedent(text), Loader=yaml.SafeLoader)
    assert composed is not None
    return composed


def test_build_dataclass_nested_types() -> None:
    built = build_dataclass(
        Nested,
        node(
            """\
            window: {start: 1m}
            counts: [1, 2, 3]
            pair: [7, seven]
            labels: {a: 1}
            anything: {on: [1, x, null, 2.5, true]}
            later: 12
            """
        ),
        path=Path("p.yaml"),
    )
    assert built == Nested(
        window=Window(start=60.0),
        counts=[1, 2, 3],
        pair=(7, "seven"),
        labels={"a": "1"},
        anything={"on": [1, "x", None, 2.5, True]},
        later=12,  # type: ignore[arg-type]  # unresolvable annotation: taken as written
    )


def test_build_dataclass_errors_name_the_nested_field() -> None:
    with pytest.raises(ScenarioError) as info:
        build_dataclass(Nested, node("window:\n  end: 1s\n"), path=Path("p.yaml"), field="x")
    assert (info.value.line, info.value.field) == (2, "x.window.start")
    with pytest.raises(ScenarioError) as info:
        build_dataclass(Nested, node("window: {start: 1}\ncounts: [1, two]\n"), path=Path("p.yaml"))
    assert (info.value.line, info.value.field) == (2, "counts[1]")
    assert info.value.message == "expected an integer, got the string 'two'"
    with pytest.raises(ScenarioError) as info:
        build_dataclass(Nested, node("window: {start: 1}\npair: [1]\n"), path=Path("p.yaml"))
    assert info.value.message == "expected a list of 2 items, got 1"


# ------------------------------------------------------------- deadlines inside the run


def test_a_deadline_that_ends_after_the_run_is_refused_at_its_line(tmp_path: Path) -> None:
    # The step fires at 1.5 s after its trigger at the earliest; 1.5 s + 7 s is past 8 s.
    text = broken("{within: 5s}", "{within: 7s}")
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "within: 7s"), "expect.reconnects-after-drop.within")
    assert "the deadline 7s cannot end inside the run" in exc.message
    assert "counted from 1.5s (steps[0] fires), it ends at 8.5s" in exc.message
    assert "(duration: 8s)" in exc.message


def test_a_default_deadline_is_checked_too_and_named_as_such(tmp_path: Path) -> None:
    # ReconnectParams.within defaults to 10 s: with no value given, the error points at the id.
    text = broken("reconnects-after-drop: {within: 5s}", "reconnects-after-drop:")
    exc = error(tmp_path, text)
    assert exc.line == line_of(text, "reconnects-after-drop:")
    assert "the deadline 10s (its default) cannot end inside the run" in exc.message


def test_a_deadline_that_just_fits_loads(tmp_path: Path) -> None:
    assert load(write(tmp_path, broken("{within: 5s}", "{within: 6.5s}"))).duration == 8.0


def test_the_catalog_deadlines_all_fit() -> None:
    from harness.scenario_file import default_registries

    faults, behaviours = default_registries()
    root = Path(__file__).resolve().parents[2] / "scenarios"
    files = sorted(root.rglob("*.yaml"))
    assert len(load_scenarios(files, faults=faults, behaviours=behaviours)) == len(files) > 30


def test_a_recovery_deadline_counts_from_the_end_of_the_outage(tmp_path: Path) -> None:
    """keeps-retrying is judged from the server's recovery: the step's `lasting` counts."""
    from harness.scenario_file import default_registries

    faults, behaviours = default_registries()
    text = """\
        family: reconnect
        description: refused for a while
        source: [F1 gives-up-after-n-retries]
        duration: 5s
        steps:
          - on: user_stream_ready
            at: 1s
            fault: reject_handshake
            status: 503
            lasting: 2s
        expect:
          keeps-retrying: {within: 2.5s}
        """
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, faults=faults, behaviours=behaviours)
    assert "counted from 3s (steps[0] stops acting), it ends at 5.5s" in info.value.message
    fitting = write(tmp_path, text.replace("2.5s", "2s"), "fits.yaml")
    assert load_scenario(fitting, faults=faults, behaviours=behaviours).duration == 5.0


# ------------------------------------------------- hostile input: always a located answer


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("1" + "0" * 309, "310 digits"),  # was OverflowError: beyond every float
        ("1" * 4301, "4,301 digits"),  # was ValueError: Python's int conversion limit
        ("!!float 5s", "'5s' is not a number"),  # was ValueError from PyYAML
        ("!!int 5s", "'5s' is not an integer"),
        ("!!bool maybe", "'maybe' is not a boolean"),  # was KeyError
        ("!!timestamp soon", "'soon' is not a timestamp"),  # was AttributeError
    ],
)
def test_a_scalar_its_tag_cannot_read_is_refused_at_its_line(tmp_path: Path, value: str, said: str) -> None:
    text = broken("duration: 8s", f"duration: {value}")
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "duration: "), "duration")
    assert said in exc.message


def test_a_long_number_in_a_text_field_loads_when_quoted(tmp_path: Path) -> None:
    digits = "1" * 4301
    assert "4,301 digits" in error(tmp_path, broken("reason: going away", f"reason: {digits}")).message
    scenario = load(write(tmp_path, broken("reason: going away", f'reason: "{digits}"'), "quoted.yaml"))
    assert scenario.steps[0].fault.reason == digits  # type: ignore[attr-defined]


def test_an_integer_beyond_64_bits_is_refused(tmp_path: Path) -> None:
    text = broken("code: 1001", f"code: {2**63}")
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "code: "), "steps[0].code")
    assert "beyond the 64-bit integers" in exc.message
    largest = load(write(tmp_path, broken("code: 1001", f"code: {2**63 - 1}"), "largest.yaml"))
    assert largest.steps[0].fault.code == 2**63 - 1  # type: ignore[attr-defined]


def test_yaml_1_1_base_60_numbers_are_refused_where_a_number_is_read(tmp_path: Path) -> None:
    """YAML 1.1 reads `1:30` as 90: a duration of 90 s that looks like 1 min 30 s."""
    text = broken("duration: 8s", "duration: 1:30")
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "duration: 1:30"), "duration")
    assert "base-60 number (90)" in exc.message and "write 90" in exc.message
    text = broken("code: 1001", "code: 16:41")
    assert "base-60 number (1001)" in error(tmp_path, text).message
    # A text field keeps what is written.
    scenario = load(write(tmp_path, broken("reason: going away", "reason: 1:30"), "text.yaml"))
    assert scenario.steps[0].fault.reason == "1:30"  # type: ignore[attr-defined]


def test_a_bare_negative_number_is_refused_like_a_negative_duration(tmp_path: Path) -> None:
    """Behaviour Params declare no ranges; `within: -5` used to pass where `-5s` did not."""
    text = broken("{within: 5s}", "{within: -5}")
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "within: -5"), "expect.reconnects-after-drop.within")
    assert "must be at least 0" in exc.message
    assert "cannot be negative" in error(tmp_path, broken("{within: 5s}", "{within: -5s}")).message
    assert "must be at least 0" in error(tmp_path, broken("{within: 5s}", "{within: -0.5}")).message


@pytest.mark.parametrize("nested", ["[" * 600 + "]" * 600, "{a: " * 600 + "1" + "}" * 600])
def test_deep_nesting_is_refused_at_its_line(tmp_path: Path, nested: str) -> None:
    """The composer recursed once per level: ~490 levels ended in RecursionError."""
    text = BASE + f"client_env: {nested}\n"
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "client_env: "), "<yaml>")
    assert "nests deeper than 32 levels" in exc.message


def test_aliases_that_expand_too_far_are_refused_at_once(tmp_path: Path) -> None:
    """Ten levels of ten aliases: each walk visited 10^10 nodes and stalled `list` and `run`."""
    levels = ["  a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    text = BASE + "client_env:\n" + "\n".join(levels) + "\n"
    exc = error(tmp_path, text)
    # 1 + 10 * (1 + 10 * 11) = 1,111 values at a2, 11,111 at a3: refused where a3 is written.
    assert (exc.line, exc.field) == (line_of(text, "a3: "), "<yaml>")
    assert "more than 10,000 values" in exc.message and "11,111" in exc.message


def test_a_chain_of_aliases_is_held_to_the_depth_bound(tmp_path: Path) -> None:
    chain = ["  a0: &a0 [x]"] + [f"  a{i}: &a{i} [*a{i - 1}]" for i in range(1, 200)]
    text = BASE + "client_env:\n" + "\n".join(chain) + "\n"
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "a31: "), "<yaml>")
    assert "aliases expanded, the file nests deeper than 32 levels" in exc.message


def test_an_alias_inside_its_own_anchor_is_refused(tmp_path: Path) -> None:
    text = BASE + "client_env: &loop [*loop]\n"
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "&loop"), "<yaml>")
    assert "alias refers to a node that contains it" in exc.message


def test_an_alias_used_a_few_times_still_loads(tmp_path: Path) -> None:
    text = BASE.replace("  - at: 1.5s", "  - &drop\n    at: 1.5s").replace(
        "    reason: going away\n", "    reason: going away\n  - *drop\n"
    )
    assert [step.at for step in load(write(tmp_path, text)).steps] == [1.5, 1.5]


def test_a_file_beyond_a_megabyte_is_refused(tmp_path: Path) -> None:
    exc = error(tmp_path, BASE + "# " + "x" * 1_000_000 + "\n")
    assert (exc.line, exc.field) == (1, "<yaml>")
    assert "at most 1,000,000" in exc.message


@pytest.mark.parametrize("name", ["../../escape", "/tmp/escape", "..", ".hidden", "a b", "x" * 101, "é"])
def test_a_name_that_cannot_be_a_folder_name_is_refused(tmp_path: Path, name: str) -> None:
    """The run folder is named after the scenario: `../../x` put it outside `--dir`."""
    text = broken("name: drop-1006", f"name: {name!r}".replace("'", '"'))
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (1, "name")
    assert "cannot name a run folder" in exc.message


def test_the_fill_rate_is_capped(tmp_path: Path) -> None:
    """`events.rate: 1e9` pegged a core and grew memory; the real EventFlow declares the cap."""
    text = BASE + "events:\n  rate: 1e9\n"
    exc = error(tmp_path, text)
    assert (exc.line, exc.field) == (line_of(text, "rate: 1e9"), "events.rate")
    assert "between 0 and 100" in exc.message
    assert "between 0 and 100" in error(tmp_path, BASE + "events:\n  market_rate: 101\n").message
    assert load(write(tmp_path, BASE + "events:\n  rate: 100\n", "fastest.yaml")).events.rate == 100.0
