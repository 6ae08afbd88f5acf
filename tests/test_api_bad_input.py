"""Bad input never gets a 500: ids past 64 bits, dates out of range, lone surrogates and oversized
bodies get a clear JSON refusal, nothing changes, and the same connection serves the next request."""
from __future__ import annotations

import re
import socket
import ssl
from urllib.parse import urlsplit

import httpx
import pytest

from hub.api.middleware import DEFAULT_MAX_BODY

BIG = 9223372036854775808  # 2**63: one past SQLite's integer


@pytest.fixture
def api(hub):
    """One HTTP/1.1 connection as the console, so each bad request is followed on the same socket."""
    token = hub.pair("console", "测试管理台")
    with httpx.Client(base_url=f"{hub.url}/api/v1", headers={"Authorization": f"Bearer {token}"},
                      verify=False, timeout=10) as client:
        yield client


def local_port(response: httpx.Response) -> int:
    return response.extensions["network_stream"].get_extra_info("client_addr")[1]


def refused(response: httpx.Response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message", "message_en", "params"}
    assert body["message"] and body["message_en"]
    if code:
        assert body["code"] == code, body
    return body


def still_serves(api: httpx.Client, bad: httpx.Response) -> None:
    """The next request after the refusal works, on the very same connection."""
    good = api.get("/snapshot")
    assert good.status_code == 200
    assert local_port(good) == local_port(bad)


@pytest.mark.parametrize("method,path,body", [
    ("GET", f"/tickets/{BIG}", None),
    ("POST", f"/tickets/{BIG}/cancel", {"request_id": "bad-id-0001"}),
    ("POST", f"/tickets/{BIG}/evaluation", {"request_id": "bad-id-0001", "score": 5}),
    ("GET", f"/windows/{BIG}/queue", None),
    ("POST", f"/windows/{BIG}/call-next", {"request_id": "bad-id-0001"}),
    ("POST", f"/console/devices/{BIG}/revoke", None),
    ("PUT", f"/console/evaluations/{BIG}", {"state": "handled"}),
    ("GET", f"/tickets/{-BIG}", None),
    ("GET", "/tickets/0", None),
])
def test_ids_out_of_range_are_422(api, method, path, body):
    """Tried: every kind of id in the path at 2**63 (and negative, and zero)."""
    r = api.request(method, path, json=body)
    assert refused(r, 422, "BAD_REQUEST")["params"]["detail"].startswith("path.")
    still_serves(api, r)


def test_ids_beyond_range_in_bodies_are_422(api):
    """Tried: a transfer to window 2**63, calling ticket 2**63 by hand and a pairing code for caller window 2**63."""
    r = api.post("/windows/1/transfer", json={"request_id": "bad-id-0002", "to_window": BIG})
    refused(r, 422, "BAD_REQUEST")
    still_serves(api, r)
    r = api.post("/windows/1/call-ticket", json={"request_id": "bad-id-0003", "ticket_id": BIG, "reason": "other"})
    refused(r, 422, "BAD_REQUEST")
    still_serves(api, r)
    r = api.post("/console/pairing-codes", json={"role": "caller", "name": "x", "window_id": BIG})
    refused(r, 422, "BAD_REQUEST")
    still_serves(api, r)


def test_a_ticket_id_within_range_that_does_not_exist_is_404(api):
    r = api.get(f"/tickets/{2**53 - 1}")
    refused(r, 404, "TICKET_NOT_FOUND")
    still_serves(api, r)


@pytest.mark.parametrize("start", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00"])
def test_appointment_dates_out_of_range_are_422_and_book_nothing(api, start):
    """Tried: booking a slot at the very edges of what a datetime holds."""
    before = len(api.get("/snapshot").json().get("appointments", []))
    r = api.post("/appointments", json={"request_id": "bad-date-01", "service_id": "social-card",
                                        "slot_start": start, "slot_end": start, "phone": "13800000000"})
    assert "year" in refused(r, 422, "BAD_REQUEST")["params"]["detail"]
    still_serves(api, r)
    assert len(api.get("/snapshot").json().get("appointments", [])) == before


def test_birth_date_out_of_range_is_422(api):
    r = api.post("/tickets", json={"request_id": "bad-date-02", "service_id": "social-card",
                                   "holder": {"birth_date": "0001-01-01"}})
    refused(r, 422, "BAD_REQUEST")
    still_serves(api, r)


def test_lone_surrogate_in_a_console_config_edit_is_422_and_changes_nothing(api):
    """Tried: a zone renamed to a lone surrogate (escaped in JSON, as a browser could send it), and the
    same as raw UTF-8-encoded surrogate bytes; the layout stays as it was."""
    layout = api.get("/console/config").json()
    zone = layout["zones"][0]
    for raw in (b'{"name": "\\udc00 hall"}', '{"name": "x"}'.replace("x", "\udc00").encode("utf-8", "surrogatepass")):
        r = api.put(f"/console/config/zones/{zone['id']}", content=raw, headers={"content-type": "application/json"})
        refused(r, 422)
        assert r.json()["code"] in ("INVALID_TEXT", "MALFORMED_JSON")
        still_serves(api, r)
    assert api.get("/console/config").json() == layout


@pytest.mark.parametrize("path,body", [
    ("/notice", '{"request_id": "surrogate-1", "notice": "\\ud800"}'),
    ("/tickets", '{"request_id": "surrogate-2", "service_id": "\\udfff"}'),
    ("/console/login", '{"password": "\\ud83d"}'),
    ("/console/notice", '{"\\udc00": 1, "notice": "ok"}'),
])
def test_lone_surrogate_anywhere_in_json_is_422(api, path, body):
    """Tried: a lone surrogate in a value and in a key; a real pair (an emoji) is still fine."""
    r = api.post(path, content=body, headers={"content-type": "application/json"})
    refused(r, 422, "INVALID_TEXT")
    still_serves(api, r)


def test_a_surrogate_pair_is_ordinary_text(api):
    r = api.post("/notice", content='{"request_id": "emoji-0001", "notice": "\\ud83d\\ude00 欢迎"}',
                 headers={"content-type": "application/json"})
    assert r.status_code == 200, r.text
    assert api.get("/snapshot").json()["notice"] == "\U0001F600 欢迎"


def test_body_that_is_not_utf8_is_422(api):
    r = api.post("/notice", content=b'{"request_id": "bad-utf8-1", "notice": "\xff\xfe"}',
                 headers={"content-type": "application/json"})
    refused(r, 422, "MALFORMED_JSON")
    still_serves(api, r)


# ---- the body size limit --------------------------------------------------------------------
def vm_rss_kb() -> int:
    with open("/proc/self/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+) kB", f.read()).group(1))


def raw_connection(url: str) -> socket.socket:
    """A plain socket to the hub, as an attacker would open one (over TLS if the hub serves TLS)."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
    if parts.scheme == "https":
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        # TLS 1.3 sends session tickets after the handshake, which would look like an early answer
        # to send_until_answered's select(); TLS 1.2 sends nothing until the hub answers.
        context.maximum_version = ssl.TLSVersion.TLSv1_2
        sock = context.wrap_socket(sock, server_hostname=parts.hostname)
    return sock


def read_answer(sock: socket.socket) -> tuple[int, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"content-length: (\d+)", head, re.I).group(1))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return int(head.split()[1]), rest


def send_until_answered(sock: socket.socket, chunks) -> int:
    """Sends chunks until the hub answers (or stops reading); returns how many bytes went out."""
    import select

    sent = 0
    for chunk in chunks:
        readable, _, _ = select.select([sock], [], [], 0)
        if readable:
            break
        try:
            sock.sendall(chunk)
        except OSError:
            break
        sent += len(chunk)
    return sent


TEN_MB = 10 * 1024 * 1024


def test_a_10_mb_body_with_content_length_is_refused_before_it_is_read(hub):
    """Tried: an unauthenticated 10 MB login. The hub answers 413 from the header alone."""
    rss = vm_rss_kb()
    sock = raw_connection(hub.url)
    host = urlsplit(hub.url).netloc
    sock.sendall(f"POST /api/v1/console/login HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {TEN_MB}\r\n\r\n".encode())
    status, body = read_answer(sock)  # nothing of the body sent yet: the answer comes from the header
    sock.close()
    assert status == 413
    assert b"BODY_TOO_LARGE" in body
    assert vm_rss_kb() - rss < 4096


def test_a_chunked_body_is_cut_at_the_limit_and_the_hub_does_not_grow(hub):
    """Tried: a 10 MB body sent in chunks without a Content-Length, 64 KB at a time. The hub
    answers 413 once the limit is passed and stops reading: its memory does not grow."""
    api = httpx.Client(base_url=hub.url, verify=False, timeout=10)
    assert api.get("/api/v1/health").status_code == 200  # the hub warmed up before measuring
    rss = vm_rss_kb()
    sock = raw_connection(hub.url)
    host = urlsplit(hub.url).netloc
    sock.sendall(f"POST /api/v1/console/login HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                 f"Transfer-Encoding: chunked\r\n\r\n".encode())
    piece = b"x" * 65536
    chunk = b"%x\r\n" % len(piece) + piece + b"\r\n"
    sent = send_until_answered(sock, (chunk for _ in range(TEN_MB // len(piece))))
    status, body = read_answer(sock)
    sock.close()
    assert status == 413 and b"BODY_TOO_LARGE" in body
    assert sent < TEN_MB  # it stopped listening long before the end
    assert vm_rss_kb() - rss < 4096
    assert api.get("/api/v1/health").status_code == 200
    api.close()


def test_a_body_at_the_limit_is_read(api):
    """A body just under the limit is an ordinary request (here: refused for its content, not its size)."""
    filler = "x" * (DEFAULT_MAX_BODY - 100)
    r = api.post("/notice", json={"request_id": "big-enough-1", "notice": filler})
    refused(r, 422, "BAD_REQUEST")
    still_serves(api, r)


def test_the_limit_is_configurable(tmp_path, clock):
    from conftest import SMALL_HALL
    from hub.api.app import create_app
    from hub.server import build_service

    service = build_service(tmp_path / "h.db", SMALL_HALL, clock)
    app = create_app(service, max_body=2048)

    async def go():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub") as c:
            return [await c.post("/api/v1/console/login", json={"password": "p" * n}) for n in (100, 3000)]

    import asyncio
    small, big = asyncio.run(go())
    service.close()
    assert small.json()["code"] == "NO_PASSWORD"  # read and judged on its content
    assert big.status_code == 413 and big.json()["params"] == {"limit_kb": 2}
