"""Random REST and control-API requests never crash the fake (issue 11, Hypothesis).

Every example is one request over a raw socket (tests/fake_server/request_fuzz.py). It must
get an answer that is not a crash (a 500 from an exception), nothing may log a traceback,
and the fake must still answer afterwards. Fixed seed, 100 examples each in CI (about 5 s);
`HARNESS_FUZZ_EXAMPLES=5000` for a longer run. scripts/fuzz_requests.py measures the same
against `binance-harness serve`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings

from fake_server.server import FakeBinance
from tests.fake_server.request_fuzz import (
    Answer,
    FuzzRequest,
    TracebackCounter,
    control_requests,
    fake_in_thread,
    rest_requests,
    send,
)

EXAMPLES = int(os.environ.get("HARNESS_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

pytestmark = pytest.mark.xdist_group("request-fuzz")


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeBinance]:
    """One fake for the module: what earlier requests did (faults fired, keys made, balances
    moved) is part of what later ones meet."""
    with fake_in_thread() as running:
        yield running


@pytest.fixture
def tracebacks() -> Iterator[TracebackCounter]:
    counter = TracebackCounter()
    root = logging.getLogger()
    root.addHandler(counter)
    try:
        yield counter
    finally:
        root.removeHandler(counter)


def _check(fake: FakeBinance, port: int, request: FuzzRequest, tracebacks: TracebackCounter) -> None:
    answer = send("127.0.0.1", port, request)
    assert not answer.crashed, (request, answer.body[:500])
    assert tracebacks.records == [], (request, [r.getMessage() for r in tracebacks.records])


def _still_answers(fake: FakeBinance) -> None:
    assert fake.control is not None
    ping = send("127.0.0.1", fake.rest.port, FuzzRequest("GET", b"/fapi/v1/time"))
    info = send("127.0.0.1", fake.control.port, FuzzRequest("GET", b"/v1"))
    assert (ping.status, info.status) == (200, 200)


def test_random_rest_requests_never_crash_the_fake(fake: FakeBinance, tracebacks: TracebackCounter) -> None:
    creds = fake.settings.credentials

    @FUZZ
    @given(request=rest_requests(creds.api_key, creds.api_secret))
    def one(request: FuzzRequest) -> None:
        _check(fake, fake.rest.port, request, tracebacks)

    one()
    _still_answers(fake)


def test_random_control_requests_never_crash_the_fake(
    fake: FakeBinance, tracebacks: TracebackCounter
) -> None:
    assert fake.control is not None
    port = fake.control.port

    @FUZZ
    @given(request=control_requests())
    def one(request: FuzzRequest) -> None:
        _check(fake, port, request, tracebacks)
        # Stop what fired, so that a fault that holds REST calls cannot slow what follows.
        send("127.0.0.1", port, FuzzRequest("DELETE", b"/v1/faults"))

    one()
    _still_answers(fake)


def test_a_crash_is_told_from_a_planned_500() -> None:
    """The classifier the fuzzing relies on: a fault's own 500 is planned, a traceback's is not."""
    assert Answer(500, b"500 Internal Server Error\n\nServer got itself in trouble").crashed
    assert Answer(500, b'{"error":"internal error: KeyError: 1","field":null}').crashed
    assert not Answer(500, b'{"code":-1000,"msg":"An unknown error occured"}').crashed
