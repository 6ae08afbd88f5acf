"""TLS on the hall LAN: devices pin the hall CA at pairing and refuse any other hub; citizens'
phones reach only their ticket page on a listener of its own."""
from __future__ import annotations

import asyncio
import json
import os
import re
import stat
import subprocess
import sys
from argparse import Namespace
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from cryptography import x509
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from conftest import HubHandle
from hub.api import commands, events, queries
from hub.api.app import create_app
from hub.client import HallTrust, HubClient, HubError, device_settings_path, resolve_connection
from hub.console import admin, reports
from hub.protocol import API_PREFIX
from hub.server import HubServer, build_service
from hub.tls import covered_names, hall_tls, spaced


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("HALLQ_HOME", str(tmp_path / "hallq-home"))
    return tmp_path / "hallq-home"


@pytest.fixture
def other_hall(tmp_path) -> HallTrust:
    """The CA of the next county's hall: a real hall CA, made the same way, that is not ours."""
    tls = hall_tls(tmp_path / "other-hall", ["localhost", "127.0.0.1"])
    return HallTrust(tls.ca_pem, tls.fingerprint)


def args(**given) -> Namespace:
    return Namespace(**{"hub": None, "token": None, "pair": None, "fingerprint": None, **given})


def pairing_code(hub, role: str = "kiosk", window: int | None = None) -> str:
    r = httpx.post(f"{hub.url}/api/v1/console/pairing-codes", verify=hub.ssl,
                   headers={"Authorization": f"Bearer {hub.pair('console', 'manager')}"},
                   json={"role": role, "name": f"{role} {window or ''}", "window_id": window})
    assert r.status_code == 200, r.text
    return r.json()["code"]


async def test_a_device_paired_by_code_works_over_tls(hub):
    """Pairing by code with the fingerprint the hub printed: the device pins the hall CA, and its
    commands and event stream go over TLS verified against it."""
    typed = spaced(hub.server.tls.fingerprint).upper()  # as read off the console, in groups of four
    connection = await resolve_connection(args(hub=hub.url, pair=pairing_code(hub), fingerprint=typed), "kiosk")
    assert connection.trust.fingerprint == hub.server.tls.fingerprint
    saved = json.loads(device_settings_path("kiosk").read_text(encoding="utf-8"))
    assert saved["ca_fingerprint"] == hub.server.tls.fingerprint and "BEGIN CERTIFICATE" in saved["ca_pem"]
    assert stat.S_IMODE(device_settings_path("kiosk").stat().st_mode) == 0o600

    kiosk = connection.client(retry_delay=0.05, max_backoff=0.5)
    heard: list[dict] = []
    kiosk.on_event(heard.append)
    try:
        kiosk.start_events()
        for _ in range(200):
            if kiosk.connected:
                break
            await asyncio.sleep(0.02)
        assert kiosk.connected
        ticket = (await kiosk.issue_ticket("self-print"))["ticket"]
        for _ in range(200):
            if any(e.get("data", {}).get("ticket", {}).get("id") == ticket["id"] for e in heard):
                break
            await asyncio.sleep(0.02)
        assert any(e["type"] == "ticket.issued" and e["data"]["ticket"]["id"] == ticket["id"] for e in heard)
    finally:
        await kiosk.aclose()


async def test_a_device_pinned_to_another_halls_ca_refuses_to_connect_and_says_why(hub, other_hall):
    """Bad input: a device whose pinned CA is another hall's (a hub swapped in, or an impostor).
    Neither a command nor the event stream reaches the hub, and the reason is a clear message."""
    seq = hub.server.service.seq
    lost = HubClient(hub.url, hub.pair("kiosk", "K"), trust=other_hall, retry_delay=0.05, max_backoff=0.2)
    changes: list[dict] = []
    lost.on_connection(changes.append)
    try:
        with pytest.raises(HubError) as refused:
            await lost.issue_ticket("self-print")
        assert refused.value.code == "TLS_PIN_MISMATCH"
        assert "证书" in refused.value.message and "certificate" in refused.value.message_en
        lost.start_events()
        for _ in range(200):
            if changes:
                break
            await asyncio.sleep(0.02)
        assert changes[0]["connected"] is False and changes[0]["error"]["code"] == "TLS_PIN_MISMATCH"
    finally:
        await lost.aclose()
    assert hub.server.service.seq == seq  # nothing was issued: the request never reached the hub


