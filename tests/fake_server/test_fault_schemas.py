"""One typed schema per fault (fake_server/schema.py), read by every surface.

Each parameter is declared once, with its type, default, range and a one-line doc; the
scenario loader, the control API and direct construction all refuse the same values, where
they are written (file:line:field, or a 400 naming the field), never when the fault fires.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from fake_server.clock import Clock
from fake_server.exchange.settings import Settings
from fake_server.faults import load_all
from fake_server.faults.close import Close
from fake_server.faults.http_error import HttpError
from fake_server.fronts.control_api import ControlError, build_fault, fault_catalog
from fake_server.journal import Journal
from fake_server.schema import params_of
from fake_server.server import FakeBinance
from harness.scenario_file import ScenarioError, default_registries, load_scenario
from tests.fake_server._fake_helpers import WAIT

#: (fault, its parameters, the field blamed, words of the message): values that would crash
#: or send invalid HTTP or WebSocket frames if they reached the fake.
REFUSED: list[tuple[str, dict[str, Any], str, str]] = [
    ("reject_handshake", {"times": -1}, "times", "must be at least 1, got -1"),
    ("http_error", {"times": 0}, "times", "must be at least 1, got 0"),
    ("http_error", {"lasting": -2.0}, "lasting", "must be more than 0"),
    ("close", {"code": 0}, "code", "0 is not a close code a server may send"),
    ("close", {"code": 70000}, "code", "70000 is not a close code"),
    ("server_shutdown", {"code": 1006}, "code", "1006 is not a close code"),
    ("close", {"reason": "x" * 124}, "reason", "fits in 123 bytes"),
    ("http_error", {"status": 99999}, "status", "an HTTP status from 200 to 599, got 99999"),
    (
        "reject_handshake",
        {"status": 599},
        "status",
        "599 is not an HTTP status the WebSocket server can send",
    ),
    ("http_error", {"headers": {"X-A:B": "1"}}, "headers", "'X-A:B' is not a header name"),
    (
        "reject_handshake",
        {"headers": {"Retry-After": "1\r\nX-Evil: 1"}},
        "headers",
        "must not contain CR, LF",
    ),
    ("http_error", {"headers": {"Content-Length": "5"}}, "headers", "frames the HTTP message itself"),
    ("http_error", {"route": "POST fapi/v1/order"}, "route", "a path starts with '/'"),
    ("stall_data", {"lasting": 0}, "lasting", "must be more than 0"),
    ("connection_attempt_limit", {"attempts": 0}, "attempts", "must be at least 1, got 0"),
    ("send_raw", {"binary_hex": "zz"}, "binary_hex", "not hex bytes"),
    ("close", {"code": 1005}, "code", "1005 is not a close code a server may send"),
    ("server_shutdown", {"code": 70000}, "code", "70000 is not a close code"),
    ("server_shutdown", {"reason": "é" * 62}, "reason", "fits in 123 bytes of UTF-8"),
    (
        "reject_handshake",
        {"status": 520},
        "status",
        "520 is not an HTTP status the WebSocket server can send",
    ),
    ("reject_handshake", {"headers": {"X Bad": "1"}}, "headers", "is not a header name"),
    ("http_error", {"headers": {"Retry-After": "1\n"}}, "headers", "must not contain CR, LF"),
    # Numbers a journal entry could not carry (64 bits), or work that stalls the loop.
    ("http_error", {"times": 10**30}, "times", "must be at most 1000000"),
    ("burst_events", {"count": 30000}, "count", "must be at most 2000"),
    ("duplicate_event", {"count": 10**19}, "count", "must be at most 10000"),
    ("reorder_events", {"count": 1001}, "count", "must be at most 1000"),
    ("connection_attempt_limit", {"attempts": 10**19}, "attempts", "must be at most 1000000"),
]


def test_every_parameter_of_every_fault_is_declared_with_a_doc() -> None:
    for name, cls in load_all().items():
        for param in params_of(cls).values():
            assert param.spec is not None and param.doc, f"{name}.{param.name} has no declaration"


def test_the_common_parameters_are_declared_once() -> None:
    """`target`, `times` and `lasting` are the same declaration wherever they appear."""
    faults = load_all().values()
    for common in ("target", "times", "lasting"):
        owners = [cls for cls in faults if common in params_of(cls)]
        assert len(owners) > 1
        assert len({id(params_of(cls)[common].field.metadata["param"]) for cls in owners}) == 1, common


@pytest.mark.parametrize(("fault", "params", "field", "words"), REFUSED)
def test_a_scenario_file_refuses_the_value_at_its_line(
    tmp_path: Path, fault: str, params: dict[str, Any], field: str, words: str
) -> None:
    lines = [f"    {key}: {_yaml(value)}" for key, value in params.items()]
    path = tmp_path / "s.yaml"
    path.write_text(
        "family: drops\ndescription: d\nsource: [C1 drop-1006-no-close-frame]\nduration: 5s\n"
        f"steps:\n  - fault: {fault}\n" + "\n".join(lines) + "\nexpect:\n  reconnects-after-drop: {}\n",
        encoding="utf-8",
    )
    faults, behaviours = default_registries()
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, faults=faults, behaviours=behaviours)
    assert info.value.field.startswith(f"steps[0].{field}")
    assert info.value.line == 7  # the parameter's own line
    assert words in info.value.message


@pytest.mark.parametrize(("fault", "params", "field", "words"), REFUSED)
def test_the_control_api_refuses_the_value_naming_the_field(
    fault: str, params: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(ControlError) as info:
        build_fault(fault, params)
    assert info.value.field is not None and info.value.field.startswith(f"params.{field}")
    assert words in info.value.message


@pytest.mark.parametrize(("fault", "params", "field", "words"), REFUSED)
def test_a_fault_built_in_python_is_held_to_the_same_rules(
    fault: str, params: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(ValueError, match=field):
        load_all()[fault](**params)


async def test_the_running_control_api_answers_400_before_anything_fires() -> None:
    clock = Clock()
    async with FakeBinance(Settings(control_api=True), clock, Journal(clock)) as fake:
        async with httpx.AsyncClient(base_url=f"{fake.control_url}/v1", timeout=WAIT) as http:
            answer = await http.post("/faults", json={"fault": "close", "params": {"code": 70000}})
        assert (answer.status_code, answer.json()["field"]) == (400, "params.code")
        assert list(fake.journal.of("fault")) == []


def test_accepted_values_still_build() -> None:
    assert build_fault("close", {"code": 4000, "reason": "bye"}) == Close(code=4000, reason="bye")
    assert HttpError(status=418, headers={"Retry-After": "3"}, times=2, lasting=1.5).times == 2


def test_the_catalog_shows_types_ranges_and_docs() -> None:
    catalog = fault_catalog(load_all())
    times = catalog["http_error"]["params"]["times"]
    assert (times["type"], times["nullable"], times["minimum"]) == ("integer", True, 1)
    assert "how many" in catalog["http_error"]["param_docs"]["times"]
    assert catalog["close"]["param_docs"]["code"].startswith("the close code")


def _yaml(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f'"{k}": "{_escaped(v)}"' for k, v in value.items()) + "}"
    if isinstance(value, str):
        return f'"{_escaped(value)}"'
    return str(value)


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n").replace('"', '\\"')
