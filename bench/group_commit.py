"""Group commit: tickets/s, fsyncs per acknowledged ticket and hub CPU per ticket at 1 and 50
concurrent kiosks, beside the disk's own single-row commit rate measured in the same run.

    python bench/group_commit.py [--quick] [--hub-src /work/main]
"""
from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

import httpx

from harness import command, SERVICE, FsyncCount, Hub, arguments, auth, disk_commit_rate, hall_file, pair, request_id


async def issue(url: str, tokens: list[str], total: int) -> tuple[int, float]:
    """`len(tokens)` kiosks issue `total` tickets between them as fast as answers come back."""
    left = [total]

    async def kiosk(client: httpx.AsyncClient, token: str) -> None:
        while left[0] > 0:
            left[0] -= 1
            await command(client, "/api/v1/tickets", token, {"request_id": request_id(), "service_id": SERVICE})

    async with httpx.AsyncClient(base_url=url, timeout=60, limits=httpx.Limits(max_connections=len(tokens))) as c:
        started = time.perf_counter()
        await asyncio.gather(*(kiosk(c, t) for t in tokens))
        return total, time.perf_counter() - started


def run(kiosks: int, tickets: int, directory: Path, src: Path) -> dict:
    db = directory / f"gc-{kiosks}.db"
    hall = hall_file(directory)
    tokens = pair(db, "kiosk", kiosks)
    with Hub(db, hall, src) as hub:
        asyncio.run(issue(hub.url, tokens, 50))  # warm up: the day opens, connections are made
        cpu = hub.cpu()
        n, seconds = asyncio.run(issue(hub.url, tokens, tickets))
        cpu = hub.cpu() - cpu
        with FsyncCount(hub.proc.pid, directory) as fsyncs:
            counted, _ = asyncio.run(issue(hub.url, tokens, max(100, tickets // 4)))
        before = hub.cpu()
        asked = asyncio.run(ask_me(hub.url, tokens, tickets))
        floor = hub.cpu() - before
    return {"rate": n / seconds, "cpu_ms": cpu / n * 1000, "fsyncs": fsyncs.calls, "counted": counted,
            "why": fsyncs.why, "floor_ms": floor / asked * 1000}


async def ask_me(url: str, tokens: list[str], total: int) -> int:
    """The same kiosks ask GET /me (authorised, nothing decided or written): the HTTP stack's own cost."""
    left = [total]

    async def kiosk(client: httpx.AsyncClient, token: str) -> None:
        while left[0] > 0:
            left[0] -= 1
            (await client.get("/api/v1/me", headers=auth(token))).raise_for_status()

    async with httpx.AsyncClient(base_url=url, timeout=60, limits=httpx.Limits(max_connections=len(tokens))) as c:
        await asyncio.gather(*(kiosk(c, t) for t in tokens))
    return total


def main() -> None:
    args = arguments(__doc__).parse_args()
    tickets = 400 if args.quick else 2000
    with tempfile.TemporaryDirectory() as d:
        directory = Path(d)
        disk = disk_commit_rate(directory)
        print(f"disk: single-row INSERT+COMMIT (WAL, synchronous=FULL): {disk:.0f}/s   hub from {args.hub_src}")
        results = {}
        for kiosks in (1, 50):
            r = results[kiosks] = run(kiosks, tickets, directory, args.hub_src)
            per = f"{r['fsyncs'] / r['counted']:.2f}" if r["fsyncs"] is not None else f"n/a ({r['why']})"
            print(f"{kiosks:>3} kiosks: {r['rate']:7.0f} tickets/s ({r['rate'] / disk:.2f}x the disk's commit rate); "
                  f"fsyncs per acknowledged ticket {per} (over {r['counted']}); hub CPU {r['cpu_ms']:.2f} ms/ticket, "
                  f"{r['floor_ms']:.2f} ms per GET /me (the HTTP stack alone)")
        print(f"50 kiosks vs 1: {results[50]['rate'] / results[1]['rate']:.2f}x the tickets/s")


if __name__ == "__main__":
    main()
