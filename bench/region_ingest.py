"""Region ingest: a county's halls (1 district centre, 10 street centres, 124 community centres by default)
each ship one generated business day to one region (`hallq region run`, a subprocess) on PostgreSQL
(fsync on; a throwaway cluster unless --dsn). Prints events/s and the time the whole day's catch-up takes,
as after a WAN outage of a day: every hall ships its whole day at once.

    python bench/region_ingest.py [--halls 1,10,124] [--tickets 1500,400,60] [--shippers 8] [--dsn DSN]
"""
from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hub.client.trust import HallTrust  # noqa: E402
from hub.protocol import ca_fingerprint  # noqa: E402
from hub.server import free_port  # noqa: E402
from hub.tls import CA_CERT  # noqa: E402
from region.halls import add_hall  # noqa: E402
from region.schema import migrate  # noqa: E402
from tests.region_pg import LocalPostgres  # noqa: E402

TZ = timezone(timedelta(hours=8))
SERVICES = ["business-license", "pension", "ss-card", "property", "medical", "housing-fund", "tax", "residence"]
BATCH = 500


def business_day(tickets: int, windows: int, day: str = "2026-11-23", seed: int = 0) -> list[dict]:
    """One hall's day as the hub ships it: windows open, tickets issued 09:00-17:00, each called at a
    free window, served and finished; a third rated (好差评)."""
    rnd = random.Random(seed)
    start = datetime.fromisoformat(f"{day}T09:00:00").replace(tzinfo=TZ)
    out: list[tuple[datetime, str, dict]] = [(start, "day.started", {"day": day})]
    free_at = [start] * windows
    for w in range(windows):
        out.append((start, "window.opened", {"window_id": w + 1, "clerk_id": f"c{w + 1:03d}"}))
    issue_times = sorted(start + timedelta(seconds=rnd.uniform(0, 8 * 3600)) for _ in range(tickets))
    for t, issued in enumerate(issue_times, start=1):
        service = rnd.choice(SERVICES)
        out.append((issued, "ticket.issued", {"ticket_id": t, "number": f"A{t:04d}", "day": day, "zone_id": "general",
                                              "service_id": service, "order": float(t)}))
        w = min(range(windows), key=lambda i: free_at[i])
        called = max(issued, free_at[w]) + timedelta(seconds=5)
        done = called + timedelta(seconds=rnd.uniform(180, 900))
        free_at[w] = done
        out.append((called, "ticket.called", {"ticket_id": t, "window_id": w + 1, "clerk_id": f"c{w + 1:03d}"}))
        out.append((done, "ticket.finished", {"ticket_id": t, "window_id": w + 1}))
        if rnd.random() < 0.33:
            out.append((done + timedelta(seconds=20), "ticket.evaluated",
                        {"ticket_id": t, "score": rnd.choice([5, 5, 5, 4, 3, 1]), "reasons": [], "comment": ""}))
    out.sort(key=lambda e: e[0])
    return [{"seq": i + 1, "type": kind, "v": 2 if kind.startswith(("ticket.", "window.")) else 1,
             "at": at.isoformat(), "data": data} for i, (at, kind, data) in enumerate(out)]


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--halls", default="1,10,124", help="halls of each kind")
    p.add_argument("--tickets", default="1500,400,60", help="tickets a day for each kind")
    p.add_argument("--windows", default="60,16,3", help="windows for each kind")
    p.add_argument("--shippers", type=int, default=8, help="halls shipping at once")
    p.add_argument("--dsn", help="an empty PostgreSQL database (default: a throwaway cluster, fsync on)")
    args = p.parse_args()
    kinds = list(zip(*(map(int, v.split(",")) for v in (args.halls, args.tickets, args.windows))))
    cluster = None
    if not args.dsn:
        cluster = LocalPostgres().start(durable=True)
        args.dsn = cluster.create("bench")
    region = None
    try:
        with psycopg.connect(args.dsn, autocommit=True) as conn:
            migrate(conn)
            halls = []
            for k, (count, tickets, windows) in enumerate(kinds):
                for i in range(count):
                    code = f"k{k}-{i:03d}"
                    halls.append((code, add_hall(conn, code, code, datetime.now(timezone.utc)),
                                  business_day(tickets, windows, seed=len(halls))))
        total = sum(len(day) for _, _, day in halls)
        directory = Path(tempfile.mkdtemp(prefix="hallq-region-bench-"))
        port = free_port()
        region = subprocess.Popen([sys.executable, "-m", "region.cli", "run", "--dsn", args.dsn, "--dir",
                                   str(directory), "--host", "127.0.0.1", "--port", str(port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        url = f"https://127.0.0.1:{port}"
        while not (directory / CA_CERT).exists():
            time.sleep(0.1)
        time.sleep(0.2)
        ca = (directory / CA_CERT).read_text()
        context = HallTrust(ca, ca_fingerprint(ca)).context()
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url + "/api/v1/halls", verify=context)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the region did not start"
                time.sleep(0.1)

        def ship(hall) -> float:
            code, credential, day = hall
            with httpx.Client(base_url=url, verify=context, timeout=60,
                              headers={"Authorization": f"Bearer {credential}"}) as client:
                for i in range(0, len(day), BATCH):
                    r = client.post("/api/v1/upstream/events", json={"events": day[i:i + BATCH]})
                    r.raise_for_status()
            return time.monotonic()

        began = time.monotonic()
        with ThreadPoolExecutor(args.shippers) as pool:
            list(pool.map(ship, halls))
        took = time.monotonic() - began
        with psycopg.connect(args.dsn) as conn:
            stored = conn.execute("SELECT count(*) FROM events").fetchone()[0]
            size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
        assert stored == total, (stored, total)
        print(f"halls: {len(halls)} ({args.halls} of {args.tickets} tickets/day), events: {total}, "
              f"batches of {BATCH}, {args.shippers} halls at once")
        print(f"a whole day's catch-up: {took:.1f} s — {total / took:,.0f} events/s into one region process "
              f"(database now {size})")
        return 0
    finally:
        if region:
            region.terminate()
            region.wait(timeout=15)
        if cluster:
            cluster.close()


if __name__ == "__main__":
    sys.exit(main())
