"""`python3 tasks.py bench`: the fake's performance figures, side by side in one run.

Every figure is compared with a reference measured in the same run on the same machine (a
plain websockets server, a raw asyncio push), because the machine is shared and absolute
numbers move with its load; the load average is printed with them. docs/performance.md
keeps the figures and the command that made them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import time

from bench import catalog, crowd, in_process, lateness, making, push, soak


def _load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


async def _measure(args: argparse.Namespace) -> list[str]:
    n = args.events
    lines: list[str] = []

    def say(line: str) -> None:
        print(line, flush=True)
        lines.append(line)

    say(f"python {platform.python_version()}, {os.cpu_count()} cores, load {_load()} at start")
    if args.in_process:
        say("scenario runs against the reference client, as a subprocess and in-process:")
        for line in await in_process.compare(turn=True):
            say(line)
        return lines
    if args.soak:
        s = await soak.soak(args.soak, args.soak_rate)
        say(f"serve for {s.seconds:.0f} s at {s.entries_per_s:,.0f} journal entries/s, one reader connected:")
        say(
            f"  full GC passes {s.gc_full}, longest {s.gc_full_max_ms:.1f} ms,"
            f" {s.gc_full_over_20ms} above 20 ms; longest young collection {s.gc_young_max_ms:.1f} ms"
        )
        say(
            f"  timer lateness ms ({s.timers:,} timers)  p50 {s.late_p50_ms:.2f}  p99 {s.late_p99_ms:.2f}"
            f"  max {s.late_max_ms:.2f}"
        )
        say(
            f"  resident memory {s.rss_start_mib:.1f} MiB at the start, {s.rss_end_mib:.1f} MiB at the end"
            f" (peak {s.rss_peak_mib:.1f}); journal {s.journal_size:,} entries, held from {s.journal_held_from:,}"
        )
        say(f"load {_load()} at the end")
        return lines
    raw = await push.raw_rate(n)
    ws = await push.websockets_rate(n)
    fake = await push.fake_rate(n)
    single = await push.fake_rate(n, ticks=1)
    made = await push.fake_made_rate(n)
    crowded = await push.fake_rate(n, idle=args.idle)
    say(f"push to one fast client ({n:,} account events, messages/s):")
    say(f"  raw asyncio, one write per message  {raw.rate:>10,.0f}")
    say(f"  websockets send()                   {ws.rate:>10,.0f}")
    say(
        f"  the fake                            {fake.rate:>10,.0f}   {fake.rate / ws.rate:.2f} x websockets,"
        f" {fake.rate / raw.rate:.2f} x raw ({push.PUSH_BURST} ticks, {push.PUSH_BURST * 4} events, a publish)"
    )
    say(
        f"  the fake, one tick a publish        {single.rate:>10,.0f}   {single.rate / ws.rate:.2f} x websockets"
        " (4 events a publish, as the bench measured before)"
    )
    say(
        f"  the fake, events made beforehand    {made.rate:>10,.0f}   {made.rate / ws.rate:.2f} x websockets"
        " (the push path alone: publish, frames, journal, writes)"
    )
    say(
        f"  the fake, {args.idle:,} idle connections  {crowded.rate:>10,.0f}   {crowded.rate / ws.rate:.2f} x"
        f" websockets, {crowded.rate / fake.rate:.2f} x without them"
    )
    say(
        f"  CPU per message (server thread)     websockets {ws.cpu_us:.1f} us, the fake {fake.cpu_us:.1f} us:"
        f" {ws.cpu_us / fake.cpu_us:.2f} x websockets' rate at equal CPU (raw asyncio {raw.cpu_us:.1f} us)"
    )
    say(
        f"  the fake, one tick a publish        {single.cpu_us:.1f} us ({ws.cpu_us / single.cpu_us:.2f} x websockets'"
        " rate at equal CPU)"
    )
    say(
        f"  of which the push path alone        {made.cpu_us:.1f} us ({ws.cpu_us / made.cpu_us:.2f} x websockets'"
        f" rate at equal CPU); making the events {fake.cpu_us - made.cpu_us:.1f} us"
    )
    made_by = {kind: making.making(kind) for kind in ("usdm", "isolated", "coinm")}
    say(
        "making an event on its own (Account.tick, thread CPU, best / median of 30 slices of 250 ticks): "
        + ", ".join(f"{kind} {m.best_us:.1f} / {m.median_us:.1f} us" for kind, m in made_by.items())
    )
    idle = await lateness.lateness(args.seconds)
    busy = await lateness.lateness(args.seconds, rate=args.rate)
    say(f"fault (timer) lateness, ms, {idle.samples} and {busy.samples} timers:")
    say(
        f"  idle                                p50 {idle.p50_ms:6.2f}  p99 {idle.p99_ms:6.2f}  max {idle.max_ms:6.2f}"
    )
    say(
        f"  pushing {args.rate:,.0f} events/s                p50 {busy.p50_ms:6.2f}  p99 {busy.p99_ms:6.2f}"
        f"  max {busy.max_ms:6.2f}  ({busy.events / args.seconds:,.0f} events/s reached,"
        f" longest full GC {busy.gc_max_ms:.1f} ms)"
    )
    f_rate, complete = await crowd.fake_handshakes(args.handshakes)
    w_rate = await crowd.websockets_handshakes(args.handshakes)
    f_bytes = await crowd.idle_bytes("fake", args.idle)
    w_bytes = await crowd.idle_bytes("websockets", args.idle)
    say(f"handshakes/s ({args.handshakes:,} in a row):")
    say(
        f"  the fake {f_rate:,.0f}, websockets {w_rate:,.0f}: {f_rate / w_rate:.2f} x"
        f" (journal {'complete' if complete else 'INCOMPLETE'})"
    )
    say(f"resident memory per idle connection ({args.idle:,} open):")
    say(
        f"  the fake {f_bytes / 1024:.1f} KiB, websockets {w_bytes / 1024:.1f} KiB: {f_bytes / w_bytes:.2f} x"
    )
    if args.catalog:
        wall = await asyncio.to_thread(catalog.catalog_wall)
        say(
            f"catalog wall: --jobs 1 {wall.jobs1:.1f} s, default {wall.auto:.1f} s"
            f" ({wall.auto / wall.durations_sum:.2f} x the sum of durations {wall.durations_sum:.1f} s;"
            f" longest scenario {wall.longest:.1f} s); verdicts {'identical' if wall.same_verdicts else 'DIFFER'}"
        )
    say(f"load {_load()} at the end")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(prog="python3 tasks.py bench", description=__doc__)
    parser.add_argument("--events", type=int, default=100_000, help="events per push measurement")
    parser.add_argument("--idle", type=int, default=2_000, help="idle connections")
    parser.add_argument("--rate", type=float, default=10_000, help="events/s while timing faults")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each lateness run")
    parser.add_argument("--handshakes", type=int, default=1_000, help="handshakes to time")
    parser.add_argument(
        "--soak",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="instead of the other figures, a `serve` session this long: full GC pauses, timer lateness, memory",
    )
    parser.add_argument("--soak-rate", type=float, default=1_000, help="events/s during the soak")
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="instead of the other figures, the catalog's runs per minute and overhead per run as a "
        "subprocess and in-process (docs/in-process.md), about 8 minutes",
    )
    parser.add_argument("--no-catalog", dest="catalog", action="store_false", help="skip the catalog runs")
    args = parser.parse_args()
    start = time.monotonic()
    print("+ " + " ".join(["python3 tasks.py bench", *sys.argv[1:]]), flush=True)
    asyncio.run(_measure(args))
    print(f"({time.monotonic() - start:.0f} s)")


if __name__ == "__main__":
    main()
