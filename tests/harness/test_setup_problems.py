"""A client that dies before it contacts the fake is a set-up ERROR whose words say why: the
error's message rather than the last frame of its stack trace, and at a time factor the
reminder that the client's own timeouts shrank with it (an SDK's 1 s request timeout is
1.7 ms of wall time at x600, which is how Binance's Node SDK ends in a Binance-day run)."""

from __future__ import annotations

from fake_server.journal_entries import ClientExitEntry, ClientOutputEntry
from harness.runner import _setup_problems
from tests.harness.test_acceleration import record

NODE_TRACE = [
    "AxiosError: timeout of 1000ms exceeded",
    "    at RedirectableRequest.handleRequestTimeout (file:///app/node_modules/axios/lib/adapters/http.js:652:16)",
    "    at async file:///app/adapter.mjs:77:20",
]


def died(lines: list[str], code: int = 1) -> list[ClientOutputEntry | ClientExitEntry]:
    out: list[ClientOutputEntry | ClientExitEntry] = [
        ClientOutputEntry(t=0.5 + i / 100, kind="client_output", stream="stderr", line=line)
        for i, line in enumerate(lines)
    ]
    return [*out, ClientExitEntry(t=1.0, kind="client_exit", code=code)]


def test_the_error_message_is_quoted_not_the_last_stack_frame() -> None:
    (problem,) = _setup_problems(record(*died(NODE_TRACE), factor=1))
    assert (
        problem
        == "the client exited with code 1 before contacting the fake: AxiosError: timeout of 1000ms exceeded"
    )


def test_at_a_time_factor_the_problem_says_the_clients_own_timeouts_shrank() -> None:
    (problem,) = _setup_problems(record(*died(NODE_TRACE), factor=600))
    assert "AxiosError: timeout of 1000ms exceeded" in problem
    assert "a 1 s request timeout lasts 1.7 ms of wall time" in problem
    assert "--max-time-factor gives this client a lower ceiling" in problem  # what to do about it


def test_a_client_that_exits_cleanly_or_made_contact_is_no_set_up_problem() -> None:
    assert _setup_problems(record(*died(NODE_TRACE, code=0), factor=600)) == []
