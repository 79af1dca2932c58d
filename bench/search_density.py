"""How often the search's strategy draws the sequences its three broken clients need, without
running anything: the share of drawn schedules that could expose each flaw, and the chance
that a search of `--budget` schedules draws at least one.

A search's budget is spent on real runs of several seconds each, so its strategy has to put
the faults that matter next to each other often enough (docs/search.md, "What a schedule
is"). The predicates are deliberately simple readings of each client's window:

- a key's death (`expire_listen_key`, `revoke_listen_key`) 0.05 s to `--gap` seconds after a
  fault that ends a connection and surely fires (the first of a start-up trigger), at the
  same trigger occurrence or after the first `ws_close`: the reconnect's wait
  (clients/broken_sequences/checks_key_before_backoff.py waits 0.5 s);
- a fault that ends a connection within 0.45 s of the first `user_stream_ready`, `ws_open`
  or `resync`: the resync under way (clients/broken_sequences/resync_flag_stuck.py);
- a REST fault on a snapshot route the reference client calls (or "*"), acting from 0.2 s
  to 0.45 s after a drop that surely fires: the reconnect's resync waits on a slow or
  broken answer (clients/broken_sequences/drops_events_during_resync.py).

Route faults draw from the routes the reference client calls, as a search does after its
run with no fault (explore.py, `_calibrate`); `--every-route` draws from all of the
product's, as the search did before.

    python -m bench.search_density                 # 2,000 schedules, seed 0, gaps up to 0.2 s
    python -m bench.search_density --gap 0.5 --schedules 5000 --every-route
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Sequence

from fake_server.exchange.profiles import profile
from harness.applicability import KEY_KILLERS
from harness.scenario_file import default_registries
from harness.search.menu import fault_menu
from harness.search.schedule import Frame
from harness.search.strategies import START_TRIGGERS, DrawnStep, draw_schedules, product_routes, schedule_of

#: The shortest gap that counts: the client's key check after the close must come first.
MIN_GAP = 0.05
#: How soon after a connect a drop catches the resync under way.
RESYNC_WINDOW = 0.45
#: A reconnect's resync calls its snapshots this long after the drop, give or take: the
#: close, a jittered first backoff of 0.125-0.25 s, the key's check.
RESYNC_FROM, RESYNC_UNTIL = 0.2, 0.45
#: The snapshot routes the reference client calls (clients/reference_client.py).
REFERENCE_SNAPSHOTS = ("GET /fapi/v2/account", "GET /fapi/v1/openOrders")
#: What the reference client calls, as a search's run with no fault finds it.
REFERENCE_ROUTES = ("POST /fapi/v1/listenKey", "PUT /fapi/v1/listenKey", *REFERENCE_SNAPSHOTS)


def key_dies_in_backoff(steps: Sequence[DrawnStep], gap: float) -> bool:
    for k in steps:
        if k.fault.name not in KEY_KILLERS:
            continue
        # A drop that surely happens: the first of a start-up trigger (a third close may never).
        others = [
            d
            for d in steps
            if d is not k and d.fault.ends_connection and d.nth == 1 and d.on in START_TRIGGERS
        ]
        if others and k.on == "ws_close" and k.nth == 1 and MIN_GAP <= k.at <= gap:
            return True
        if any((d.on, d.nth) == (k.on, k.nth) and MIN_GAP <= k.at - d.at <= gap for d in others):
            return True
    return False


def drop_in_resync(steps: Sequence[DrawnStep]) -> bool:
    return any(
        d.fault.ends_connection
        and d.on in ("user_stream_ready", "ws_open", "resync")
        and d.nth == 1
        and d.at <= RESYNC_WINDOW
        for d in steps
    )


def snapshot_hurt_after_drop(steps: Sequence[DrawnStep], snapshots: Sequence[str]) -> bool:
    """A REST fault on a snapshot route the client calls (or "*") that acts from before the
    reconnect's resync (`RESYNC_FROM` after a drop that surely fires) to after it
    (`RESYNC_UNTIL`): its answers are slowed or broken while the resync waits on them."""
    for d in steps:
        if not (d.fault.ends_connection and d.nth == 1 and d.on in START_TRIGGERS):
            continue
        for s in steps:
            route = getattr(s.fault, "route", None)
            if route not in ("*", *snapshots) or getattr(s.fault, "front", "rest") != "rest":
                continue
            if (
                (s.on, s.nth) == (d.on, d.nth)
                and s.at <= d.at + RESYNC_FROM
                and s.end() >= d.at + RESYNC_UNTIL
            ):
                return True
    return False


def measure(schedules: int, seed: int, gap: float, routes: Sequence[str] | None = None) -> dict[str, float]:
    """Shares of `schedules` drawn at `seed`; route faults draw from `routes` (as after a
    search's run with no fault), or from every route of the product."""
    registry, _ = default_registries()
    frame = Frame()
    menu = fault_menu(registry, frame.profile)
    drawn = ["*", *routes] if routes is not None else product_routes(profile(frame.profile))
    strategy = schedule_of(menu, window=frame.window, routes=drawn, max_steps=frame.max_steps)
    hits = {"key dies in backoff": 0, "drop in resync": 0, "snapshot hurt in the resync": 0}
    for steps in itertools.islice(draw_schedules(strategy, seed), schedules):
        hits["key dies in backoff"] += key_dies_in_backoff(steps, gap)
        hits["drop in resync"] += drop_in_resync(steps)
        hits["snapshot hurt in the resync"] += snapshot_hurt_after_drop(steps, REFERENCE_SNAPSHOTS)
    return {name: n / schedules for name, n in hits.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schedules", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--gap", type=float, default=0.2, help="longest key-death gap after a drop")
    parser.add_argument("--budget", type=int, default=40, help="schedules a search tries")
    parser.add_argument(
        "--every-route",
        action="store_true",
        help="route faults draw from every route of the product, not the reference client's",
    )
    args = parser.parse_args()
    routes = None if args.every_route else REFERENCE_ROUTES
    for name, share in measure(args.schedules, args.seed, args.gap, routes).items():
        found = 1 - (1 - share) ** args.budget
        print(
            f"{name}: {100 * share:.1f} % of schedules; a search of {args.budget} draws one {100 * found:.0f} % of the time"
        )


if __name__ == "__main__":
    main()