async def test_pairing_with_another_halls_fingerprint_sends_no_code(hub, other_hall):
    """Bad input: the installer typed the fingerprint of another hall. The device refuses before it
    sends the code, so the code still pairs the right device afterwards."""
    code = pairing_code(hub)
    with pytest.raises(HubError) as refused:
        await resolve_connection(args(hub=hub.url, pair=code, fingerprint=other_hall.fingerprint), "kiosk")
    assert refused.value.code == "TLS_PIN_MISMATCH" and not device_settings_path("kiosk").exists()
    with pytest.raises(HubError) as typo:
        await resolve_connection(args(hub=hub.url, pair=code, fingerprint="12:34"), "kiosk")
    assert typo.value.code == "FINGERPRINT_INVALID"
    connection = await resolve_connection(args(hub=hub.url, pair=code), "kiosk")  # trust on first use
    assert connection.me["role"] == "kiosk"


def test_the_device_app_shows_the_mismatch_and_exits(hub, home, other_hall):
    """A display whose saved pin is another hall's: it says why, in Chinese and English, and stops."""
    path = device_settings_path("display")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"hub": hub.url, "token": hub.pair("display", "D"), **other_hall.as_dict()}))
    out = subprocess.run([sys.executable, "-m", "hub.cli", "display"], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "HALLQ_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "服务器证书与配对时记下的不一致" in out.stderr
    assert "does not match the one pinned" in out.stderr


async def test_no_plain_http_to_the_device_port_and_no_client_without_a_pin(hub):
    """Bad input: plain HTTP to the hub's device port, and a client given an http:// address or no pin."""
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{hub.server.port}/api/v1/health", timeout=5)
    for url, trust, code in ((hub.url.replace("https", "http"), hub.trust, "TLS_REQUIRED"),
                             (hub.url, None, "TLS_NOT_PINNED")):
        client = HubClient(url, hub.pair("kiosk", "K"), trust=trust)
        with pytest.raises(HubError) as refused:
            await client.health()
        assert refused.value.code == code
        await client.aclose()


@pytest.fixture
def citizen_hub(db_path, clock):
    server = HubServer(build_service(db_path, HubHandle(db_path, clock).hall, clock), public_port=0).start()
    yield server
    server.stop()


def _sample(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_the_citizen_listener_serves_only_the_ticket_page(citizen_hub):
    """Every console and device route is 404 on the citizens' port; the ticket page, its files and
    /api/v1/public/* work there, and the ticket's QR link points at it."""
    srv = citizen_hub
    kiosk = httpx.Client(base_url=srv.url, verify=srv.trust.context(),
                         headers={"Authorization": f"Bearer {srv.pair('kiosk', 'K')}"})
    ticket = kiosk.post("/api/v1/tickets", json={"request_id": "tls-test-1", "service_id": "self-print"}).json()
    ticket = ticket["ticket"]
    assert ticket["url"].startswith(f"http://127.0.0.1:{srv.public_port}/t/")
    phone = httpx.Client(base_url=srv.public_url)
    assert phone.get(f"/t/{ticket['token']}").status_code == 200
    for name in ("ticket.js", "ticket.css", "i18n.js"):
        assert phone.get(f"/static/{name}").status_code == 200
    assert phone.get(f"/api/v1/public/tickets/{ticket['token']}").json()["ticket"]["number"] == ticket["number"]
    live = f"ws://127.0.0.1:{srv.public_port}/api/v1/public/tickets/{ticket['token']}/live"
    with connect(live, open_timeout=5) as ws:
        assert json.loads(ws.recv(timeout=5))["ticket"]["number"] == ticket["number"]

    device_routes = [(API_PREFIX + r.path, r) for m in (commands, queries, events) for r in m.router.routes]
    device_routes += [(r.path, r) for m in (admin, reports) for r in m.router.routes]
    device_routes += [(r.path, r) for r in create_app(srv.service).routes
                      if getattr(r, "path", "").startswith(API_PREFIX)]  # the API's docs
    tried = 0
    for full_path, route in device_routes:
        path = _sample(full_path)
        for method in getattr(route, "methods", None) or ["WEBSOCKET"]:
            if method == "WEBSOCKET":
                with pytest.raises(InvalidStatus) as refused:
                    connect(f"ws://127.0.0.1:{srv.public_port}{path}?since=0&token=t", open_timeout=5)
                assert refused.value.response.status_code in (403, 404), path
            else:
                assert phone.request(method, path).status_code == 404, f"{method} {path}"
            tried += 1
    assert tried >= 30  # the console, its reports, the devices' commands, queries and event stream
    for name in ("console.html", "console.js", "reports.js"):
        assert phone.get(f"/static/{name}").status_code == 404
    kiosk.close()
    phone.close()


def test_the_hall_certificate_covers_the_addresses_given_and_is_kept(tmp_path, clock):
    """First start makes the CA and a certificate for the hub's names (keys 0600); a restart with
    another address re-issues the certificate from the same CA, so paired devices keep working."""
    db = tmp_path / "hall.db"
    first = HubServer(build_service(db, HubHandle(db, clock).hall, clock), names=["10.8.0.5", "hall-hub.lan"]).start()
    try:
        cert = x509.load_pem_x509_certificates(first.tls.certfile.read_bytes())[0]
        assert {"127.0.0.1", "localhost", "10.8.0.5", "hall-hub.lan"} <= covered_names(cert)
        for key in (tmp_path / "hall-ca.key", tmp_path / "hub-key.pem"):
            assert stat.S_IMODE(key.stat().st_mode) == 0o600
        pinned = first.trust
        assert httpx.get(f"https://localhost:{first.port}/api/v1/health", verify=pinned.context()).status_code == 200
    finally:
        first.stop()
    again = hall_tls(tmp_path, ["127.0.0.1", "10.8.0.6"])
    cert = x509.load_pem_x509_certificates(again.certfile.read_bytes())[0]
    assert "10.8.0.6" in covered_names(cert) and again.fingerprint == pinned.fingerprint
    later = hall_tls(tmp_path, ["127.0.0.1", "10.8.0.6"], now=datetime.now(timezone.utc) + timedelta(days=800))
    renewed = x509.load_pem_x509_certificates(later.certfile.read_bytes())[0]
    assert renewed.not_valid_after_utc > cert.not_valid_after_utc and later.fingerprint == pinned.fingerprint


def test_a_display_pinned_to_another_hall_shows_why_on_its_screen(hub, other_hall, qloop, qapp):
    """A wall display whose pinned CA is another hall's: its offline banner names the reason."""
    from display.app import create_display
    from hardware.voice import RecorderBackend, Speaker

    client = HubClient(hub.url, hub.pair("display", "D"), trust=other_hall, retry_delay=0.05, max_backoff=0.2)
    speaker = Speaker(RecorderBackend(seconds_per_char=0.001, chime_seconds=0.001))
    window, display = create_display(client, speaker=speaker)
    window.show()
    KEEP.append((window, display))

    async def body():
        await display.start()
        for _ in range(400):
            if window.offline.isVisible() and "证书" in window.offline.text():
                break
            await asyncio.sleep(0.02)
        await display.aclose()

    try:
        qloop.run(body())
        assert window.offline.isVisible() and "服务器证书与配对时记下的不一致" in window.offline.text()
    finally:
        speaker.close(drain=False, timeout=5)
        window.hide()


KEEP: list = []  # Qt windows outlive their test, as in test_display (collecting them mid-run crashed Qt)
