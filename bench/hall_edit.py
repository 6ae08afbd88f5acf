"""One console edit on the default hall (99 windows) with a caller at every window, on a busy morning:
how long until every device has the new layout, the hub's CPU for it, and a kiosk's command latency
meanwhile. Two ways for the devices, against the same hub:
  refetch - what devices did before: on hall.changed, GET /hall and GET /snapshot (99 at once)
  apply   - what HallMirror does now: apply the layout the event carries, no request

    python bench/hall_edit.py [--quick]
"""
from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

import httpx
import websockets
from harness import ROOT, Hub, arguments, auth, command, pair, percentile, request_id

from hub.core.config import load_hall

DEFAULT_HALL = ROOT / "assets" / "halls" / "default.toml"
WINDOWS = 99
ZONE = "zonghe"  # the 综合 zone, made always open so the bench runs at any hour of the real clock
SERVICE = next(s.id for s in load_hall(DEFAULT_HALL).services if s.zone == ZONE)


def bench_hall(directory: Path) -> Path:
    text = DEFAULT_HALL.read_text(encoding="utf-8")
    marker = f'id = "{ZONE}"\n'
    assert marker in text
    path = directory / "default_always_open.toml"
    path.write_text(text.replace(marker, marker + "always_open = true\n", 1), encoding="utf-8")
    return path


async def device(url: str, token: str, since: int, http: httpx.AsyncClient, refetch: bool, ready: asyncio.Event,
                 counter: list, done: dict) -> None:
    async with websockets.connect(f"{url.replace('https', 'wss')}/api/v1/events?since={since}&token={token}",
                                  max_size=None) as ws:
        while True:
            frame = json.loads(await ws.recv())
            for event in frame if isinstance(frame, list) else (frame,):
                if not isinstance(event, dict):
                    continue
                if event.get("type") == "live":
                    counter[0] += 1
                    if counter[0] == WINDOWS:
                        ready.set()
                if event.get("type") != "hall.changed":
                    continue
                name = event["data"]["layout"]["info"]["hall"]["name"]  # which edit: the bench names each
                if refetch:
                    await fetch(http, "/hall", token)
                    await fetch(http, "/snapshot", token)
                done.setdefault(name, []).append(time.perf_counter())


async def fetch(http: httpx.AsyncClient, path: str, token: str) -> None:
    """GET as a device does: again on a kept-alive connection the hub closed as it was reused."""
    for attempt in range(3):
        try:
            (await http.get(path, headers=auth(token))).raise_for_status()
            return
        except httpx.TransportError:
            if attempt == 2:
                raise


async def kiosk_load(http: httpx.AsyncClient, token: str, stop: asyncio.Event, latencies: list) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        await command(http, "/tickets", token, {"request_id": request_id(), "service_id": SERVICE})
        latencies.append((started, time.perf_counter()))
        await asyncio.sleep(0.02)


async def run_mode(hub: Hub, callers: list[str], kiosk: str, console: str, refetch: bool, edits: int) -> dict:
    limits = httpx.Limits(max_connections=WINDOWS + 10, max_keepalive_connections=WINDOWS + 10)
    async with httpx.AsyncClient(base_url=hub.url + "/api/v1", timeout=30, limits=limits) as http:
        ready, counter, done = asyncio.Event(), [0], {}
        head = int((await http.get("/health")).json()["seq"])
        tasks = [asyncio.ensure_future(device(hub.url, t, head, http, refetch, ready, counter, done)) for t in callers]
        await asyncio.wait_for(ready.wait(), 60)
        stop, latencies = asyncio.Event(), []
        load = asyncio.ensure_future(kiosk_load(http, kiosk, stop, latencies))
        spreads, cpus, worst = [], [], []
        for i in range(edits):
            await asyncio.sleep(0.5)
            cpu, started = hub.cpu(), time.perf_counter()
            name = f"压测大厅{'R' if refetch else 'A'}{i}"
            r = await http.put("/console/config/hall", headers=auth(console), json={"name": name})
            r.raise_for_status()
            while len(done.get(name, ())) < WINDOWS:
                failed = next((t for t in tasks if t.done()), None)
                if failed is not None:
                    raise SystemExit(f"a device stopped: {failed.exception()!r}")
                await asyncio.sleep(0.005)
            finished = max(done[name])
            spreads.append(finished - started)
            cpus.append(hub.cpu() - cpu)
            # every command in flight while the devices took the edit in
            worst.append(max((end - begin for begin, end in latencies if begin <= finished and end >= started),
                             default=0.0))
        stop.set()
        await load
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return {"all_devices_s": statistics.median(spreads), "hub_cpu_s": statistics.median(cpus),
            "kiosk_worst_ms": 1000 * statistics.median(worst),
            "kiosk_p50_ms": 1000 * percentile([end - begin for begin, end in latencies], 0.5)}


async def preload(hub: Hub, kiosk: str, tickets: int) -> None:
    async with httpx.AsyncClient(base_url=hub.url + "/api/v1", timeout=30) as http:
        for start in range(0, tickets, 50):
            await asyncio.gather(*(command(http, "/tickets", kiosk, {"request_id": request_id(),
                                                                      "service_id": SERVICE})
                                   for _ in range(min(50, tickets - start))))


def main() -> None:
    args = arguments(__doc__).parse_args()
    tickets, edits = (300, 3) if args.quick else (2000, 5)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "hall.db"
        callers = [pair(db, "caller", 1, w)[0] for w in range(1, WINDOWS + 1)]
        kiosk, console = pair(db, "kiosk")[0], pair(db, "console")[0]
        with Hub(db, bench_hall(Path(tmp)), args.hub_src) as hub:
            asyncio.run(preload(hub, kiosk, tickets))
            print(f"default hall, {WINDOWS} callers following the event stream, {tickets} tickets waiting; "
                  f"median of {edits} edits (PUT /console/config/hall)")
            for name, refetch in (("refetch (before)", True), ("apply (now)", False)):
                r = asyncio.run(run_mode(hub, callers, kiosk, console, refetch, edits))
                print(f"  {name:17s} every device updated {r['all_devices_s'] * 1000:7.0f} ms after the edit, "
                      f"hub CPU {r['hub_cpu_s'] * 1000:6.0f} ms, kiosk command worst {r['kiosk_worst_ms']:6.0f} ms "
                      f"(p50 over the run {r['kiosk_p50_ms']:.0f} ms)")


if __name__ == "__main__":
    main()
