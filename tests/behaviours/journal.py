"""Hand-built journals for the checks' tests: entry builders and `judge`.

The checks read only a RunRecord, so their edge cases (a reconnect at the very end of the
run, a copy sent to nobody, a fault that ended no connection) are decided exactly by
building the journal by hand instead of playing a scenario. The builders write each entry
as the kind's own TypedDict (fake_server/journal_entries.py, the one the fake writes and the
checks read), so a test reads like the run it stands for and mypy holds the builders to the
fields the fake journals; a test file wraps one only to give it that file's usual defaults.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from fake_server.exchange.profiles import ProfileName
from fake_server.exchange.settings import Timers
from fake_server.journal_entries import (
    ClientExitEntry,
    ClientOutputEntry,
    Entry,
    EventEntry,
    FaultEntry,
    ListenKeyEntry,
    RestEntry,
    UserStreamEntry,
    WsCloseEntry,
    WsFrameEntry,
    WsInvalidEntry,
    WsOpenEntry,
    WsRejectEntry,
    WsUnopenedEntry,
    with_note,
)
from harness.behaviours import load_all
from harness.record import RunRecord
from harness.scenario import Expectation, Scenario
from harness.verdict import Verdict

BEHAVIOURS = load_all()
LISTEN_KEY = "/fapi/v1/listenKey"
GONE_BODY = '{"code":-1125,"msg":"This listenKey does not exist."}'


def judge(
    behaviour: str,
    journal: list[Entry],
    *,
    ended_at: float,
    events: Iterable[dict[str, Any]] = (),
    ttl: float | None = None,
    profile: ProfileName = "usdm",
    **params: Any,
) -> Verdict:
    """Decide `behaviour` on `journal` as a run of `ended_at` seconds would.

    `params` are the check's Params, as a scenario's `expect:` gives them; `events` the
    client's events file; `ttl` the scenario's listenKey TTL (the real one when None), which
    the keepalive checks derive their deadlines from; `profile` the product the fake played.
    """
    b = BEHAVIOURS[behaviour]
    p = b.params(**params)
    scenario = Scenario(
        name="t",
        family="t",
        description="",
        source=("t",),
        duration=ended_at,
        expect=(Expectation(behaviour, p),),
        profile=profile,
        timers=Timers() if ttl is None else Timers(listen_key_ttl=ttl),
    )
    record = RunRecord(scenario, sorted(journal, key=lambda e: e["t"]), list(events), ended_at=ended_at)
    return b.check(record, p)


# Connections -------------------------------------------------------------------------------


def opened(t: float, conn: int = 1, state: str = "active", key: str = "k", **extra: Any) -> WsOpenEntry:
    """A user-data handshake on listenKey `key`, in `state` when the fake accepted it."""
    entry = WsOpenEntry(
        t=t,
        kind="ws_open",
        conn=conn,
        route="private/ws",
        route_kind="private",
        user=True,
        key_states={key: state},
    )
    return with_note(entry, extra)


def ready(
    t: float, conn: int = 1, key: str = "k", via: Literal["url", "subscribe", "ws_api"] = "url"
) -> UserStreamEntry:
    """The moment connection `conn` began to carry user data (trigger `user_stream_ready`)."""
    return UserStreamEntry(t=t, kind="user_stream", conn=conn, keys=[key], via=via)


def closed(
    t: float,
    conn: int,
    initiator: Literal["server", "client"] = "server",
    how: str = "abort_fin",
    code: int = 1006,
) -> WsCloseEntry:
    return WsCloseEntry(t=t, kind="ws_close", conn=conn, code=code, reason="", initiator=initiator, how=how)


def client_close(t: float, conn: int, code: int = 1000) -> WsCloseEntry:
    """The client ending `conn` with a close frame of its own."""
    return closed(t, conn, "client", "close_frame", code)


def rejected(t: float, status: int = 503, why: str = "fault", **extra: Any) -> WsRejectEntry:
    """A handshake the fake refused (`why`: a fault, or a limit it enforces)."""
    return with_note(WsRejectEntry(t=t, kind="ws_reject", conn=0, status=status, why=why), extra)


def held(t: float, conn: int, fault: str = "hang_upgrade") -> WsInvalidEntry:
    """An attempt a fault took and never answered: `timeout` at the TCP accept, `hang_upgrade`
    once it read the upgrade request."""
    entry = WsInvalidEntry(t=t, kind="ws_invalid", conn=conn, peer="", why="fault", error="held")
    return with_note(entry, {"fault": fault})


def unopened(
    t: float,
    conn: int,
    waited: float,
    fault: str = "hang_upgrade",
    initiator: Literal["server", "client"] = "client",
    how: str = "eof",
) -> WsUnopenedEntry:
    """How a held attempt ended, `waited` seconds after its accept: the client giving up
    (its FIN), or the fault's own close."""
    return WsUnopenedEntry(
        t=t, kind="ws_unopened", conn=conn, peer="", fault=fault, initiator=initiator, how=how, waited=waited
    )


def frame(
    t: float,
    conn: int,
    direction: Literal["in", "out"],
    op: Literal["ping", "pong", "text", "binary", "close"],
    data: str = "",
    **extra: Any,
) -> WsFrameEntry:
    """A WebSocket frame on `conn`: `direction` "in" from the client, "out" from the fake."""
    return with_note(WsFrameEntry(t=t, kind="ws_frame", conn=conn, dir=direction, op=op, data=data), extra)


# Faults, events, REST ----------------------------------------------------------------------


def fault(t: float, name: str, conns: Iterable[int] = (), *, ends: bool = False, **params: Any) -> FaultEntry:
    """Fault `name` firing on `conns`; `ends`: it ended those connections."""
    return FaultEntry(
        t=t, kind="fault", name=name, layer="test", ends_connection=ends, conns=list(conns), params=params
    )


def dropped(t: float, conn: int = 1) -> list[Entry]:
    """The server dropping `conn` at `t` (abort_tcp: 1006, no close frame)."""
    return [fault(t, "abort_tcp", [conn], ends=True), closed(t, conn)]


def event(
    t: float, conns: list[int], e: str = "ORDER_TRADE_UPDATE", E: int | None = None, **extra: Any
) -> EventEntry:
    """Account event `e` written to `conns` (none: it reached nobody); E defaults to t in ms."""
    entry = EventEntry(t=t, kind="event", e=e, E=int(t * 1000) if E is None else E, conns=conns)
    return with_note(entry, extra)


def rest(
    t: float, path: str, status: int = 200, method: str = "GET", body: str = "{}", **extra: Any
) -> RestEntry:
    """A REST call the fake answered; `fault=True` in `extra` when a fault wrote the answer."""
    entry = RestEntry(t=t, kind="rest", method=method, path=path, status=status, body=body, fault=False)
    return with_note(entry, extra)


def snapshot(t: float) -> RestEntry:
    """A state snapshot a client resyncs from (the futures account)."""
    return rest(t, "/fapi/v2/account")


def lapse(t: float, why: Literal["ttl", "fault"] = "ttl", key: str = "k") -> ListenKeyEntry:
    """ListenKey `key` expiring: by its TTL, or killed by a fault."""
    return ListenKeyEntry(t=t, kind="listen_key", action="expired", key=key, why=why)


# The client's side -------------------------------------------------------------------------


def said(t: float, line: str) -> ClientOutputEntry:
    """A line the client wrote to stderr."""
    return ClientOutputEntry(t=t, kind="client_output", stream="stderr", line=line)


def exited(t: float, code: int = 1) -> ClientExitEntry:
    return ClientExitEntry(t=t, kind="client_exit", code=code)
