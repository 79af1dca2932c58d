"""The table of public fault taxonomies agrees with the registry, both ways."""

from __future__ import annotations

from fake_server.faults import load_all
from fake_server.faults.anchors import ANCHORS

FAULTS = load_all()


def test_every_fault_an_anchor_names_exists() -> None:
    named = {name for a in ANCHORS for name in a.covered_by}
    assert named - FAULTS.keys() == set()


def test_an_item_no_fault_covers_says_why() -> None:
    assert [a.item for a in ANCHORS if not a.covered_by and not a.note] == []


def test_every_fault_that_mirrors_a_tool_is_in_the_table_under_that_tool() -> None:
    missing = []
    for name, cls in FAULTS.items():
        for tool in ("Toxiproxy", "WireMock", "Mountebank", "Autobahn"):
            if tool in cls.mirrors and not any(a.tool == tool and name in a.covered_by for a in ANCHORS):
                missing.append(f"{name} ({tool})")
    assert missing == []


def test_each_tool_lists_its_whole_taxonomy() -> None:
    toxics = {a.item.split(" ")[0] for a in ANCHORS if a.tool == "Toxiproxy"}
    assert toxics == {
        "latency",
        "down",
        "bandwidth",
        "slow_close",
        "timeout",
        "reset_peer",
        "slicer",
        "limit_data",
        "toxicity",
    }
    wiremock = {a.item.split(" ")[1] for a in ANCHORS if a.tool == "WireMock" and a.item.startswith("fault ")}
    assert wiremock == {
        "EMPTY_RESPONSE",
        "MALFORMED_RESPONSE_CHUNK",
        "RANDOM_DATA_THEN_CLOSE",
        "CONNECTION_RESET_BY_PEER",
    }
    families = {a.item.split(" ")[0] for a in ANCHORS if a.tool == "Autobahn"}
    assert {"1", "2", "3", "4", "5", "6", "7", "9", "10", "12"} <= families
