"""Hub figures for a busy hall: ticket issue rate, call-next latency with a long queue,
restart (replay) time and memory. Prints figures; asserts nothing.

    python bench/hub_bench.py [--tickets 2000]
"""
from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hub.core.clock import ManualClock
from hub.server import DEFAULT_HALL, HubServer, build_service


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def run(n: int, db: Path) -> None:
    clock = ManualClock(datetime(2026, 11, 23, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")))
    server = HubServer(build_service(db, DEFAULT_HALL, clock)).start()
    kiosk = server.client("kiosk", "bench kiosk")
    caller = server.client("caller", "bench caller", 1)
    hall = await kiosk.hall()
    services = [s["id"] for s in hall["services"] if 1 in s["windows"]]
    # Window 1 open first: the hall issues no ticket for a service no open window serves.
    await caller.login(1, "c001", (Path(DEFAULT_HALL).read_text(encoding="utf-8").split('id = "c001"')[1]
                                   .split('pin = "')[1].split('"')[0]))

    t0 = time.perf_counter()
    lat = []
    for i in range(n):
        s = time.perf_counter()
        await kiosk.issue_ticket(services[i % len(services)])
        lat.append(time.perf_counter() - s)
    elapsed = time.perf_counter() - t0
    print(f"issue: {n} tickets in {elapsed:.2f} s = {n / elapsed:.0f}/s; "
          f"latency median {statistics.median(lat) * 1000:.1f} ms, p99 {sorted(lat)[int(n * 0.99)] * 1000:.1f} ms")

    calls = []
    for _ in range(200):
        s = time.perf_counter()
        await caller.call_next(1)
        calls.append(time.perf_counter() - s)
        await caller.finish(1)
    print(f"call-next with ~{n} waiting: median {statistics.median(calls) * 1000:.1f} ms, "
          f"max {max(calls) * 1000:.1f} ms")
    s = time.perf_counter()
    snap = await caller.snapshot()
    print(f"snapshot: {len(snap['tickets'])} active tickets in {(time.perf_counter() - s) * 1000:.0f} ms")
    seq = snap["seq"]
    await kiosk.aclose()
    await caller.aclose()
    server.stop()

    s = time.perf_counter()
    service = build_service(db, DEFAULT_HALL, clock)
    print(f"restart: replayed {seq} events in {time.perf_counter() - s:.2f} s; "
          f"db {db.stat().st_size / 1e6:.1f} MB; peak RSS {rss_mb():.0f} MB")
    service.store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as d:
        asyncio.run(run(args.tickets, Path(d) / "bench.db"))


if __name__ == "__main__":
    main()
