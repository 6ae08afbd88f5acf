"""The one async client of the hub: commands over HTTP, events over one WebSocket.

Commands are retried with the same request_id when the network fails, so a kiosk tap never
issues two tickets. The event stream reconnects with backoff and resumes from the last
sequence number it saw, or from a fresh snapshot when the hub asks for one.
"""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Awaitable, Callable

import httpx
import websockets

from ..protocol import API_PREFIX, ca_fingerprint, new_request_id, normalize_fingerprint
from .trust import HallTrust, require_https, tls_error, verification_failure

log = logging.getLogger("hallq.client")

Listener = Callable[[dict], Awaitable[None] | None]


class HubError(Exception):
    """The hub refused a command; `message` is zh_CN, `message_en` English."""

    def __init__(self, code: str, message: str, message_en: str = "", status: int = 0, params: dict | None = None):
        super().__init__(f"{code}: {message_en or message}")
        self.code, self.message, self.message_en, self.status = code, message, message_en, status
        self.params = params or {}


class HubUnavailable(HubError):
    def __init__(self, detail: str = ""):
        super().__init__("HUB_UNREACHABLE", "暂时连不上服务器，请稍候或联系工作人员",
                         f"Cannot reach the hub{': ' + detail if detail else ''}", 0)


class HubClient:
    def __init__(self, url: str, token: str | None = None, *, trust: HallTrust | None, timeout: float = 5.0,
                 retries: int = 3, retry_delay: float = 0.3, max_backoff: float = 5.0,
                 transport: httpx.AsyncBaseTransport | None = None):
        self.url = url.rstrip("/")
        self.trust = trust  # the hall CA pinned at pairing; without it the client refuses to connect
        self._ssl = None
        # None: httpx's own; a proxy or a test's network may pass another, which must verify the hub
        # against `trust.context()` itself (httpx leaves TLS to the transport)
        self.transport = transport
        self.token = token
        self.timeout, self.retries, self.retry_delay, self.max_backoff = timeout, retries, retry_delay, max_backoff
        self._http: httpx.AsyncClient | None = None
        self.last_seq: int | None = None
        self.connected = False
        self._listeners: list[Listener] = []
        self._connection_listeners: list[Listener] = []
        self._task: asyncio.Task | None = None
        self._ws = None
        self.trust_error: HubError | None = None  # the last failed certificate check, shown by the device

    def refusal(self, lang: str = "zh_CN") -> str:
        """Why the hub's certificate was refused, for the device's screen; "" when it was not."""
        e = self.trust_error
        return "" if e is None else (e.message_en if lang == "en" and e.message_en else e.message)

    def _context(self):
        require_https(self.url)
        if self.trust is None:
            raise tls_error("TLS_NOT_PINNED")
        if self._ssl is None:
            self._ssl = self.trust.context()
        return self._ssl

    # ---- discovery ------------------------------------------------------------------------
    @staticmethod
    async def discover(timeout: float = 5.0, fingerprint: str = "") -> list[dict]:
        """Hubs on the LAN; with `fingerprint`, only the one whose hall CA has it."""
        from ..discovery import discover

        return await asyncio.to_thread(discover, timeout, None, fingerprint)

    # ---- pairing --------------------------------------------------------------------------
    @staticmethod
    async def fetch_trust(url: str, expected: str = "", timeout: float = 5.0) -> HallTrust:
        """The hall CA a hub serves, checked against the fingerprint the installer expects (if given):
        the one request a device makes before it trusts anything (trust on first use), and it carries
        no secret. Everything after it, the pairing code first, goes over TLS verified against this CA."""
        require_https(url)
        wanted = normalize_fingerprint(expected) if expected else ""
        if expected and not wanted:
            raise tls_error("FINGERPRINT_INVALID")
        data = await HubClient._ask(url, "GET", "/pair/ca", None, timeout, False)
        try:
            trust = HallTrust(data["ca_pem"], data["ca_fingerprint"])
        except (KeyError, TypeError):
            raise tls_error("TLS_NOT_PINNED") from None
        if wanted and trust.fingerprint != wanted:
            raise tls_error("TLS_PIN_MISMATCH")
        return trust

    @staticmethod
    async def pair(url: str, code: str, timeout: float = 5.0, expected: str = "") -> tuple[str, HallTrust]:
        """Trade a 6-digit pairing code from the console for this device's token and the hall CA to pin."""
        trust = await HubClient.fetch_trust(url, expected, timeout)
        data = await HubClient._ask(url, "POST", "/pair", {"code": code.strip()}, timeout, trust.context())
        answered = data.get("ca_pem", "")
        if not answered or ca_fingerprint(answered) != trust.fingerprint or \
                normalize_fingerprint(data.get("ca_fingerprint", "")) != trust.fingerprint:
            raise tls_error("TLS_PIN_MISMATCH")
        return data["token"], trust

    @staticmethod
    async def _ask(url: str, method: str, path: str, body: dict | None, timeout: float, verify) -> dict:
        try:
            async with httpx.AsyncClient(base_url=url.rstrip("/") + API_PREFIX, timeout=timeout, verify=verify) as http:
                response = await http.request(method, path, json=body)
        except (httpx.TransportError, OSError) as e:
            raise verification_failure(e, url) or HubUnavailable(f"{type(e).__name__}: {e}") from None
        try:
            data = response.json()
        except ValueError:
            raise HubError("BAD_RESPONSE", "服务器返回了无法识别的内容", "Unreadable answer from the hub",
                           response.status_code) from None
        if response.status_code >= 400:
            raise HubError(data.get("code", "ERROR"), data.get("message", ""), data.get("message_en", ""),
                           response.status_code, data.get("params"))
        return data

    # ---- HTTP -----------------------------------------------------------------------------
    def _client(self) -> httpx.AsyncClient:
        if self._http is None or self._http.is_closed:
            headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
            self._http = httpx.AsyncClient(base_url=self.url + API_PREFIX, headers=headers, timeout=self.timeout,
                                           transport=self.transport, verify=self._context())
        return self._http

    async def _send(self, method: str, path: str, body: dict | None = None) -> dict:
        attempts = self.retries + 1 if method == "GET" or (body and "request_id" in body) else 1
        last_error = ""
        for attempt in range(attempts):
            try:
                response = await self._client().request(method, path, json=body)
            except (httpx.TransportError, OSError) as e:
                refused = verification_failure(e, self.url)
                if refused:  # another hub, or an impostor: retrying or falling back would not help
                    self.trust_error = refused
                    raise refused from None
                last_error = f"{type(e).__name__}: {e}"
                if attempt + 1 < attempts:
                    await asyncio.sleep(self.retry_delay * (attempt + 1))
                continue
            try:
                data = response.json()
            except (json.JSONDecodeError, ValueError):
                raise HubError("BAD_RESPONSE", "服务器返回了无法识别的内容", "Unreadable answer from the hub",
                               response.status_code) from None
            if response.status_code >= 400:
                raise HubError(data.get("code", "ERROR"), data.get("message", ""), data.get("message_en", ""),
                               response.status_code, data.get("params"))
            return data
        raise HubUnavailable(last_error)

    async def get(self, path: str) -> dict:
        return await self._send("GET", path)

    async def command(self, path: str, request_id: str | None = None, **fields: Any) -> dict:
        body = {"request_id": request_id or new_request_id(), **{k: v for k, v in fields.items() if v is not None}}
        return await self._send("POST", path, body)

    # ---- commands -------------------------------------------------------------------------
    async def issue_ticket(self, service_id: str, *, priority_reason: str | None = None, holder: dict | None = None,
                           request_id: str | None = None) -> dict:
        return await self.command("/tickets", request_id, service_id=service_id, priority_reason=priority_reason,
                                  holder=holder)

    async def cancel_ticket(self, ticket_id: int, request_id: str | None = None) -> dict:
        return await self.command(f"/tickets/{ticket_id}/cancel", request_id)

    async def login(self, window: int, clerk_id: str, pin: str, request_id: str | None = None) -> dict:
        return await self.command(f"/windows/{window}/login", request_id, clerk_id=clerk_id, pin=pin)

    async def window_command(self, window: int, action: str, request_id: str | None = None, **fields) -> dict:
        return await self.command(f"/windows/{window}/{action}", request_id, **fields)

    async def logout(self, window: int, request_id: str | None = None, *, strand: bool = False) -> dict:
        """`strand`: the clerk confirmed leaving tickets only this window could call (see WOULD_STRAND)."""
        return await self.window_command(window, "logout", request_id, strand=strand)

    async def call_next(self, window: int, request_id: str | None = None) -> dict:
        return await self.window_command(window, "call-next", request_id)

    async def recall(self, window: int, request_id: str | None = None) -> dict:
        return await self.window_command(window, "recall", request_id)

    async def serve(self, window: int, request_id: str | None = None) -> dict:
        return await self.window_command(window, "serve", request_id)

    async def finish(self, window: int, request_id: str | None = None) -> dict:
        return await self.window_command(window, "finish", request_id)

    async def call_ticket(self, window: int, ticket_id: int, reason: str, request_id: str | None = None) -> dict:
        return await self.window_command(window, "call-ticket", request_id, ticket_id=ticket_id, reason=reason)

    async def no_show(self, window: int, request_id: str | None = None) -> dict:
        return await self.window_command(window, "no-show", request_id)

    async def transfer(self, window: int, *, service_id: str | None = None, to_window: int | None = None,
                       request_id: str | None = None) -> dict:
        return await self.window_command(window, "transfer", request_id, service_id=service_id, to_window=to_window)

    async def pause(self, window: int, reason: str, request_id: str | None = None, *, strand: bool = False) -> dict:
        return await self.window_command(window, "pause", request_id, reason=reason, strand=strand)

    async def resume(self, window: int, request_id: str | None = None) -> dict:
        return await self.window_command(window, "resume", request_id)

    async def book(self, service_id: str, slot_start: str, slot_end: str, *, name: str = "", phone: str | None = None,
                   id_number: str | None = None, request_id: str | None = None) -> dict:
        return await self.command("/appointments", request_id, service_id=service_id, slot_start=slot_start,
                                  slot_end=slot_end, name=name, phone=phone, id_number=id_number)

    async def check_in(self, *, code: str | None = None, phone: str | None = None, id_number: str | None = None,
                       request_id: str | None = None) -> dict:
        return await self.command("/appointments/check-in", request_id, code=code, phone=phone, id_number=id_number)

    async def set_notice(self, notice: str, request_id: str | None = None) -> dict:
        return await self.command("/notice", request_id, notice=notice)

    async def report_status(self, fault: str | None, request_id: str | None = None) -> dict:
        body = {"request_id": request_id or new_request_id(), "fault": fault}
        return await self._send("POST", "/devices/me/status", body)

    # ---- queries --------------------------------------------------------------------------
    async def health(self) -> dict:
        return await self.get("/health")

    async def me(self) -> dict:
        return await self.get("/me")

    async def hall(self) -> dict:
        return await self.get("/hall")

    async def snapshot(self) -> dict:
        return await self.get("/snapshot")

    async def zones(self) -> dict:
        return await self.get("/zones")

    async def window_queue(self, window_id: int) -> dict:
        """{"seq", "window_id", "tickets"}: the window's waiting tickets in the order it would call them."""
        return await self.get(f"/windows/{window_id}/queue")

    async def ticket(self, ticket_id: int) -> dict:
        return (await self.get(f"/tickets/{ticket_id}"))["ticket"]

    async def public_ticket(self, token: str) -> dict:
        return (await self.get(f"/public/tickets/{token}"))["ticket"]

    # ---- events ---------------------------------------------------------------------------
    def on_event(self, listener: Listener) -> None:
        """Called with each event, and with {"type": "snapshot", "snapshot": {...}} after a resync."""
        self._listeners.append(listener)

    def on_connection(self, listener: Listener) -> None:
        """Called with {"connected": bool} whenever the event stream comes or goes, and with
        {"connected": False, "error": {code, message, message_en}} after each refused certificate."""
        self._connection_listeners.append(listener)

    async def _emit(self, listeners: list[Listener], item: dict) -> None:
        for listener in list(listeners):
            try:
                result = listener(item)
                if asyncio.iscoroutine(result):
                    await result
            except Exception:
                log.exception("event listener failed")

    async def _set_connected(self, value: bool) -> None:
        refused = self.trust_error if not value else None
        if value:
            self.trust_error = None
        if self.connected != value or refused:
            self.connected = value
            item: dict = {"connected": value}
            if refused:
                item["error"] = {"code": refused.code, "message": refused.message, "message_en": refused.message_en}
            await self._emit(self._connection_listeners, item)

    def start_events(self, since: int | None = None) -> asyncio.Task:
        if since is not None:
            self.last_seq = since
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run_events())
        return self._task

    async def _resync(self) -> None:
        snap = await self.snapshot()
        self.last_seq = snap["seq"]
        await self._emit(self._listeners, {"type": "snapshot", "seq": snap["seq"], "snapshot": snap})

    async def _take(self, frame: dict | list) -> bool:
        """Handle one frame (an event, a control message or an array of events); False on a gap."""
        for message in frame if isinstance(frame, list) else (frame,):
            kind = message.get("type")
            if kind == "snapshot_needed":
                await self._resync()
                await self._set_connected(True)
                continue
            if kind == "live":
                await self._set_connected(True)
                continue
            seq = message["seq"]
            if self.last_seq is not None and seq <= self.last_seq:
                continue  # covered by the snapshot we already hold
            if self.last_seq is not None and seq != self.last_seq + 1:
                log.warning("gap in events (%s after %s); reconnecting", seq, self.last_seq)
                return False
            self.last_seq = seq
            await self._emit(self._listeners, message)
        return True

    async def _run_events(self) -> None:
        backoff = 0.2
        ws_url = self.url.replace("https://", "wss://", 1) + API_PREFIX + "/events"
        while True:
            since = -1 if self.last_seq is None else self.last_seq
            try:
                context = self._context()
                # batch=1: the hub may send several events as one JSON array.
                async with websockets.connect(f"{ws_url}?since={since}&batch=1&token={self.token or ''}", ssl=context,
                                              open_timeout=self.timeout, ping_interval=10, ping_timeout=10,
                                              max_size=2**24) as ws:
                    self._ws = ws
                    async for raw in ws:
                        if not await self._take(json.loads(raw)):
                            break
                        if self.connected:
                            backoff = 0.2
            except asyncio.CancelledError:
                await self._set_connected(False)
                raise
            except (OSError, websockets.WebSocketException, HubError, asyncio.TimeoutError) as e:
                tls_refusal = isinstance(e, HubError) and e.code.startswith("TLS_")
                refused = e if tls_refusal else verification_failure(e, self.url)
                if refused:  # shown on the device's screen; it keeps trying in case the hub is put right
                    self.trust_error = refused
                    log.warning("event stream refused: %s", refused)
                else:
                    log.info("event stream lost: %s", e)
            finally:
                self._ws = None
            await self._set_connected(False)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.max_backoff)

    async def aclose(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
            self._task = None
        if self._http is not None:
            await self._http.aclose()
            self._http = None
