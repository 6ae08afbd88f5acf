"""Group commit: tickets/s, fsyncs per acknowledged ticket and hub CPU per ticket at 1 and 50
concurrent kiosks, beside the disk's own single-row commit rate measured in the same run.

    python bench/group_commit.py [--quick] [--clients 5] [--hub-src /work/main]

The kiosks are spread over several client processes (`--clients`, 10 kiosks each at most), as
50 kiosks are 50 machines: one Python client process for all of them spends more CPU per request
than the hub and sends them one after another, so batches could not form. Each process opens its
connections (TLS handshakes) before the timed phases and keeps them, as a kiosk keeps its own.
Phases: tickets timed for rate and hub CPU; tickets with fsyncs counted by strace; GET /me (an
authorised request that decides and writes nothing: the HTTP + TLS stack's own cost per request).
"""
from __future__ import annotations

import asyncio
import multiprocessing as mp
import tempfile
import time
from pathlib import Path

import httpx

from harness import command, SERVICE, FsyncCount, Hub, arguments, auth, disk_commit_rate, hall_file, pair, request_id

PHASES = ("warm", "timed", "fsyncs", "me")


def client_process(url: str, tokens: list[str], counts: dict[str, int], go, done) -> None:
    """Runs each phase when told (`go` queue), reporting when its share is done (`done` queue)."""

    async def phase(client: httpx.AsyncClient, name: str) -> None:
        left = [counts[name]]

        async def kiosk(token: str) -> None:
            while left[0] > 0:
                left[0] -= 1
                if name == "me":
                    (await client.get("/api/v1/me", headers=auth(token))).raise_for_status()
                else:
                    await command(client, "/api/v1/tickets", token, {"request_id": request_id(), "service_id": SERVICE})

        await asyncio.gather(*(kiosk(t) for t in tokens))

    async def main() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=60, limits=httpx.Limits(max_connections=len(tokens))) as c:
            for name in PHASES:
                await asyncio.get_running_loop().run_in_executor(None, go.get)
                await phase(c, name)
                done.put(name)

    asyncio.run(main())


def run(kiosks: int, tickets: int, clients: int, directory: Path, src: Path) -> dict:
    db = directory / f"gc-{kiosks}.db"
    tokens = pair(db, "kiosk", kiosks)
    procs = min(clients, kiosks)
    shares = [tokens[i::procs] for i in range(procs)]
    totals = {"warm": max(50, kiosks * 2), "timed": tickets, "fsyncs": max(100, tickets // 4), "me": tickets}
    ctx = mp.get_context("spawn")
    with Hub(db, hall_file(directory), src) as hub:
        gos, done = [ctx.Queue() for _ in shares], ctx.Queue()
        workers = [ctx.Process(target=client_process, args=(hub.url, share, {k: v * len(share) // kiosks for k, v in totals.items()},
                                                           go, done)) for share, go in zip(shares, gos)]
        for w in workers:
            w.start()

        def phase(name: str) -> tuple[float, float]:
            cpu, started = hub.cpu(), time.perf_counter()
            for go in gos:
                go.put(name)
            for _ in workers:
                done.get(timeout=600)
            return time.perf_counter() - started, hub.cpu() - cpu

        done_per_phase = {k: sum(v * len(s) // kiosks for s in shares) for k, v in totals.items()}
        phase("warm")  # the day opens, connections are made
        seconds, cpu = phase("timed")
        with FsyncCount(hub.proc.pid, directory) as fsyncs:
            phase("fsyncs")
        _, floor = phase("me")
        for w in workers:
            w.join(timeout=60)
    n = done_per_phase["timed"]
    return {"rate": n / seconds, "cpu_ms": cpu / n * 1000, "fsyncs": fsyncs.calls, "counted": done_per_phase["fsyncs"],
            "why": fsyncs.why, "floor_ms": floor / done_per_phase["me"] * 1000, "procs": procs}


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--clients", type=int, default=5, help="client processes the kiosks are spread over")
    args = parser.parse_args()
    tickets = 400 if args.quick else 2000
    with tempfile.TemporaryDirectory() as d:
        directory = Path(d)
        disk = disk_commit_rate(directory)
        print(f"disk: single-row INSERT+COMMIT (WAL, synchronous=FULL): {disk:.0f}/s   hub from {args.hub_src}")
        results = {}
        for kiosks in (1, 50):
            r = results[kiosks] = run(kiosks, tickets, args.clients, directory, args.hub_src)
            per = f"{r['fsyncs'] / r['counted']:.2f}" if r["fsyncs"] is not None else f"n/a ({r['why']})"
            print(f"{kiosks:>3} kiosks ({r['procs']} client processes): {r['rate']:7.0f} tickets/s "
                  f"({r['rate'] / disk:.2f}x the disk's commit rate); fsyncs per acknowledged ticket {per} "
                  f"(over {r['counted']}); hub CPU {r['cpu_ms']:.2f} ms/ticket, "
                  f"{r['floor_ms']:.2f} ms per GET /me (the HTTP + TLS stack alone)", flush=True)
        print(f"50 kiosks vs 1: {results[50]['rate'] / results[1]['rate']:.2f}x the tickets/s")


if __name__ == "__main__":
    main()
