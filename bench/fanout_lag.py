"""Call -> event lag at every one of 200 displays: p99 at 10 calls/s, median at 100 calls/s.

    python bench/fanout_lag.py [--quick] [--hub-src /work/main]

The displays are WebSocket clients in separate processes (so the client side is not the one
bottleneck); the lag of a call at a display is from sending its call-next to that display
receiving the event with the call's seq (CLOCK_MONOTONIC is shared by the processes).
"""
from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import statistics
import tempfile
import time
from pathlib import Path

import httpx
import websockets

from harness import SERVICE, WINDOWS, Hub, arguments, auth, hall_file, pair, percentile, request_id


def display_process(url: str, tokens: list[str], since: int, ready, stop, out) -> None:
    async def one(token, received):
        async with websockets.connect(f"{url}/api/v1/events?since={since}&batch=1&token={token}", max_size=None) as ws:
            await ws.recv()  # "live"
            ready.put(1)
            while True:
                frame = json.loads(await ws.recv())
                now = time.monotonic()
                for event in frame if isinstance(frame, list) else (frame,):  # several events when behind
                    received.append((event["seq"], now))

    async def main():
        received = [[] for _ in tokens]
        tasks = [asyncio.ensure_future(one(t, r)) for t, r in zip(tokens, received)]
        while not stop.is_set():
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
        for t in tasks:
            t.cancel()
        out.put(received)

    asyncio.run(main())


async def caller_loop(url: str, callers: list[tuple[int, str]], rate: float, seconds: float) -> list[tuple[int, float]]:
    """Each window calls in turn at rate/len(callers) per second; returns (seq, sent at) per call."""
    sent: list[tuple[int, float]] = []
    async with httpx.AsyncClient(base_url=url, timeout=60) as c:
        async def window(w, token, offset):
            start = time.monotonic() + offset
            period = len(callers) / rate
            n = 0
            while time.monotonic() - start < seconds:
                due = start + n * period
                await asyncio.sleep(max(0, due - time.monotonic()))
                at = time.monotonic()
                r = await c.post(f"/api/v1/windows/{w}/call-next", headers=auth(token), json={"request_id": request_id()})
                r.raise_for_status()
                sent.append((r.json()["seq"], at))
                (await c.post(f"/api/v1/windows/{w}/finish", headers=auth(token),
                              json={"request_id": request_id()})).raise_for_status()
                n += 1
        await asyncio.gather(*(window(w, t, i / rate) for i, (w, t) in enumerate(callers)))
    return sent


def run(hub: Hub, displays: list[str], callers, rate: float, seconds: float, procs: int) -> list[float]:
    since = httpx.get(f"{hub.url}/api/v1/health").json()["seq"]
    ctx = mp.get_context("spawn")
    ready, stop, out = ctx.Queue(), ctx.Event(), ctx.Queue()
    url = hub.url.replace("http", "ws", 1)
    chunks = [displays[i::procs] for i in range(procs)]
    workers = [ctx.Process(target=display_process, args=(url, chunk, since, ready, stop, out)) for chunk in chunks]
    for p in workers:
        p.start()
    for _ in displays:
        ready.get(timeout=120)
    cpu = hub.cpu()
    sent = asyncio.run(caller_loop(hub.url, callers, rate, seconds))
    cpu = hub.cpu() - cpu
    stop.set()
    lags = []
    seen = {seq: at for seq, at in sent}
    for _ in workers:
        for received in out.get(timeout=120):
            for seq, at in received:
                if seq in seen:
                    lags.append(at - seen[seq])
    for p in workers:
        p.join(timeout=30)
    # Each call is two events (called, finished) sent to every display; hub CPU per call includes both
    # commands' HTTP requests. Where other processes share the CPU, this is the figure that holds.
    print(f"  {len(sent)} calls in {seconds:.0f} s ({len(sent) / seconds:.0f}/s achieved); "
          f"{len(lags)} of {len(sent) * len(displays)} deliveries seen; hub CPU {cpu / max(1, len(sent)) * 1000:.1f} ms "
          f"per call, {cpu / max(1, 2 * len(sent) * len(displays)) * 1e6:.0f} us per event per display "
          f"(a call's two commands included)", flush=True)
    return lags


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--displays", type=int, default=200)
    parser.add_argument("--procs", type=int, default=4, help="display client processes")
    args = parser.parse_args()
    seconds = 5 if args.quick else 15
    with tempfile.TemporaryDirectory() as d:
        directory = Path(d)
        db = directory / "fanout.db"
        kiosk = pair(db, "kiosk")[0]
        displays = pair(db, "display", args.displays)
        callers = [(w, pair(db, "caller", 1, window=w)[0]) for w in range(1, WINDOWS + 1)]
        with Hub(db, hall_file(directory), args.hub_src) as hub:
            with httpx.Client(base_url=hub.url, timeout=60) as c:
                for _ in range(int(100 * seconds * 1.2) + int(10 * seconds * 1.2)):
                    c.post("/api/v1/tickets", headers=auth(kiosk),
                           json={"request_id": request_id(), "service_id": SERVICE}).raise_for_status()
                for w, token in callers:
                    c.post(f"/api/v1/windows/{w}/login", headers=auth(token),
                           json={"request_id": request_id(), "clerk_id": f"c{w:03d}", "pin": f"{w:04d}"}).raise_for_status()
            print(f"{args.displays} displays, 10 calls/s:", flush=True)
            slow = run(hub, displays, callers, 10, seconds, args.procs)
            print(f"  call -> event lag: median {statistics.median(slow) * 1000:.1f} ms, "
                  f"p99 {percentile(slow, 0.99) * 1000:.1f} ms", flush=True)
            print(f"{args.displays} displays, 100 calls/s:", flush=True)
            fast = run(hub, displays, callers, 100, seconds, args.procs)
            print(f"  call -> event lag: median {statistics.median(fast) * 1000:.1f} ms, "
                  f"p99 {percentile(fast, 0.99) * 1000:.1f} ms   (hub from {args.hub_src})", flush=True)


if __name__ == "__main__":
    main()
