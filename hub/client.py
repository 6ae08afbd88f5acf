"""The one async client of the hub: commands over HTTP, events over one WebSocket.

Commands are retried with the same request_id when the network fails, so a kiosk tap never
issues two tickets. The event stream reconnects with backoff and resumes from the last
sequence number it saw, or from a fresh snapshot when the hub asks for one.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
from pathlib import Path
from typing import Any, Awaitable, Callable

import httpx
import websockets

from .protocol import API_PREFIX, new_request_id

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
    def __init__(self, url: str, token: str | None = None, *, timeout: float = 5.0, retries: int = 3,
                 retry_delay: float = 0.3, max_backoff: float = 5.0):
        self.url = url.rstrip("/")
        self.token = token
        self.timeout, self.retries, self.retry_delay, self.max_backoff = timeout, retries, retry_delay, max_backoff
        self._http: httpx.AsyncClient | None = None
        self.last_seq: int | None = None
        self.connected = False
        self._listeners: list[Listener] = []
        self._connection_listeners: list[Listener] = []
        self._task: asyncio.Task | None = None
        self._ws = None

    # ---- discovery ------------------------------------------------------------------------
    @staticmethod
    async def discover(timeout: float = 5.0) -> list[dict]:
        from .discovery import discover

        return await asyncio.to_thread(discover, timeout)

    # ---- pairing --------------------------------------------------------------------------
    @staticmethod
    async def pair(url: str, code: str, timeout: float = 5.0) -> str:
        """Trade a 6-digit pairing code from the console for this device's token."""
        try:
            async with httpx.AsyncClient(base_url=url.rstrip("/") + API_PREFIX, timeout=timeout) as http:
                response = await http.post("/pair", json={"code": code.strip()})
        except (httpx.TransportError, OSError) as e:
            raise HubUnavailable(f"{type(e).__name__}: {e}") from None
        try:
            data = response.json()
        except ValueError:
            raise HubError("BAD_RESPONSE", "服务器返回了无法识别的内容", "Unreadable answer from the hub",
                           response.status_code) from None
        if response.status_code >= 400:
            raise HubError(data.get("code", "ERROR"), data.get("message", ""), data.get("message_en", ""),
                           response.status_code, data.get("params"))
        return data["token"]

    # ---- HTTP -----------------------------------------------------------------------------
    def _client(self) -> httpx.AsyncClient:
        if self._http is None or self._http.is_closed:
            headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
            self._http = httpx.AsyncClient(base_url=self.url + API_PREFIX, headers=headers, timeout=self.timeout)
        return self._http

    async def _send(self, method: str, path: str, body: dict | None = None) -> dict:
        attempts = self.retries + 1 if method == "GET" or (body and "request_id" in body) else 1
        last_error = ""
        for attempt in range(attempts):
            try:
                response = await self._client().request(method, path, json=body)
            except (httpx.TransportError, OSError) as e:
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

    async def logout(self, window: int, request_id: str | None = None) -> dict:
        return await self.window_command(window, "logout", request_id)

    async def call_next(self, window: int, request_id: str | None = None) -> dict:
        return await self.window_command(window, "call-next", request_id)

    async def recall(self, window: int, request_id: str | None = None) -> dict:
        return await self.window_command(window, "recall", request_id)

    async def serve(self, window: int, request_id: str | None = None) -> dict:
        return await self.window_command(window, "serve", request_id)

    async def finish(self, window: int, request_id: str | None = None) -> dict:
        return await self.window_command(window, "finish", request_id)

    async def no_show(self, window: int, request_id: str | None = None) -> dict:
        return await self.window_command(window, "no-show", request_id)

    async def transfer(self, window: int, *, service_id: str | None = None, to_window: int | None = None,
                       request_id: str | None = None) -> dict:
        return await self.window_command(window, "transfer", request_id, service_id=service_id, to_window=to_window)

    async def pause(self, window: int, reason: str, request_id: str | None = None) -> dict:
        return await self.window_command(window, "pause", request_id, reason=reason)

    async def resume(self, window: int, request_id: str | None = None) -> dict:
        return await self.window_command(window, "resume", request_id)

    async def book(self, service_id: str, slot_start: str, slot_end: str, *, name: str = "", phone: str | None = None,
                   id_hash: str | None = None, request_id: str | None = None) -> dict:
        return await self.command("/appointments", request_id, service_id=service_id, slot_start=slot_start,
                                  slot_end=slot_end, name=name, phone=phone, id_hash=id_hash)

    async def check_in(self, *, code: str | None = None, phone: str | None = None, id_hash: str | None = None,
                       request_id: str | None = None) -> dict:
        return await self.command("/appointments/check-in", request_id, code=code, phone=phone, id_hash=id_hash)

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

    async def queues(self, zone: str | None = None) -> dict:
        return await self.get("/queues" + (f"?zone={zone}" if zone else ""))

    async def ticket(self, ticket_id: int) -> dict:
        return (await self.get(f"/tickets/{ticket_id}"))["ticket"]

    async def public_ticket(self, token: str) -> dict:
        return (await self.get(f"/public/tickets/{token}"))["ticket"]

    # ---- events ---------------------------------------------------------------------------
    def on_event(self, listener: Listener) -> None:
        """Called with each event, and with {"type": "snapshot", "snapshot": {...}} after a resync."""
        self._listeners.append(listener)

    def on_connection(self, listener: Listener) -> None:
        """Called with {"connected": bool} whenever the event stream comes or goes."""
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
        if self.connected != value:
            self.connected = value
            await self._emit(self._connection_listeners, {"connected": value})

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

    async def _run_events(self) -> None:
        backoff = 0.2
        ws_url = self.url.replace("http://", "ws://").replace("https://", "wss://") + API_PREFIX + "/events"
        while True:
            since = -1 if self.last_seq is None else self.last_seq
            try:
                async with websockets.connect(f"{ws_url}?since={since}&token={self.token or ''}",
                                              open_timeout=self.timeout, ping_interval=10, ping_timeout=10,
                                              max_size=2**24) as ws:
                    self._ws = ws
                    async for raw in ws:
                        message = json.loads(raw)
                        kind = message.get("type")
                        if kind == "snapshot_needed":
                            await self._resync()
                            await self._set_connected(True)
                            continue
                        if kind == "live":
                            backoff = 0.2
                            await self._set_connected(True)
                            continue
                        seq = message["seq"]
                        if self.last_seq is not None and seq <= self.last_seq:
                            continue  # covered by the snapshot we already hold
                        if self.last_seq is not None and seq != self.last_seq + 1:
                            log.warning("gap in events (%s after %s); reconnecting", seq, self.last_seq)
                            break
                        self.last_seq = seq
                        await self._emit(self._listeners, message)
            except asyncio.CancelledError:
                await self._set_connected(False)
                raise
            except (OSError, websockets.WebSocketException, HubError, asyncio.TimeoutError) as e:
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


