"""The caller's logic without widgets: clerk intents -> hub commands, hub events -> view state.

Each press gets one request_id and is retried with it until the hub answers, so a press
made while the hub is away is carried out exactly once when it returns.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone

from hub.client import HubClient, ViewModel, HubError, HubUnavailable
from hub.protocol import new_request_id

from .text import tr

log = logging.getLogger("hallq.caller")

ACTIVE = ("called", "serving")
OPEN_TICKET = ("waiting", "called", "serving")
# Events that only a command on a window can cause; `data.window` names that window.
WINDOW_TICKET_EVENTS = ("ticket.called", "ticket.recalled", "ticket.finished", "ticket.no_show", "ticket.transferred")


class _SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc).astimezone()


class CallerController(ViewModel):
    translate = staticmethod(tr)

    def __init__(self, client: HubClient, window_id: int, *, clock=None, lang: str = "zh_CN",
                 retry_interval: float = 2.0):
        self.client, self.window_id, self.clock, self.lang = client, window_id, clock or _SystemClock(), lang
        self.retry_interval = retry_interval
        self.hall: dict | None = None
        self.window: dict = {"id": window_id, "state": "closed", "clerk_id": None, "pause_reason": None,
                             "current": None}
        self.current: dict | None = None
        self.tickets: dict[int, dict] = {}  # the hall's open tickets, for the waiting count
        self.served_today = 0
        self.clerk_name: str | None = None
        self.connected = False
        self.pending: str | None = None  # the command being sent (or waiting to be resent)
        self.retrying = False
        self.message = ""
        self.message_is_error = False
        # Answers to our own commands are applied at once; their events, which may arrive a
        # moment later (or be replayed after a reconnect), would then roll the view back.
        self._echoes = 0
        self._wake: asyncio.Event | None = None
        self._tasks: set[asyncio.Task] = set()
        self._started = False

    # ---- wiring ---------------------------------------------------------------------------
    async def start(self) -> None:
        """Load the hall's services and windows, then follow the event stream."""
        if self._started:
            return
        self._started = True
        self.client.on_event(self._on_event)
        self.client.on_connection(self._on_connection)
        self.client.start_events()
        while self.hall is None:
            try:
                self.hall = await self.client.hall()
            except HubUnavailable:
                await self._wait_for_hub()
        self._changed()

    async def _reload_hall(self) -> None:
        try:
            self.hall = await self.client.hall()
        except HubError as e:
            log.info("hall not reloaded: %s", e)
            return
        self._changed()

    def press(self, action: str, **fields) -> asyncio.Task:
        """A button or shortcut: run the command in the background (the screen never waits)."""
        task = asyncio.ensure_future(getattr(self, action)(**fields))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # ---- what the clerk may do now --------------------------------------------------------
    @property
    def logged_in(self) -> bool:
        return self.window.get("state") in ("open", "paused")

    @property
    def paused(self) -> bool:
        return self.window.get("state") == "paused"

    @property
    def ticket_state(self) -> str | None:
        return self.current["state"] if self.current and self.current.get("state") in ACTIVE else None

    def enabled(self, action: str) -> bool:
        if self.pending:
            return False
        state = self.ticket_state
        rules = {
            "login": not self.logged_in,
            "logout": self.logged_in and state is None,
            "call_next": self.logged_in and not self.paused and state is None,
            "recall": state == "called",
            "no_show": state == "called",
            "serve": state == "called",
            "finish": state in ACTIVE,
            "transfer": state in ACTIVE,
            "pause": self.logged_in and not self.paused and state is None,
            "resume": self.paused,
        }
        return rules[action]

    # ---- view state -----------------------------------------------------------------------
    def service_name(self, service_id: str) -> str:
        for s in (self.hall or {}).get("services", []):
            if s["id"] == service_id:
                return s["name_en"] if self.lang == "en" and s.get("name_en") else s["name"]
        return service_id

    def window_label(self, window_id: int | None = None) -> str:
        return self.t("window_label", n=window_id or self.window_id)

    def my_services(self) -> set[str]:
        for w in (self.hall or {}).get("windows", []):
            if w["id"] == self.window_id:
                return set(w["services"])
        return set()

    def waiting_here(self) -> int:
        mine = self.my_services()
        return sum(1 for t in self.tickets.values() if t["state"] == "waiting" and (
            t.get("target_window") == self.window_id or (t.get("target_window") is None and t["service_id"] in mine)))

    def wait_minutes(self, ticket: dict) -> int:
        issued = datetime.fromisoformat(ticket["issued_at"])
        return max(0, int((self.clock.now() - issued).total_seconds() // 60))

    def ticket_view(self) -> dict | None:
        t = self.current if self.ticket_state else None
        if t is None:
            return None
        return {
            "number": t["number"], "service": self.service_name(t["service_id"]), "state": t["state"],
            "wait_minutes": self.wait_minutes(t), "priority": bool(t.get("priority")),
            "appointment": bool(t.get("appointment_id")),
            "recalls": t.get("recall_count", 0),
            "holder": " ".join(x for x in (t.get("name_masked"), t.get("id_masked")) if x),
        }

    def transfer_targets(self) -> tuple[list[tuple[str, str]], list[tuple[int, str]]]:
        """(service id, label) and (window id, label) a ticket may be sent to; not this window."""
        hall = self.hall or {}
        services = [(s["id"], s["name_en"] if self.lang == "en" and s.get("name_en") else s["name"])
                    for s in hall.get("services", []) if s.get("windows")]
        windows = [(w["id"], f"{self.window_label(w['id'])} {w['name_en'] if self.lang == 'en' else w['name']}")
                   for w in hall.get("windows", []) if w["id"] != self.window_id]
        return services, windows

    # ---- commands -------------------------------------------------------------------------
    async def login(self, clerk_id: str, pin: str):
        clerk_id, pin = clerk_id.strip(), pin.strip()
        if not clerk_id or not pin:
            self._note(self.t("login_missing"), error=True)
            return None
        result = await self._command("login", clerk_id=clerk_id, pin=pin)
        if result is not None:
            await self._refresh_clerk()
        return result

    async def logout(self):
        return await self._command("logout")

    async def call_next(self):
        return await self._command("call_next")

    async def recall(self):
        return await self._command("recall")

    async def serve(self):
        return await self._command("serve")

    async def finish(self):
        return await self._command("finish")

    async def no_show(self):
        return await self._command("no_show")

    async def transfer(self, service_id: str | None = None, to_window: int | None = None):
        return await self._command("transfer", service_id=service_id, to_window=to_window)

    async def pause(self, reason: str):
        return await self._command("pause", reason=reason)

    async def resume(self):
        return await self._command("resume")

    async def _command(self, action: str, **fields):
        if self.pending:
            return None  # one press at a time; a second one would be a double call
        request_id = new_request_id()
        self.pending, self.retrying = action, False
        self._note("")
        try:
            while True:
                try:
                    result = await getattr(self.client, action)(self.window_id, request_id=request_id, **fields)
                    break
                except HubUnavailable:
                    self.retrying = True
                    self._changed()
                    await self._wait_for_hub()
                except HubError as e:
                    self.pending = None
                    self._note(e.message_en if self.lang == "en" and e.message_en else e.message, error=True)
                    return None
        finally:
            self.pending, self.retrying = None, False
        self._apply_answer(action, result)
        self._changed()
        return result

    async def _wait_for_hub(self) -> None:
        self._wake = asyncio.Event()
        try:
            await asyncio.wait_for(self._wake.wait(), self.retry_interval)
        except asyncio.TimeoutError:
            pass

    async def _refresh_clerk(self) -> None:
        try:
            snap = await self.client.snapshot()
        except HubError:
            return
        for w in snap["windows"]:
            if w["id"] == self.window_id:
                self.clerk_name, self.served_today = w.get("clerk_name"), w.get("served_today", 0)
        self._changed()

    def _note(self, text: str, error: bool = False) -> None:
        self.message, self.message_is_error = text, error
        self._changed()

    def _apply_answer(self, action: str, result: dict) -> None:
        ticket = result.get("ticket")
        if ticket:
            self._track(ticket)
        if "window" in result:
            self.window = result["window"]
        if action == "call_next" and ticket is None:
            self._note(self.t("nobody_waiting"))
            return  # nothing happened, so no event will follow
        self._echoes += 1
        if action in ("call_next", "recall", "serve"):
            self.current = ticket
        elif action in ("finish", "no_show", "transfer"):
            self.current = None
            self.window = {**self.window, "current": None}
            if action == "no_show":
                key = "no_show_requeued" if result.get("requeued") else "no_show_final"
                self._note(self.t(key, number=ticket["number"]))
            elif action == "transfer":
                self._note(self.t("transferred_to", number=ticket["number"]))
        elif action == "logout":
            self.current, self.clerk_name, self.served_today = None, None, 0

    # ---- events ---------------------------------------------------------------------------
    def _on_connection(self, info: dict) -> None:
        self.connected = bool(info.get("connected"))
        if self.connected and self._wake is not None:
            self._wake.set()
        self._changed()

    def _track(self, ticket: dict) -> None:
        if ticket["state"] in OPEN_TICKET:
            self.tickets[ticket["id"]] = ticket
        else:
            self.tickets.pop(ticket["id"], None)

    def _is_mine(self, event: dict) -> bool:
        data, kind = event.get("data", {}), event["type"]
        if kind.startswith("window."):
            return data["window"]["id"] == self.window_id
        if kind in WINDOW_TICKET_EVENTS:
            return data.get("window", {}).get("id") == self.window_id
        if kind == "ticket.serving":
            return data["ticket"].get("window_id") == self.window_id
        return False

    def _on_event(self, event: dict) -> None:
        kind = event["type"]
        if kind == "snapshot":
            self._apply_snapshot(event["snapshot"])
        elif kind == "day.started":
            self.tickets, self.served_today, self.current = {}, 0, None
        elif kind == "hall.changed":
            # The manager edited services or windows: transfer targets and waiting counts follow.
            task = asyncio.ensure_future(self._reload_hall())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        else:
            data = event.get("data", {})
            ticket = data.get("ticket")
            if ticket:
                self._track(ticket)
                if kind == "ticket.finished" and ticket.get("clerk_id") and ticket["clerk_id"] == self.window.get("clerk_id"):
                    self.served_today += 1
            if self._is_mine(event):
                if self._echoes > 0:
                    self._echoes -= 1
                else:
                    self._apply_window_event(kind, data)
        self._changed()

    def _apply_window_event(self, kind: str, data: dict) -> None:
        """A change made at this window by someone else (the console), or missed while away."""
        if "window" in data:
            before = self.window.get("clerk_id")
            self.window = data["window"]
            if self.window.get("clerk_id") != before:
                self.clerk_name = None
                if self.window.get("clerk_id"):
                    self.press("_refresh_clerk")
        current_id = self.window.get("current")
        ticket = data.get("ticket")
        if current_id is None:
            self.current = None
        elif ticket and ticket["id"] == current_id:
            self.current = ticket

    def _apply_snapshot(self, snap: dict) -> None:
        self._echoes = 0
        self.tickets = {t["id"]: t for t in snap.get("tickets", []) if t["state"] in OPEN_TICKET}
        for w in snap.get("windows", []):
            if w["id"] == self.window_id:
                self.window = {k: w.get(k) for k in ("id", "state", "clerk_id", "pause_reason", "current", "since")}
                self.current = w.get("current_ticket")
                self.clerk_name = w.get("clerk_name")
                self.served_today = w.get("served_today", 0)

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await self.client.aclose()
