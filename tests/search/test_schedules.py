"""Generated schedules are valid by construction: every one loads as a scenario file."""

from __future__ import annotations

import itertools
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fake_server.exchange.profiles import PROFILES
from fake_server.faults import FAULTS, Fault
from fake_server.schema import params_of
from harness.scenario_file import default_registries, load_scenario
from harness.search.menu import MenuError, fault_menu
from harness.search.schedule import PROPERTIES, Frame, Origin, render
from harness.search.strategies import (
    RECOVERY_LAYERS,
    DrawnStep,
    draw_schedules,
    fault_of,
    follow_up,
    product_routes,
    schedule_of,
)

REGISTRY, BEHAVIOURS = default_registries()
EXAMPLES = int(os.environ.get("HARNESS_FUZZ_EXAMPLES", "50"))
FRAME = Frame(window=2.0, quiet=3.0)


@st.composite
def profile_and_schedule(draw: st.DrawFn) -> tuple[str, list[DrawnStep]]:
    profile = draw(st.sampled_from(sorted(PROFILES)))
    menu = fault_menu(REGISTRY, profile)
    steps = draw(
        schedule_of(
            menu, window=FRAME.window, routes=product_routes(PROFILES[profile]), max_steps=FRAME.max_steps
        )
    )
    return profile, steps


@settings(
    max_examples=EXAMPLES, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(profile_and_schedule())
def test_every_generated_schedule_loads_as_a_scenario(drawn: tuple[str, list[DrawnStep]]) -> None:
    profile, steps = drawn
    frame = Frame(profile=profile, window=FRAME.window, quiet=FRAME.quiet)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "schedule.yaml"
        path.write_text(render(frame, steps, Origin(seed=3, version="test", number=1)))
        scenario = load_scenario(path, faults=REGISTRY, behaviours=BEHAVIOURS)
    assert scenario.profile == profile
    assert [s.fault for s in scenario.steps] == [s.fault for s in steps]
    assert all(s.at <= frame.window for s in scenario.steps)
    assert all(s.end() <= frame.window + 1e-9 for s in steps), "a fault outlived the window"
    assert all(s.end() + s.fault.holds_for() <= frame.window + 1e-9 for s in steps), (
        "a message a fault started outlived the window"
    )
    never = [
        (s.fault.name, n)
        for s in steps
        for n, p in params_of(type(s.fault)).items()
        if p.type == float | None and getattr(s.fault, n) is None
    ]
    assert never == [], "a duration of 'never' asks the client to give up within the quiet period"
    assert scenario.generated is not None and scenario.generated.seed == 3
    assert [e.behaviour for e in scenario.expect] == list(PROPERTIES)


def test_the_menu_leaves_out_faults_for_another_product_and_final_ones() -> None:
    usdm = {cls.name for cls in fault_menu(REGISTRY, "usdm")}
    spot = {cls.name for cls in fault_menu(REGISTRY, "spot")}
    assert "terminate_event_stream" in spot and "terminate_event_stream" not in usdm
    assert "restricted_location" not in usdm | spot
    assert "abort_tcp" in usdm and "expire_listen_key" in usdm
    # Everything else registered is on the menu: nothing is listed by hand.
    assert usdm == {n for n, c in FAULTS.items() if c.profiles is None and not c.final}


@pytest.mark.parametrize(
    ("chosen", "words"),
    [
        (["abort_tpc"], "did you mean 'abort_tcp'"),
        (["terminate_event_stream"], "acts on spot only, not usdm"),
        (["restricted_location"], "may end a correct client for good"),
    ],
)
def test_a_fault_choice_the_search_cannot_use_is_refused_with_why(chosen: list[str], words: str) -> None:
    with pytest.raises(MenuError, match=words):
        fault_menu(REGISTRY, "usdm", chosen)


def test_a_chosen_menu_keeps_the_order_given() -> None:
    assert [c.name for c in fault_menu(REGISTRY, "usdm", ["expire_listen_key", "abort_tcp"])] == [
        "expire_listen_key",
        "abort_tcp",
    ]


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None)
@given(fault_of(REGISTRY["fragment_messages"], room=1.0, routes=product_routes(PROFILES["usdm"])))
def test_a_fragmented_message_that_would_outlive_the_window_is_never_drawn(fault: Fault) -> None:
    # 14 fragments 0.9 s apart held a connection 11.7 s: a search called the client deaf for it.
    assert (getattr(fault, "lasting", None) or 0.0) + fault.holds_for() <= 1.0


#: Faults whose one action lasts a drawn time after the fault took it, and that time.
HELD_ACTIONS = [
    ("slow_rest", "delay"),
    ("slow_upgrade", "delay"),
    ("slow_close", "delay"),
    ("chunked_dribble", "duration"),
    ("hang_upgrade", "hold"),
    ("timeout", "timeout"),
    ("unfinished_close", "hold"),
]


@pytest.mark.parametrize(("name", "held"), HELD_ACTIONS)
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None)
@given(data=st.data())
def test_an_action_taken_as_the_fault_ends_still_ends_inside_the_window(
    name: str, held: str, data: st.DataObject
) -> None:
    # A REST call held 0.9 s by a slow_rest that stopped taking calls 0.8 s in was answered
    # after the window: the quiet period began with the fault still acting.
    fault = data.draw(fault_of(REGISTRY[name], room=1.0, routes=product_routes(PROFILES["usdm"])))
    assert (getattr(fault, "lasting", None) or 0.0) + getattr(fault, held) <= 1.0 + 1e-9


def test_a_drop_is_followed_by_faults_on_what_the_reconnect_goes_through() -> None:
    # A key that died while the client backed off, a snapshot call that hung in its resync:
    # after a drop, half of the follow-ups come from the http and binance layers.
    menu = fault_menu(REGISTRY, "usdm")
    routes = product_routes(PROFILES["usdm"])

    def recovery_share(leader: DrawnStep) -> float:
        strategy = follow_up(leader, menu, window=3.0, routes=routes)
        drawn = list(itertools.islice(draw_schedules(strategy, 0), 400))
        return sum(s.fault.layer in RECOVERY_LAYERS for s in drawn) / len(drawn)

    after_drop = recovery_share(DrawnStep(REGISTRY["abort_tcp"](), "ws_open", 1, 0.5))
    after_other = recovery_share(DrawnStep(REGISTRY["duplicate_event"](), "ws_open", 1, 0.5))
    assert after_drop >= after_other + 0.2, (after_drop, after_other)
