"""Restart with 100,000 events in the log: seconds from starting `hallq hub` until /health answers.

    python bench/restart.py [--quick] [--hub-src DIR] [--also /work/main]

The log is a busy day written by this checkout's hub (tickets issued, called and finished at
10 windows). It is timed as written (a state snapshot every 5,000 events) and on a copy without
snapshots, as a hub that snapshots only at day start leaves it (the day starts at the first
event); a hub on an empty database gives the start-up floor (Python, imports, the port).
"""
from __future__ import annotations

import asyncio
import secrets
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from harness import SERVICE, WINDOWS, Hub, arguments, hall_file
from hub.server import build_service


async def write_day(db: Path, hall: Path, events: int) -> int:
    hub = build_service(db, hall)
    for w in range(1, WINDOWS + 1):
        await hub._execute(None, None, lambda now, w=w: hub.hall.login(now, w, f"c{w:03d}", f"{w:04d}"), lambda r: {})
    while hub.seq < events:
        answers = []
        for _ in range(WINDOWS):
            answers.append(hub._decide(None, None, lambda now: hub.hall.issue(now, SERVICE, secrets.token_urlsafe(16)), lambda r: {}))
        for action in ("call_next", "finish"):
            for w in range(1, WINDOWS + 1):
                answers.append(hub._decide(None, None, lambda now, w=w: getattr(hub.hall, action)(now, w), lambda r: {}))
        await asyncio.gather(*(a for a in answers if isinstance(a, asyncio.Future)))
    seq = hub.seq
    hub.close()
    return seq


def only_day_start_snapshots(db: Path) -> None:
    """The day started at the log's first event, so its snapshot is as good as none."""
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM snapshots")


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--also", type=Path, nargs="*", default=[], help="more checkouts whose hub to time on the same logs")
    args = parser.parse_args()
    events = 20_000 if args.quick else 100_000
    with tempfile.TemporaryDirectory() as d:
        directory = Path(d)
        hall, db = hall_file(directory), directory / "day.db"
        started = time.perf_counter()
        seq = asyncio.run(write_day(db, hall, events))
        print(f"wrote {seq} events in {time.perf_counter() - started:.0f} s; db {db.stat().st_size / 1e6:.0f} MB")
        old = directory / "day-start-snapshots.db"
        shutil.copy(db, old)
        only_day_start_snapshots(old)
        for i, src in enumerate((args.hub_src, *args.also)):
            timings = {}
            for name, path in (("empty", directory / f"empty-{i}.db"), ("now", db),
                               ("before", old)):
                with Hub(path, hall, src) as hub:
                    timings[name] = hub.startup_seconds, hub.startup_cpu
            now, before, floor = timings["now"], timings["before"], timings["empty"]
            print(f"hub from {src}: restart until /health answers (wall; hub CPU): {now[0]:.2f} s; {now[1]:.2f} s "
                  f"with snapshots every 5,000 events; {before[0]:.2f} s; {before[1]:.2f} s replaying from the day's "
                  f"start; empty database {floor[0]:.2f} s; {floor[1]:.2f} s")
            print(f"  the log's own share (hub CPU beyond the empty database's): {now[1] - floor[1]:.2f} s with "
                  f"snapshots, {before[1] - floor[1]:.2f} s from the day's start", flush=True)


if __name__ == "__main__":
    main()
