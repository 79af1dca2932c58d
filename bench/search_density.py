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
  or `resync`: the resync under way (clients/broken_sequences/resync_flag_stuck.py).

    python -m bench.search_density                 # 2,000 schedules, seed 0, gaps up to 0.2 s
    python -m bench.search_density --gap 0.5 --schedules 5000
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
from harness.search.strategies import START_TRIGGERS, DrawnStep, draw_schedules, schedule_of

#: The shortest gap that counts: the client's key check after the close must come first.
MIN_GAP = 0.05
#: How soon after a connect a drop catches the resync under way.
RESYNC_WINDOW = 0.45


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


def measure(schedules: int, seed: int, gap: float) -> dict[str, float]:
    registry, _ = default_registries()
    frame = Frame()
    menu = fault_menu(registry, frame.profile)
    strategy = schedule_of(
        menu, window=frame.window, profile=profile(frame.profile), max_steps=frame.max_steps
    )
    hits = {"key dies in backoff": 0, "drop in resync": 0}
    for steps in itertools.islice(draw_schedules(strategy, seed), schedules):
        hits["key dies in backoff"] += key_dies_in_backoff(steps, gap)
        hits["drop in resync"] += drop_in_resync(steps)
    return {name: n / schedules for name, n in hits.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schedules", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--gap", type=float, default=0.2, help="longest key-death gap after a drop")
    parser.add_argument("--budget", type=int, default=40, help="schedules a search tries")
    args = parser.parse_args()
    for name, share in measure(args.schedules, args.seed, args.gap).items():
        found = 1 - (1 - share) ** args.budget
        print(
            f"{name}: {100 * share:.1f} % of schedules; a search of {args.budget} draws one {100 * found:.0f} % of the time"
        )


if __name__ == "__main__":
    main()
