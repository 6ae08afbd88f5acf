"""What the bench scripts share: a real `hallq hub` subprocess on loopback, devices paired in its
database, hub CPU from /proc, fsyncs counted with strace, and the disk's own commit rate.

`--hub-src DIR` runs the hub from another checkout (e.g. the landed main) for before/after
figures in one run: the client side is always this checkout's.
"""
from __future__ import annotations

import argparse
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hub.server import free_port  # noqa: E402
from hub.store import Store  # noqa: E402

HALL = """
[hall]
name = "压测大厅"
name_en = "Bench hall"
timezone = "Asia/Shanghai"

[queue]
number_width = 5
# The benches' kiosks issue before any clerk logs in (a real hall refuses that by default).
issue_when_closed = true

[[zones]]
id = "all"
prefix = "A"
name = "综合区"
always_open = true

[[services]]
id = "general"
zone = "all"
name = "综合业务"
minutes = 5

"""
WINDOWS = 10
HALL += "".join(f'\n[[windows]]\nid = {w}\nzones = ["all"]\n\n[[clerks]]\nid = "c{w:03d}"\nname = "柜员{w}"\npin = "{w:04d}"\n'
                for w in range(1, WINDOWS + 1))
SERVICE = "general"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def arguments(doc: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller figures, well under a minute")
    parser.add_argument("--hub-src", type=Path, default=ROOT, help="checkout whose hub to run (default: this one)")
    return parser


def hall_file(directory: Path) -> Path:
    path = directory / "bench_hall.toml"
    path.write_text(HALL, encoding="utf-8")
    return path


def pair(db: Path, role: str, count: int = 1, window: int | None = None) -> list[str]:
    store = Store(db)
    try:
        return [store.add_device(f"{role} {i}", role, window, "2026-01-01T00:00:00+08:00")[1] for i in range(count)]
    finally:
        store.close()


class Hub:
    """`python -m hub.cli hub` on a free loopback port, as an installer runs it."""

    def __init__(self, db: Path, hall: Path, src: Path = ROOT, *extra: str):
        self.db, self.port = db, free_port()
        env = dict(os.environ, PYTHONPATH=str(src))
        self.log = db.with_suffix(".log")
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hub.cli", "hub", "--hall", str(hall), "--db", str(db), "--host", "127.0.0.1",
             "--port", str(self.port), "--no-zeroconf", *extra],
            cwd=src, env=env, stdout=subprocess.DEVNULL, stderr=self.log.open("w"), text=True)
        deadline = started + 120
        ca = db.parent / "hall-ca.pem"  # a hub with TLS writes its hall CA before it listens
        self.scheme = "http"
        while True:
            try:
                if ca.exists() and self.scheme == "http":
                    # Every client of the bench (httpx, websockets, their subprocesses) trusts the hall
                    # CA through the environment, as a paired device pins it.
                    os.environ["SSL_CERT_FILE"] = str(ca)
                    self.scheme = "https"
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.perf_counter() > deadline:
                raise SystemExit("hub did not start:\n" + self.log.read_text())
            time.sleep(0.005)
        self.startup_seconds = time.perf_counter() - started
        # CPU the hub used to get there: what a quiet machine's wall time would be, near enough
        # (start-up is single-threaded), where other processes share the CPU and stretch the wall time.
        self.startup_cpu = self.cpu()

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def cpu(self) -> float:
        """Seconds of CPU the hub process has used (all its threads): utime + stime."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def __enter__(self) -> "Hub":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
        if exc[0] is not None:
            print("hub log (tail):\n" + self.log.read_text()[-3000:])


class FsyncCount:
    """fsync + fdatasync calls by the hub while in the block, counted by `strace -f -c -p PID`."""

    def __init__(self, pid: int, directory: Path):
        self.pid, self.out = pid, directory / f"strace-{pid}-{time.monotonic_ns()}.txt"
        self.calls: int | None = None
        self.why = ""

    def __enter__(self) -> "FsyncCount":
        self.proc = None
        if subprocess.run(["which", "strace"], capture_output=True).returncode != 0:
            self.why = "strace is not installed (apt-get install strace)"
            return self
        self.proc = subprocess.Popen(["strace", "-f", "-c", "-e", "trace=fsync,fdatasync", "-o", str(self.out),
                                      "-p", str(self.pid)], stderr=subprocess.PIPE, text=True)
        time.sleep(1.0)  # attaching to every thread takes a moment
        if self.proc.poll() is not None:
            self.why = "strace could not attach: " + self.proc.stderr.read().strip()
            self.proc = None
        return self

    def __exit__(self, *exc) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=30)
        text = self.out.read_text() if self.out.exists() else ""
        self.calls = sum(int(m.group(1)) for m in re.finditer(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?f(?:data)?sync$",
                                                              text, re.M))


def disk_commit_rate(directory: Path, rows: int = 300) -> float:
    """Single-row INSERT + COMMIT per second on this disk, WAL and synchronous=FULL as the hub."""
    conn = sqlite3.connect(directory / "disk.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, data TEXT)")
    started = time.perf_counter()
    for i in range(rows):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (data) VALUES (?)", ("x" * 200,))
        conn.execute("COMMIT")
    rate = rows / (time.perf_counter() - started)
    conn.close()
    return rate


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def request_id() -> str:
    return os.urandom(8).hex()


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


async def command(client: httpx.AsyncClient, path: str, token: str, body: dict) -> httpx.Response:
    """POST a command as a device does: on a dropped connection (the hub closing a kept-alive one as
    it is reused) send it again with the same request_id, which the hub answers once."""
    for attempt in range(3):
        try:
            r = await client.post(path, headers=auth(token), json=body)
            r.raise_for_status()
            return r
        except (httpx.ReadError, httpx.RemoteProtocolError):
            if attempt == 2:
                raise
    raise AssertionError("unreachable")