class ViewModel:
    """What a device controller shares with its Qt view: change listeners and the language.

    Subclasses set `self.lang` and `translate` (their catalogue's `tr(key, lang, **values)`)."""

    translate: Callable[..., str]
    lang: str = "zh_CN"

    def on_change(self, listener: Callable[[], None]) -> None:
        self.__dict__.setdefault("_view_listeners", []).append(listener)

    def _changed(self) -> None:
        for listener in list(self.__dict__.get("_view_listeners", [])):
            try:
                listener()
            except Exception:
                log.exception("%s: view update failed", type(self).__name__)

    def t(self, key: str, **values) -> str:
        return type(self).translate(key, self.lang, **values)

    def set_lang(self, lang: str) -> None:
        self.lang = lang
        self._changed()



# ---- a device's connection settings: found or paired once, remembered afterwards -------------
class DeviceSetupError(Exception):
    """A device cannot start: `str()` says what to do, in Chinese then English."""


def device_settings_path(role: str) -> Path:
    base = os.environ.get("HALLQ_HOME")
    if not base:
        appdata = os.environ.get("APPDATA")  # Windows
        base = str(Path(appdata) / "HallQ") if appdata else str(Path.home() / ".config" / "hallq")
    return Path(base) / f"{role}.json"


def add_connection_arguments(parser, role: str) -> None:
    parser.add_argument("--hub", help="hub address, e.g. http://10.0.0.5:8600 (default: as saved, or found on the LAN)")
    parser.add_argument("--token", help=f"device token (default: as saved by --pair; or `hallq hub pair --role {role}`)")
    parser.add_argument("--pair", metavar="CODE", help="6-digit pairing code from the manager console; saved for next time")


async def resolve_connection(args, role: str, *, roles: tuple[str, ...] | None = None,
                             discover_timeout: float = 5.0) -> tuple[str, str, dict | None]:
    """(hub url, token, this device as the hub knows it or None if the hub is down right now).

    Pairs with `--pair CODE` when given, and remembers the hub and token per role, so an
    installer pairs a device once and later just starts it."""
    path = device_settings_path(role)
    try:
        saved = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (OSError, ValueError):
        saved = {}
    url = args.hub or saved.get("hub")
    if not url:
        found = await HubClient.discover(discover_timeout)
        if not found:
            raise DeviceSetupError("局域网内没有找到服务器，请用 --hub 指定地址 / No hub found on the LAN; pass --hub URL")
        url = found[0]["url"]
    token = await HubClient.pair(url, args.pair) if args.pair else (args.token or saved.get("token"))
    if not token:
        raise DeviceSetupError(f"此设备尚未配对：请在管理台生成配对码，然后运行 hallq {role} --pair 配对码 / "
                               f"This device is not paired: make a code in the console, then run "
                               f"hallq {role} --pair CODE")
    client = HubClient(url, token, retries=0)
    try:
        me = await client.me()
    except HubUnavailable:
        me = None  # the device starts anyway and shows that the hub is unreachable until it is back
    finally:
        await client.aclose()
    if me is not None and me["role"] not in (roles or (role,)):
        raise DeviceSetupError(f"这个令牌属于{me['role']}设备，不能用于 {role} / "
                               f"This token belongs to a {me['role']} device, not a {role}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"hub": url, "token": token}), encoding="utf-8")
    path.chmod(0o600)
    return url, token, me


def connect_or_exit(args, role: str, *, roles: tuple[str, ...] | None = None) -> tuple[str, str, dict | None]:
    """`resolve_connection` for a device's main(), before its Qt loop starts: a clear message and
    exit code 2 instead of a traceback when the device cannot be set up."""
    try:
        return asyncio.run(resolve_connection(args, role, roles=roles))
    except DeviceSetupError as e:
        message = str(e)
    except HubError as e:
        message = f"{e.message} / {e.message_en}"
    import sys

    print(message, file=sys.stderr)
    raise SystemExit(2)
