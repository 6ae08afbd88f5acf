"""`hallq hub` as the county IT staff run it: a real process, killed hard, found by zeroconf."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import ssl
import subprocess
import sys
import time

import httpx
import pytest

from conftest import SMALL_HALL
from hub.client import HubClient
from hub.protocol import ca_fingerprint
from hub.server import free_port


def start_hub(db, port, *extra) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "hub.cli", "hub", "--hall", str(SMALL_HALL), "--db", str(db), "--host", "127.0.0.1",
         "--port", str(port), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 20
    ca = db.parent / "hall-ca.pem"  # written at first start, before the hub listens
    while time.monotonic() < deadline:
        try:
            if ca.exists() and httpx.get(f"https://127.0.0.1:{port}/api/v1/health", timeout=0.5,
                                         verify=ssl.create_default_context(cafile=str(ca))).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("hub did not start:\n" + proc.stdout.read())


def pair(db, role, name) -> tuple[str, str]:
    """`hallq hub pair` on the hub's machine: (the token, the hall CA fingerprint it prints)."""
    out = subprocess.run([sys.executable, "-m", "hub.cli", "hub", "pair", "--hall", str(SMALL_HALL), "--db", str(db),
                          "--role", role, "--name", name], capture_output=True, text=True, check=True)
    token, fingerprint = out.stdout.strip().splitlines()[-2:]
    return token, fingerprint.rsplit(" ", 1)[-1]


def test_acknowledged_ticket_survives_kill_9(tmp_path):
    db, port = tmp_path / "hall.db", free_port()
    token, fingerprint = pair(db, "kiosk", "Kiosk 1")
    proc = start_hub(db, port, "--no-zeroconf")
    url = f"https://127.0.0.1:{port}"

    async def issue(n):
        # the device given the CLI's token and fingerprint pins the CA the hub serves, if it has that fingerprint
        client = HubClient(url, token, trust=await HubClient.fetch_trust(url, fingerprint))
        try:
            return [(await client.issue_ticket("self-print"))["ticket"] for _ in range(n)]
        finally:
            await client.aclose()

    try:
        issued = asyncio.run(issue(3))
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    proc = start_hub(db, port, "--no-zeroconf")
    try:
        async def after():  # the restarted hub serves the same CA (reused from beside the database)
            client = HubClient(url, token, trust=await HubClient.fetch_trust(url, fingerprint))
            try:
                kept = [await client.ticket(t["id"]) for t in issued]
                nxt = (await client.issue_ticket("self-print"))["ticket"]
                return kept, nxt
            finally:
                await client.aclose()

        kept, nxt = asyncio.run(after())
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert [t["number"] for t in kept] == ["Z001", "Z002", "Z003"]
    assert all(t["state"] == "waiting" for t in kept)
    assert nxt["number"] == "Z004"


def test_hub_is_found_by_zeroconf_from_another_process(tmp_path):
    port = free_port()
    proc = start_hub(tmp_path / "hall.db", port, "--advertise-address", "127.0.0.1")
    fingerprint = ca_fingerprint((tmp_path / "hall-ca.pem").read_text())
    other_hall = "ab" * 32
    try:
        found = subprocess.run(
            [sys.executable, "-c", "from hub.discovery import discover; import json; "
             f"print(json.dumps(discover(8, interfaces=['127.0.0.1'], fingerprint='{fingerprint.upper()}'), "
             "ensure_ascii=False)); "
             f"print(json.dumps(discover(3, interfaces=['127.0.0.1'], fingerprint='{other_hall}')))"],
            capture_output=True, text=True, timeout=30)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    mine, others = found.stdout.strip().splitlines()
    assert f"https://127.0.0.1:{port}" in mine and "测试政务服务中心" in mine and fingerprint in mine
    assert json.loads(others) == []  # a device pinned to another hall's CA ignores this hub


def test_bad_hall_file_stops_the_hub_with_a_clear_message(tmp_path):
    """Bad input: a hall file with an unknown zone id in a service; `hallq hub` exits 2 naming line and field."""
    bad = SMALL_HALL.read_text(encoding="utf-8").replace('zone = "social"', 'zone = "socail"', 1)
    path = tmp_path / "bad.toml"
    path.write_text(bad, encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "hub.cli", "hub", "--hall", str(path), "--db", str(tmp_path / "h.db"),
                          "--no-zeroconf"], capture_output=True, text=True, timeout=30)
    line = bad.splitlines().index('zone = "socail"') + 1
    assert out.returncode == 2
    assert f"line {line}" in out.stderr and "services[3].zone" in out.stderr and "socail" in out.stderr


@pytest.mark.parametrize("missing", ["--role", "--name"])
def test_pair_without_role_or_name_is_refused(tmp_path, missing):
    """Bad input: `hallq hub pair` with a missing option."""
    args = {"--role": "kiosk", "--name": "K"}
    args.pop(missing)
    out = subprocess.run([sys.executable, "-m", "hub.cli", "hub", "pair", "--hall", str(SMALL_HALL), "--db",
                          str(tmp_path / "h.db"), *sum(args.items(), ())], capture_output=True, text=True, timeout=30)
    assert out.returncode == 2 and "pair needs --role and --name" in out.stderr


def test_hub_with_a_citizen_port_links_tickets_there(tmp_path):
    """`hallq hub --public-port`: QR links point at the citizens' listener, which serves the ticket
    page and not the console."""
    db, port, public = tmp_path / "hall.db", free_port(), free_port()
    token, fingerprint = pair(db, "kiosk", "Kiosk 1")
    proc = start_hub(db, port, "--no-zeroconf", "--public-port", str(public))
    url = f"https://127.0.0.1:{port}"

    async def issue():
        client = HubClient(url, token, trust=await HubClient.fetch_trust(url, fingerprint))
        try:
            return (await client.issue_ticket("self-print"))["ticket"]
        finally:
            await client.aclose()

    try:
        ticket = asyncio.run(issue())
        page = httpx.get(ticket["url"], timeout=5)
        console = httpx.get(f"http://127.0.0.1:{public}/console", timeout=5)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert ticket["url"].startswith(f"http://127.0.0.1:{public}/t/")
    assert page.status_code == 200 and console.status_code == 404


@pytest.mark.parametrize("flag, logged", [((), False), (("--access-log",), True)])
def test_request_log_only_when_asked(tmp_path, flag, logged):
    """A line per request costs the hub more CPU than the ticket itself: off unless --access-log."""
    port = free_port()
    proc = start_hub(tmp_path / "hall.db", port, "--no-zeroconf", *flag)
    try:
        ca = ssl.create_default_context(cafile=str(tmp_path / "hall-ca.pem"))
        assert httpx.get(f"https://127.0.0.1:{port}/api/v1/health", verify=ca).status_code == 200
    finally:
        proc.terminate()
        out = proc.communicate(timeout=10)[0]
    assert ("GET /api/v1/health" in out) is logged
