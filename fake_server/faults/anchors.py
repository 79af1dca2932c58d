"""The public fault taxonomies this fake is measured against, and what answers each item.

Each layer has a tool that defines its faults: Toxiproxy's toxics for the transport,
WireMock's and Mountebank's faults for HTTP, Autobahn|Testsuite's case families for
WebSocket frames. Every item of those lists is here, with the faults that cover it or the
reason it does not apply to a fake server, so "is X missing?" has one answer, which
docs/faults.md shows (generated) and a test holds against the registry: every fault named
here exists, and every fault that says it mirrors a tool is named here.

Sources: Toxiproxy's README ("Toxics": latency, down, bandwidth, slow_close, timeout,
reset_peer, slicer, limit_data; the `toxicity` attribute); WireMock's "Simulating Faults"
page (the four `Fault` values, fixed and random delays, chunked dribble delay);
Mountebank's fault and behavior docs (`CONNECTION_RESET_BY_PEER`, `RANDOM_DATA_THEN_CLOSE`,
`wait`); Autobahn|Testsuite's case list (families 1-7, 9, 10, 12, 13).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Tool = Literal["Toxiproxy", "WireMock", "Mountebank", "Autobahn"]


@dataclass(frozen=True)
class Anchor:
    tool: Tool
    #: The item as the tool names it: a toxic, a fault, a delay, a case family.
    item: str
    #: The faults that reproduce it (names in the registry); empty when none does.
    covered_by: tuple[str, ...] = ()
    #: Why it does not apply to a fake server, or which part of it is not covered.
    note: str = ""


ANCHORS: tuple[Anchor, ...] = (
    # Toxiproxy: the transport.
    Anchor("Toxiproxy", "latency (with jitter, either direction)", ("latency",)),
    Anchor("Toxiproxy", "down (a disabled proxy: nothing listens)", ("refuse_connections",)),
    Anchor("Toxiproxy", "bandwidth", ("bandwidth",)),
    Anchor("Toxiproxy", "slow_close", ("slow_close",)),
    Anchor("Toxiproxy", "timeout (stop all data, close after a time or never)", ("timeout",)),
    Anchor("Toxiproxy", "reset_peer (RST)", ("abort_tcp", "close_then_reset", "connection_reset")),
    Anchor("Toxiproxy", "slicer", ("slicer",)),
    Anchor("Toxiproxy", "limit_data", ("limit_data",)),
    Anchor(
        "Toxiproxy",
        "toxicity (a toxic applied to a random share of connections)",
        note="not a fault but a probability: a verdict must replay the same, so a fault is "
        "bounded by `times`, `lasting` and `target` instead",
    ),
    # WireMock and Mountebank: HTTP answers.
    Anchor("WireMock", "fault EMPTY_RESPONSE", ("empty_response",)),
    Anchor("WireMock", "fault MALFORMED_RESPONSE_CHUNK", ("malformed_chunk",)),
    Anchor("WireMock", "fault RANDOM_DATA_THEN_CLOSE", ("random_data_then_close",)),
    Anchor("WireMock", "fault CONNECTION_RESET_BY_PEER", ("connection_reset",)),
    Anchor(
        "WireMock", "fixedDelayMilliseconds (a stub's or the global delay)", ("slow_rest", "slow_upgrade")
    ),
    Anchor(
        "WireMock",
        "delayDistribution (lognormal, uniform random delays)",
        note="a random draw would make verdicts differ between runs; a fixed delay at the "
        "distribution's tail (`slow_rest`) tests the same client timeout",
    ),
    Anchor("WireMock", "chunkedDribbleDelay", ("chunked_dribble",)),
    Anchor("Mountebank", "fault CONNECTION_RESET_BY_PEER", ("connection_reset",)),
    Anchor("Mountebank", "fault RANDOM_DATA_THEN_CLOSE", ("random_data_then_close",)),
    Anchor(
        "Mountebank",
        "behavior wait",
        ("slow_rest",),
        note="a number of seconds only: its JavaScript-function form would inject code into the fake",
    ),
    # Autobahn|Testsuite: WebSocket frames, as the server side can cause them.
    Anchor(
        "Autobahn",
        "1 framing (payload lengths, text and binary)",
        ("send_raw", "oversized_event"),
        note="the 7-, 16- and 64-bit lengths are the normal push path's",
    ),
    Anchor(
        "Autobahn",
        "2 pings and pongs",
        ("ping_then_close", "fragment_messages", "unsolicited_pong", "stop_pings"),
        note="2.5 (a ping with more than 125 bytes) is not sent",
    ),
    Anchor("Autobahn", "3 reserved bits", ("reserved_frame",)),
    Anchor("Autobahn", "4 opcodes", ("reserved_frame",)),
    Anchor(
        "Autobahn",
        "5 fragmentation",
        ("fragment_messages", "reserved_frame"),
        note="fragmented control frames (5.1-5.2) are not sent",
    ),
    Anchor(
        "Autobahn",
        "6 UTF-8 handling",
        ("invalid_utf8",),
        note="invalid UTF-8 split across fragments (6.4) is not sent",
    ),
    Anchor(
        "Autobahn",
        "7 close handling",
        ("close", "unfinished_close", "close_then_reset", "ping_then_close"),
        note="frames sent after the fake's own close (7.1.3-7.1.5) are not",
    ),
    Anchor(
        "Autobahn",
        "9 limits and performance",
        ("oversized_event", "fragment_messages", "slicer"),
        note="9.7-9.8 (round-trip time) do not apply: the fake is not an echo server, and echo "
        "latency says nothing about a client's recovery",
    ),
    Anchor(
        "Autobahn",
        "10 auto-fragmentation",
        note="does not apply: it is how the endpoint under test fragments what it sends; the "
        "fake only reassembles what clients send",
    ),
    Anchor(
        "Autobahn",
        "12 and 13 permessage-deflate compression",
        note="does not apply: the fake negotiates no permessage-deflate, so nothing is "
        "compressed; whether Binance does is a fidelity question first",
    ),
    Anchor(
        "Autobahn",
        "client-to-server masking",
        note="not a server fault: masking is the client's job (the fake closes an unmasked "
        "client frame with 1002)",
    ),
)
