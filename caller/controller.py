"""The caller's logic without widgets: clerk intents -> hub commands, hub events -> view state.

Each press gets one request_id and is retried with it until the hub answers, so a press
made while the hub is away is carried out exactly once when it returns. The hall comes from a
HallMirror: a command's answer and its events are the same views at the same seq, so neither
can roll the other back, and a change made by someone else (the console) is never skipped.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from hub.client import DeviceClock, HallMirror, HubClient, HubError, HubUnavailable, ViewModel
from hub.protocol import CALL_REASONS, new_request_id

from .text import tr

log = logging.getLogger("hallq.caller")

ACTIVE = ("called", "serving")


class CallerController(ViewModel):
    translate = staticmethod(tr)

    def __init__(self, client: HubClient, window_id: int, *, clock=None, lang: str = "zh_CN",
                 retry_interval: float = 2.0):
        self.client, self.window_id, self.clock, self.lang = client, window_id, clock or DeviceClock(), lang
        self.retry_interval = retry_interval
        self.mirror = HallMirror(client, hall_info=True)
        self.line: list[dict] = []  # this window's waiting tickets, in the order it would call them
        self.in_grace: list[dict] = []  # 过号 tickets not callable again yet (each its grace_until)
        # A logout/pause the hub refused as WOULD_STRAND: (action, fields, the hub's question) until answered
        self.strand_question: tuple[str, dict, str] | None = None
        self.today: dict = {}  # this window's tickets finished today and their mean service time
        self._line_seq = -1
        self._line_task: asyncio.Task | None = None
        self._line_again = False
        self.pending: str | None = None  # the command being sent (or waiting to be resent)
        self.retrying = False
        self.message = ""
        self.message_is_error = False
        self._wake: asyncio.Event | None = None
        self._tasks: set[asyncio.Task] = set()
        self._started = False

    # ---- wiring ---------------------------------------------------------------------------
    async def start(self) -> None:
        """Load the hall's services and windows, then follow the event stream."""
        if self._started:
            return
        self._started = True
        self.mirror.on_change(self._on_mirror)
        self.mirror.start()
        while self.mirror.hall_info is None:
            await self.mirror.refresh()
            if self.mirror.hall_info is None:
                await self._wait_for_hub()
        self._refresh_line()
        self._changed()

    @property
    def hall(self) -> dict | None:
        return self.mirror.hall_info

    @property
    def connected(self) -> bool:
        return self.mirror.connected

    @property
    def window(self) -> dict:
        return self.mirror.window(self.window_id) or {"id": self.window_id, "state": "closed", "clerk_id": None,
                                                      "pause_reason": None, "current": None}

    @property
    def current(self) -> dict | None:
        return self.mirror.current_ticket(self.window_id)

    @property
    def clerk_name(self) -> str | None:
        return self.window.get("clerk_name")

    @property
    def served_today(self) -> int:
        return self.today.get("served") or 0

    @property
    def average_service_minutes(self) -> int | None:
        seconds = self.today.get("average_service_seconds")
        return None if seconds is None else max(1, round(seconds / 60))

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
            "call_ticket": self.logged_in and not self.paused and state is None and bool(self.line),
            "finish_and_next": state in ACTIVE and not self.paused,
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

    def waiting_here(self) -> int:
        # A grace ending brings no event: the ticket counts as waiting again from then on its own.
        return len(self.line) + len(self.in_grace) - len(self.still_in_grace())

    def still_in_grace(self) -> list[dict]:
        now = self.clock.now()
        return [t for t in self.in_grace if datetime.fromisoformat(t["grace_until"]) > now]

    def grace_note(self) -> str:
        """Who is in their 过号 grace here and from when they may be called, e.g. 'A002 09:14'."""
        names = "、".join(f"{t['number']} {t['grace_until'][11:16]}" for t in self.still_in_grace())
        return self.t("in_grace", tickets=names) if names else ""

    def longest_wait(self) -> int | None:
        return max((self.wait_minutes(t) for t in self.line), default=None)

    @staticmethod
    def marks(ticket: dict) -> list[str]:
        """What sets a waiting ticket apart, as catalogue keys."""
        return [key for key, on in (("priority", ticket.get("priority")), ("appointment", ticket.get("appointment_id")),
                                    ("transferred", ticket.get("transferred"))) if on]

    def line_rows(self) -> list[dict]:
        """The waiting list as the clerk reads it, in the order this window would call it."""
        return [{"id": t["id"], "number": t["number"], "service": self.service_name(t["service_id"]),
                 "wait_minutes": self.wait_minutes(t), "marks": self.marks(t)} for t in self.line]

    def call_reasons(self) -> list[tuple[str, str]]:
        """(code, label) of why a chosen number may be called out of turn."""
        return [(code, en if self.lang == "en" else zh) for code, (zh, en) in CALL_REASONS.items()]

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
            self.note(self.t("login_missing"), error=True)
            return None
        return await self._command("login", clerk_id=clerk_id, pin=pin)

    async def logout(self):
        return await self._command("logout")

    async def call_next(self):
        return await self._command("call_next")

    async def call_ticket(self, ticket_id: int, reason: str):
        return await self._command("call_ticket", ticket_id=ticket_id, reason=reason)

    async def finish_and_next(self):
        """办结并叫下一位: two commands in order; the call is not sent if the finish was refused."""
        if await self.finish() is not None:
            return await self.call_next()
        return None

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
        self.note("")
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
                    text = e.message_en if self.lang == "en" and e.message_en else e.message
                    if e.code == "WOULD_STRAND" and action in ("logout", "pause"):
                        self.strand_question = (action, fields, text)  # the view asks the clerk
                    self.note(text, error=True)
                    return None
        finally:
            self.pending, self.retrying = None, False
        self._apply_answer(action, result)
        self._changed()
        return result

    async def answer_strand_question(self, go: bool):
        """The clerk's answer to WOULD_STRAND: go anyway (the console is alerted) or stay."""
        question, self.strand_question = self.strand_question, None
        if question is None or not go:
            self.note("")
            return None
        action, fields, _ = question
        return await self._command(action, **fields, strand=True)

    async def _wait_for_hub(self) -> None:
        self._wake = asyncio.Event()
        try:
            await asyncio.wait_for(self._wake.wait(), self.retry_interval)
        except asyncio.TimeoutError:
            pass

    def note(self, text: str, error: bool = False) -> None:
        self.message, self.message_is_error = text, error
        self._changed()

    def _apply_answer(self, action: str, result: dict) -> None:
        self.mirror.apply_answer(result)
        ticket = result.get("ticket")
        if action == "call_next" and ticket is None:
            self.note(self.t("nobody_waiting"))
        elif action == "no_show":
            key = "no_show_requeued" if result.get("requeued") else "no_show_final"
            self.note(self.t(key, number=ticket["number"]))
        elif action == "transfer":
            self.note(self.t("transferred_to", number=ticket["number"]))

    # ---- the hall -------------------------------------------------------------------------
    def _on_mirror(self, item: dict) -> None:
        kind = item["type"]
        if kind == "connection" and self.connected and self._wake is not None:
            self._wake.set()
        if self._moves_line(item):
            self._refresh_line()
        self._changed()

    def _moves_line(self, item: dict) -> bool:
        """Whether this window's line may have changed: then the hub is asked for it again."""
        kind, data = item["type"], item.get("data", {})
        if kind in ("snapshot", "answer", "day.started", "hall.changed"):
            return True
        if kind.startswith("window."):
            return data["window"]["id"] == self.window_id
        ticket = data.get("ticket")
        if not ticket:
            return False
        mine = next((set(w["services"]) for w in (self.hall or {}).get("windows", []) if w["id"] == self.window_id),
                    set())
        return (ticket.get("target_window") == self.window_id or ticket["service_id"] in mine
                or any(t["id"] == ticket["id"] for t in self.line))

    def _refresh_line(self) -> None:
        """Ask the hub for this window's line; events arriving meanwhile share one more ask."""
        if self._line_task is not None and not self._line_task.done():
            self._line_again = True
            return
        self._line_task = asyncio.ensure_future(self._fetch_line())
        self._tasks.add(self._line_task)
        self._line_task.add_done_callback(self._tasks.discard)

    async def _fetch_line(self) -> None:
        while True:
            self._line_again = False
            try:
                answer = await self.client.window_queue(self.window_id)
            except HubError as e:
                log.info("line not refreshed: %s", e)
                return
            if answer["seq"] >= self._line_seq:
                self._line_seq, self.line, self.today = answer["seq"], answer["tickets"], answer.get("today", {})
                self.in_grace = answer.get("in_grace", [])
                self._changed()
            if not self._line_again:
                return

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await self.mirror.aclose()
        await self.client.aclose()
