"""Hub CPU per issue, call-next and ticket lookup at 100 and at 20,000 waiting (the ratio is what
must stay flat), and the time to serve an unchanged snapshot at 20,000 waiting.

    python bench/queue_costs.py [--quick] [--hub-src /work/main]

Hub CPU comes from /proc/PID/stat, read just before and after each operation and summed over
many operations (the clock ticks of 10 ms average out), so only the operation itself counts.
"""
from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from harness import command, SERVICE, Hub, arguments, auth, hall_file, pair, request_id


async def fill(url: str, tokens: list[str], total: int) -> None:
    left = [total]

    async def kiosk(client, token):
        while left[0] > 0:
            left[0] -= 1
            await command(client, "/api/v1/tickets", token, {"request_id": request_id(), "service_id": SERVICE})

    async with httpx.AsyncClient(base_url=url, timeout=120, limits=httpx.Limits(max_connections=len(tokens))) as c:
        await asyncio.gather(*(kiosk(c, t) for t in tokens))


async def measure(hub: Hub, kiosk: str, caller: str, ops: int) -> dict:
    cpu = {"issue": 0.0, "call-next": 0.0, "lookup": 0.0}
    async with httpx.AsyncClient(base_url=hub.url, timeout=120) as c:
        async def timed(name, method, path, token, body=None):
            before = hub.cpu()
            r = await c.request(method, path, headers=auth(token), json=body)
            cpu[name] += hub.cpu() - before
            r.raise_for_status()
            return r.json()

        ids = []
        for _ in range(ops):
            ids.append((await timed("issue", "POST", "/api/v1/tickets", kiosk,
                                    {"request_id": request_id(), "service_id": SERVICE}))["ticket"]["id"])
        for i in range(ops):
            await timed("call-next", "POST", "/api/v1/windows/1/call-next", caller, {"request_id": request_id()})
            (await c.post("/api/v1/windows/1/finish", headers=auth(caller),
                          json={"request_id": request_id()})).raise_for_status()
        for i in ids:
            await timed("lookup", "GET", f"/api/v1/tickets/{i}", kiosk)
        first = time.perf_counter()
        (await c.get("/api/v1/snapshot", headers=auth(kiosk))).raise_for_status()
        first = time.perf_counter() - first
        again, snap_cpu = [], 0.0
        for _ in range(20):
            s, before = time.perf_counter(), hub.cpu()
            r = await c.get("/api/v1/snapshot", headers=auth(kiosk))
            again.append(time.perf_counter() - s)
            snap_cpu += hub.cpu() - before
        size = len(r.content)
    return {**{k: v / ops * 1000 for k, v in cpu.items()}, "snap_first": first * 1000,
            "snap_again": statistics.median(again) * 1000, "snap_mb": size / 1e6,
            "snap_cpu": snap_cpu / 20 * 1000}


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--waiting", type=int, nargs=2, default=None, metavar=("SMALL", "LARGE"))
    args = parser.parse_args()
    small, large = args.waiting or ((100, 5000) if args.quick else (100, 20000))
    ops = 100 if args.quick else 300
    results = {}
    with tempfile.TemporaryDirectory() as d:
        directory = Path(d)
        hall = hall_file(directory)
        for waiting in (small, large):
            db = directory / f"q-{waiting}.db"
            kiosks = pair(db, "kiosk", 50)
            caller = pair(db, "caller", 1, window=1)[0]
            with Hub(db, hall, args.hub_src) as hub:
                started = time.perf_counter()
                asyncio.run(fill(hub.url, kiosks, waiting))
                httpx.post(f"{hub.url}/api/v1/windows/1/login", headers=auth(caller),
                           json={"request_id": request_id(), "clerk_id": "c001", "pin": "0001"}).raise_for_status()
                print(f"{waiting} waiting: filled in {time.perf_counter() - started:.0f} s", flush=True)
                results[waiting] = r = asyncio.run(measure(hub, kiosks[0], caller, ops))
            print(f"  hub CPU per issue {r['issue']:.2f} ms, call-next {r['call-next']:.2f} ms, "
                  f"ticket lookup {r['lookup']:.2f} ms; /snapshot ({r['snap_mb']:.1f} MB) first {r['snap_first']:.1f} ms, "
                  f"unchanged {r['snap_again']:.1f} ms to the client (median of 20), hub CPU {r['snap_cpu']:.1f} ms",
                  flush=True)
    a, b = results[small], results[large]
    print(f"ratio {large} / {small} waiting: issue {b['issue'] / a['issue']:.2f}x, "
          f"call-next {b['call-next'] / a['call-next']:.2f}x, lookup {b['lookup'] / a['lookup']:.2f}x   "
          f"(hub from {args.hub_src})")


if __name__ == "__main__":
    main()
