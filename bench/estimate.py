"""The wait estimate on a loaded day of the default hall: its error against the waits that came,
the old rule's beside it (same day, same tickets), and what one refresh of the forecast costs.

    python bench/estimate.py [--quick] [--seed N]

The day is played through the core's Hall (tests/busy_day.py): about 2,500 tickets from 09:00
to 17:00, two windows in three staffed, visits taking what they really take (each service off the
hall file's minutes by its own random factor, one window in five 30% slower; scaled so arrivals are
--load of what the staffed windows can serve), 8% transfers, 5% no-shows, 10% priority.
Services no staffed window serves are not issued (the kiosk refuses them).

A refresh is one forecast() of the whole hall. The hub plays it again after one event per
TICKETS_PER_EVENT tickets in the last play, or REFRESH_SECONDS of its clock (more for a long
queue; hub/app/forecasts.py;
a long queue's play is made by a worker thread), so its cost per event is a refresh's over that
many events: printed beside it for this day's queue. A ticket just issued is added behind that
play, not replayed; a transfer, a priority ticket or a no-show sent back is played in, stopping
when it is called.
The last line is the worst a 2,500-ticket day can ask: all of them waiting at once.
Costs are CPU time (process_time): the figures hold on a machine other work shares.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from busy_day import play_day  # noqa: E402

from hub.app.forecasts import REFRESH_SECONDS, TICKETS_PER_EVENT, TICKETS_PER_SECOND  # noqa: E402
from hub.core.config import load_hall  # noqa: E402
from hub.core.engine import Hall  # noqa: E402
from hub.core.events import WindowOpened  # noqa: E402
from hub.core.forecast import forecast  # noqa: E402

OPEN_HOURS = 8
TICKETS = 2500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a two-hour day, every ticket estimated")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--load", type=float, default=1.1,
                        help="arrivals over what the staffed windows can serve (default 1.1: queues build)")
    args = parser.parse_args()
    cfg = load_hall(ROOT / "assets" / "halls" / "default.toml")
    rnd = random.Random(args.seed)
    windows = [w.id for w in cfg.windows]
    staffed = sorted(rnd.sample(windows, k=round(len(windows) * 2 / 3)))
    served = {s for w in staffed for s in cfg.window_services(w)}
    # Arrivals in proportion to what the staffed windows can do, scaled to the day's ticket count.
    weight = {s.id: 0.0 for s in cfg.services if s.id in served}
    for w in staffed:
        services = [s for s in cfg.services if s.id in cfg.window_services(w)]
        for s in services:
            weight[s.id] += 1 / (len(services) * s.minutes)
    hours = 2 if args.quick else OPEN_HOURS
    tickets = TICKETS * hours / OPEN_HOURS
    per_hour = {s: tickets / hours * v / sum(weight.values()) for s, v in weight.items()}
    # Each service off the hall file by its own factor; all scaled so the staffed windows can serve
    # the day's arrivals at the chosen load.
    true_minutes = {s.id: s.minutes * rnd.uniform(0.7, 1.5) for s in cfg.services}
    slow = {w: 1.3 for w in rnd.sample(staffed, k=len(staffed) // 5)}

    def capacity() -> float:
        return sum(60 / (slow.get(w, 1.0) * statistics.fmean(true_minutes[s] for s in cfg.window_services(w)))
                   for w in staffed)

    scale = capacity() * args.load / (tickets / hours)
    true_minutes = {s: m * scale for s, m in true_minutes.items()}
    start = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo(cfg.hall.timezone))
    began = time.perf_counter()
    day = play_day(cfg, start, hours, staffed, per_hour, true_minutes=true_minutes, slow_windows=slow,
                   estimate_every=1 if args.quick else 5, seed=args.seed, timer=time.process_time)
    played = time.perf_counter() - began
    called = day.called
    waits = [c.waited for c in called]
    print(f"default hall, {len(staffed)} of {len(windows)} windows staffed, {hours} h, "
          f"~{tickets:.0f} tickets ({sum(per_hour.values()):.0f}/h against ~{capacity():.0f} visits/h of capacity); "
          f"visits take {statistics.fmean(true_minutes[s] / cfg.service(s).minutes for s in per_hour):.2f}x "
          "the hall file's minutes on average")
    print(f"estimated tickets: {len(day.citizens)} (every {1 if args.quick else 5}th), called: {len(called)}; "
          f"actual wait mean {statistics.fmean(waits):.1f} min, median {statistics.median(waits):.1f}, "
          f"max {max(waits):.0f}")
    for which, name in (("old", "old rule (same service ahead / open windows)"), ("new", "forecast")):
        bias = statistics.fmean(getattr(c, which) - c.waited for c in called)
        late = sum(c.waited - getattr(c, which) >= 15 for c in called) / len(called)
        print(f"  {name:45s} MAE {day.mae(which):5.1f} min  bias {bias:+5.1f}  waited 15+ min longer: {late:4.0%}")
    print(f"  forecast's range held the wait for {day.within_range():.0%} of tickets")
    cost = sorted(zip(day.forecast_seconds, day.waiting))
    ms = [1000 * c for c, _ in cost]
    print(f"one refresh (forecast of the whole hall), CPU: median {statistics.median(ms):.1f} ms, "
          f"p95 {ms[int(len(ms) * 0.95)]:.1f} ms, max {ms[-1]:.1f} ms ({cost[-1][1]} waiting then, "
          f"{max(day.waiting)} at most) over {len(ms)} refreshes in the day ({played:.0f} s to play it)")

    # The worker is asked for the next play halfway through the tolerance: after waiting/(2 x TICKETS_PER_EVENT) events.
    per_event = [c / (w // (2 * TICKETS_PER_EVENT) + 1) for c, w in cost]
    print(f"the hub's refresh rule (a play at most every waiting/{2 * TICKETS_PER_EVENT} events, or "
          f"{REFRESH_SECONDS / 2:.0f} s while read): CPU per event at most, median {1000 * statistics.median(per_event):.1f} ms, "
          f"max {1000 * max(per_event):.1f} ms; per {REFRESH_SECONDS / 2:.0f} s at most {ms[-1]:.0f} ms "
          f"(this day's queue is under the {REFRESH_SECONDS * TICKETS_PER_SECOND} tickets past which a play is kept longer)")

    print(worst_refresh(cfg, start, staffed, list(per_hour), rnd))


def worst_refresh(cfg, start: datetime, staffed: list[int], services: list[str], rnd: random.Random) -> str:
    hall = Hall(cfg)
    for e in hall.rollover(start):
        hall.apply(e)
    for w in staffed:
        hall.apply(WindowOpened(start.isoformat(), window_id=w, clerk_id=f"clerk{w}"))
    for i in range(TICKETS):
        _, events = hall.issue(start, rnd.choice(services), f"t{i}", ignore_hours=True,
                               priority_reason="elderly" if rnd.random() < 0.1 else None)
        for e in events:
            hall.apply(e)
    runs = []
    for _ in range(5):
        began = time.process_time()
        forecast(hall.state, cfg, start)
        runs.append(time.process_time() - began)
    return (f"all {TICKETS} tickets waiting at once: one refresh, CPU, median of 5: "
            f"{1000 * statistics.median(runs):.0f} ms")


if __name__ == "__main__":
    main()
