"""The kiosk's state machine: turns taps into hub.client calls and answers into what the screen shows.

No widgets here. Views call the intent methods (take_number, choose_service, …) and redraw
from `state` whenever `changed` fires. Rules the citizen relies on:
- one request_id per tap, kept across retries, so a ticket is never issued twice;
- taps arriving while a request is in flight are ignored (double taps);
- if the hub cannot be reached nothing is issued and the screen says so in plain words;
- a printer fault never costs the citizen the number: it is issued and shown on screen.
"""
from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, QTimer, Signal

from hub.client import DeviceClock, HubClient, HubError, HubUnavailable
from hub.protocol import HAND_PRIORITY_REASONS, age_on, mask_name, new_request_id

from .search import ServiceIndex, order_services
from .text import pick, tr, wait_text

log = logging.getLogger("hallq.kiosk")

HOME, ZONES, SERVICES, CARD, SENIOR, PRIORITY, TICKET, APPOINTMENT, MESSAGE, UNREACHABLE, LOADING = (
    "home", "zones", "services", "card", "senior", "priority", "ticket", "appointment", "message",
    "unreachable", "loading")
APPT_LENGTH = {"code": 6, "phone": 11}
TOP_REFRESH_SECONDS = 60  # home's most-taken services are re-read this often while nobody uses the kiosk


@dataclass
class Pending:
    """One citizen's tap that has not yet produced a ticket; its request_id survives retries."""
    kind: str  # issue | check_in
    fields: dict
    request_id: str = field(default_factory=new_request_id)


@dataclass
class ViewState:
    screen: str = LOADING
    lang: str = "zh_CN"
    connected: bool = False
    busy: bool = False
    zone_id: str | None = None
    query: str = ""
    priority_reason: str | None = None
    card_problem: str | None = None  # text key: card_failed | reader_unavailable
    senior: dict | None = None  # {"name", "age"}
    ticket: dict | None = None
    ticket_service: dict | None = None
    print_result: str | None = None  # printed | failed | off | None (no printer)
    appt_mode: str = "code"
    appt_input: str = ""
    message: tuple[str, str, str] | None = None  # title, body, what to do
    message_action: str | None = None  # take_normal
    idle_left: int = 0
    large: bool = False  # 适老化: bigger text, fewer items per screen, and the kiosk speaks
    searching_from_home: bool = False  # Back from the search goes home, not to the zones


class KioskController(QObject):
    changed = Signal()

    def __init__(self, client: HubClient, *, printer=None, reader=None, clock=None, lang: str = "zh_CN",
                 idle_seconds: int = 30, printer_check_seconds: float = 5.0, worker=None, speaker=None):
        super().__init__()
        from .hardware_worker import HardwareWorker  # local: keeps the controller importable alone

        self.client = client
        self.printer = printer
        self.speaker = speaker  # a hardware.voice Speaker, the display's voice; None: a silent kiosk
        self.clock = clock
        self.idle_seconds = max(int(idle_seconds), 3)
        self.printer_check_seconds = printer_check_seconds
        self.worker = worker or HardwareWorker(printer=printer, reader_port=reader)
        self.has_reader = reader is not None
        self.state = ViewState(lang=lang if lang in ("zh_CN", "en") else "zh_CN")
        self.hall: dict | None = None
        self.hall_failed = False
        self.zone_stats: dict[str, dict] = {}
        self.top_ids: list[str] = []  # the services most taken today, from the hub
        # services the hub refuses now (none of their windows is open) -> the windows its refusal names
        self.no_window: dict[str, dict] = {}
        self._top_read_at: datetime | None = None
        self.index = ServiceIndex([])
        self.pending: Pending | None = None
        self.printer_fault: str | None = None
        self._reported_fault: str | None = None
        self._card_holder = None  # the card lying on the reader now, if any
        self._tasks: set[asyncio.Task] = set()
        self._fault_watch: asyncio.Task | None = None
        # The countdown is read from the clock; the timer only makes the screen look at it.
        self._last_touch: datetime | None = None
        self._idle = QTimer(self)
        self._idle.setInterval(250)
        self._idle.timeout.connect(self._tick)
        client.on_connection(self._on_connection)

    # ---- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        """Call with the qasync loop set (it need not be running yet)."""
        self._spawn(self._startup())
        self._idle.start()

    async def _startup(self) -> None:
        self.client.start_events()
        self.worker.start(asyncio.get_running_loop(), self.reader_event)
        await self._load_hall()
        await self._check_printer_at_start()
        await self._refresh_top()

    async def aclose(self) -> None:
        self._idle.stop()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self.worker.stop()

    def _spawn(self, coro) -> asyncio.Task:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception():
            log.error("kiosk task failed", exc_info=task.exception())

    def _set(self, **changes: Any) -> None:
        self.state = replace(self.state, **changes)
        self.changed.emit()

    def now(self) -> datetime:
        clock = self.clock or DeviceClock(self.tz)
        return clock.now().astimezone(self.tz) if self.tz else clock.now()

    @property
    def tz(self):
        name = (self.hall or {}).get("hall", {}).get("timezone")
        try:
            return ZoneInfo(name) if name else None
        except Exception:
            return None

    # ---- hall data ---------------------------------------------------------------------------
    async def _load_hall(self) -> bool:
        try:
            hall = await self.client.hall()
        except HubError as e:
            log.info("hall info not loaded: %s", e)
            if self.hall is None and not self.hall_failed:
                self.hall_failed = True
                self.changed.emit()
            return False
        self.hall, self.hall_failed = hall, False
        self.index = ServiceIndex(hall["services"])
        if self.state.screen == LOADING:
            self._set(screen=HOME)
        else:
            self.changed.emit()
        return True

    async def _refresh_zones(self) -> None:
        """Opening hours and queue lengths change over the day; read them each time zones are shown."""
        if not await self._load_hall():
            return
        await self._read_summary()

    async def _read_summary(self) -> None:
        try:
            summary = await self.client.zones()
        except HubError:
            return
        self._top_read_at = self.now()
        self.zone_stats = {z["id"]: z for z in summary["zones"]}
        top = [t["id"] for t in summary.get("top_services", [])]
        self.top_ids = [sid for sid in top if (self.service(sid) or {}).get("windows")]
        self.no_window = dict(summary.get("no_window", {}))
        self.changed.emit()

    async def _refresh_top(self) -> None:
        if self.hall is not None:
            await self._read_summary()

    def top_services(self) -> list[dict]:
        """The home screen's one-tap services: those most taken today, as the hub counts them."""
        return [sv for sv in (self.service(sid) for sid in self.top_ids) if sv is not None]

    def window_open_for(self, service_id: str) -> bool:
        """False when the hub would refuse a number now for want of an open window."""
        return service_id not in self.no_window

    def zone_without_window(self, zone_id: str) -> bool:
        """Every service of the zone that takes numbers waits for a window to open."""
        ids = [s["id"] for s in (self.hall or {}).get("services", []) if s["zone"] == zone_id and s.get("windows")]
        return bool(ids) and all(sid in self.no_window for sid in ids)

    def zones(self) -> list[dict]:
        return list((self.hall or {}).get("zones", []))

    def zone(self, zone_id: str | None) -> dict | None:
        return next((z for z in self.zones() if z["id"] == zone_id), None)

    def zone_open(self, zone: dict) -> bool:
        stats = self.zone_stats.get(zone["id"])
        return bool(zone.get("always_open") or (stats["open"] if stats else zone.get("open_now")))

    def service(self, service_id: str) -> dict | None:
        return next((s for s in (self.hall or {}).get("services", []) if s["id"] == service_id), None)

    def services_shown(self) -> list[dict]:
        """The services screen's list: search results when a query is typed, else the zone's services."""
        if self.state.query.strip():
            return self.index.search(self.state.query)
        zone_id = self.state.zone_id
        return order_services([s for s in (self.hall or {}).get("services", []) if s["zone"] == zone_id])

    def text(self, key: str, **values) -> str:
        return tr(key, self.state.lang, **values)

    def hall_name(self) -> str:
        return pick((self.hall or {}).get("hall", {}), "name", self.state.lang)

    # ---- intents: navigation -----------------------------------------------------------------
    def touch(self) -> None:
        """Any touch on the screen restarts the idle countdown."""
        self._last_touch = self.now()
        if self.state.idle_left != self.idle_seconds:
            self.state.idle_left = self.idle_seconds

    def _tick(self) -> None:
        now = self.now()
        if (self.state.screen == HOME and self._top_read_at is not None
                and (now - self._top_read_at).total_seconds() >= TOP_REFRESH_SECONDS):
            self._top_read_at = now  # one read at a time, even if the hub is slow to answer
            self._spawn(self._refresh_top())
        if self.state.screen in (HOME, LOADING) or self.state.busy or self._last_touch is None:
            self._last_touch = now
            self.state.idle_left = self.idle_seconds
            return
        left = math.ceil(self.idle_seconds - (now - self._last_touch).total_seconds())
        if left <= 0:
            self.home()
            if self.state.screen == HOME and self.state.large:
                self._set(large=False)  # the next person starts with the usual screen
        elif left != self.state.idle_left:
            self._set(idle_left=left)

    def _go(self, screen: str, **changes: Any) -> None:
        self._last_touch = self.now()
        self._set(screen=screen, idle_left=self.idle_seconds, **changes)

    def home(self) -> None:
        if self.state.busy:
            return
        self.pending = None
        screen = HOME if self.hall else LOADING
        self._go(screen, zone_id=None, query="", priority_reason=None, card_problem=None, senior=None,
                 message=None, message_action=None, appt_input="", searching_from_home=False)
        self._spawn(self._refresh_top())

    def toggle_large(self) -> None:
        """适老化 on or off; turning it on says how to go on, in the display's voice."""
        if self.state.busy:
            return
        self._last_touch = self.now()
        self._set(large=not self.state.large, idle_left=self.idle_seconds)
        if self.state.large:
            self.say(self.text("say_large_on"))

    def open_search(self) -> None:
        """Search straight from home: nobody has to know which zone handles what."""
        if self.state.busy or not self.hall or self.state.screen != HOME:
            return
        self._go(SERVICES, zone_id=None, query="", priority_reason=None, searching_from_home=True)
        self._spawn(self._read_summary())  # which services have an open window

    def say(self, text: str, number: str = "") -> None:
        """Speaks in 适老化 mode only; the number, if any, is read as the hall's calls read it."""
        if self.speaker is None or not self.state.large:
            return
        from hardware.voice import number_speech

        try:
            if number:
                text = text.replace("{number}", f" {number_speech(number, self.state.lang)} ")
            self.speaker.say_text(text, lang=self.state.lang)
        except (ValueError, RuntimeError) as e:  # a voice that cannot say it: the screen still shows it
            log.warning("kiosk could not speak: %s", e)

    def set_lang(self, lang: str | None = None) -> None:
        if lang is None:
            lang = "en" if self.state.lang == "zh_CN" else "zh_CN"
        self._last_touch = self.now()
        self._set(lang=lang, idle_left=self.idle_seconds)

    def take_number(self) -> None:
        if self.state.busy or not self.hall:
            return
        self._go(ZONES, zone_id=None, query="", priority_reason=None)
        self._spawn(self._refresh_zones())

    def start_priority(self) -> None:
        if self.state.busy or not self.hall:
            return
        self._go(PRIORITY)

    def choose_reason(self, reason: str) -> None:
        if reason not in HAND_PRIORITY_REASONS or self.state.screen != PRIORITY:
            return
        if self.state.zone_id or self.state.query:
            self._go(SERVICES, priority_reason=reason)  # came from a zone: back to its services
        else:
            self._go(ZONES, priority_reason=reason)
            self._spawn(self._refresh_zones())

    def back(self) -> None:
        s = self.state
        if s.busy:
            return
        if s.screen == SERVICES and s.searching_from_home and s.zone_id is None:
            self.home()
        elif s.screen == SERVICES:
            self._go(ZONES, zone_id=None, query="")
        elif s.screen in (CARD, SENIOR) and not (s.zone_id or s.query or s.searching_from_home):
            self.pending = None  # a top service taken from home
            self.home()
        elif s.screen in (CARD, SENIOR):
            self.pending = None
            self._go(SERVICES, card_problem=None, senior=None)
        elif s.screen == PRIORITY and (s.zone_id or s.query):
            self._go(SERVICES)
        else:
            self.home()

    def choose_zone(self, zone_id: str) -> None:
        zone = self.zone(zone_id)
        if zone is None or self.state.screen != ZONES or self.state.busy:
            return
        if not self.zone_open(zone):
            from .text import hours_lines

            lang = self.state.lang
            body = self.text("zone_hours") + "\n" + "\n".join(hours_lines(zone, lang))
            self._go(MESSAGE, message=(self.text("zone_closed_title", zone=pick(zone, "name", lang)), body, ""),
                     message_action=None)
            return
        self._go(SERVICES, zone_id=zone_id, query="")

    def search_all(self) -> None:
        if self.state.screen == ZONES:
            self._go(SERVICES, zone_id=None, query="")

    def search(self, query: str) -> None:
        if self.state.screen == SERVICES and query != self.state.query:
            self._last_touch = self.now()
            self._set(query=query, idle_left=self.idle_seconds)

    # ---- intents: taking a ticket ------------------------------------------------------------
    def choose_service(self, service_id: str) -> None:
        """From a zone's list, the search, or home's most-taken services (no zone needed)."""
        if self.state.busy or self.state.screen not in (SERVICES, HOME) or self.pending is not None:
            return
        service = self.service(service_id)
        if service is None or not service.get("windows"):
            return  # a self-service terminal's task: the screen shows directions, not a button
        if service_id in self.no_window:  # read again: a window may have opened since
            self._set(busy=True)
            self._spawn(self._recheck_window(service_id))
            return
        self._begin_issue(service_id)

    async def _recheck_window(self, service_id: str) -> None:
        await self._read_summary()
        self._set(busy=False)
        if service_id in self.no_window:
            self._show_no_window(self.service(service_id))
        else:
            self._begin_issue(service_id)

    def _show_no_window(self, service: dict) -> None:
        """Said before the ID card is asked for: no window that handles it is open."""
        lang, named = self.state.lang, self.no_window.get(service["id"], {})
        windows = named.get("windows_en" if lang == "en" else "windows", "")
        self._go(MESSAGE, message=(self.text("no_window_title", service=pick(service, "name", lang)),
                                   self.text("no_window_body", windows=windows), self.text("no_window_hint")),
                 message_action=None)

    def _begin_issue(self, service_id: str) -> None:
        fields = {"service_id": service_id, "priority_reason": self.state.priority_reason}
        self.pending = Pending("issue", fields)
        if self.has_reader and not self.state.priority_reason:
            self._go(CARD, card_problem=None, senior=None)
            if self._card_holder is not None:
                self._use_card(self._card_holder)
            return
        self._send(self.pending)

    def skip_card(self) -> None:
        if self.state.screen == CARD and self.pending and not self.state.busy:
            self._send(self.pending)

    def senior_answer(self, yes: bool) -> None:
        if self.state.screen != SENIOR or not self.pending or self.state.busy:
            return
        if not yes:
            self.pending.fields["priority_reason"] = None
        self._send(self.pending)

    def _use_card(self, holder) -> None:
        """A card read on the card screen: seniors are asked, everyone else gets a normal number."""
        senior_age = (self.hall or {}).get("queue", {}).get("senior_age", 65)
        # The number goes to the hub only (over TLS), which masks and hashes it with the hall's key.
        info = {"name_masked": mask_name(holder.name), "id_number": holder.id_number}
        self.pending.fields["holder"] = info
        if age_on(holder.birth_date, self.now().date()) >= senior_age:
            self.pending.fields["priority_reason"] = "senior"
            self._go(SENIOR, senior={"name": info["name_masked"], "age": senior_age}, card_problem=None)
        else:
            self._send(self.pending)

    def reader_event(self, kind: str, holder=None, error_code: str | None = None) -> None:
        """From the hardware worker (on the GUI thread): card | removed | error | ready."""
        if kind == "card":
            self._card_holder = holder
            if self.state.busy:
                return
            if self.state.screen == CARD and self.pending:
                self._use_card(holder)
            elif self.state.screen == APPOINTMENT and self.state.appt_mode == "card":
                self.pending = Pending("check_in", {"id_number": holder.id_number})
                self._send(self.pending)
        elif kind == "removed":
            self._card_holder = None
        elif kind == "error":
            self._card_holder = None
            problem = "reader_unavailable" if error_code in ("unplugged", "timeout") else "card_failed"
            self._set(card_problem=problem)
        elif kind == "ready":
            if self.state.card_problem == "reader_unavailable":
                self._set(card_problem=None)

    # ---- intents: appointment ----------------------------------------------------------------
    def appointment(self) -> None:
        if self.state.busy or not self.hall:
            return
        self._go(APPOINTMENT, appt_mode="code", appt_input="")

    def appt_mode(self, mode: str) -> None:
        if mode in ("code", "phone", "card") and self.state.screen == APPOINTMENT and not self.state.busy:
            self._go(APPOINTMENT, appt_mode=mode, appt_input="")
            if mode == "card" and self._card_holder is not None:
                self.reader_event("card", self._card_holder)

    def appt_key(self, key: str) -> None:
        s = self.state
        if s.screen != APPOINTMENT or s.busy or s.appt_mode == "card":
            return
        if key == "del":
            value = s.appt_input[:-1]
        elif key == "clear":
            value = ""
        elif key.isdigit() and len(s.appt_input) < APPT_LENGTH[s.appt_mode]:
            value = s.appt_input + key
        else:
            return
        self._go(APPOINTMENT, appt_input=value)

    def appt_ready(self) -> bool:
        s = self.state
        return s.appt_mode in APPT_LENGTH and len(s.appt_input) == APPT_LENGTH[s.appt_mode]

    def appt_confirm(self) -> None:
        if self.state.screen != APPOINTMENT or self.state.busy or not self.appt_ready():
            return
        key = "code" if self.state.appt_mode == "code" else "phone"
        self.pending = Pending("check_in", {key: self.state.appt_input})
        self._send(self.pending)

    # ---- talking to the hub ------------------------------------------------------------------
    def retry(self) -> None:
        """Try the same tap again with the same request_id: the hub returns the first ticket if it made one."""
        if self.pending and not self.state.busy:
            self._send(self.pending)

    def _send(self, pending: Pending) -> None:
        self._set(busy=True)  # set before any await: a second tap in the same instant is ignored
        self._spawn(self._run(pending))

    async def _run(self, pending: Pending) -> None:
        try:
            if pending.kind == "issue":
                f = pending.fields
                result = await self.client.issue_ticket(f["service_id"], priority_reason=f.get("priority_reason"),
                                                        holder=f.get("holder"), request_id=pending.request_id)
            else:
                result = await self.client.check_in(request_id=pending.request_id, **pending.fields)
        except HubUnavailable:
            self._set(busy=False)
            self._go(UNREACHABLE)
            return
        except HubError as e:
            self.pending = None
            self._set(busy=False)
            self._show_refusal(e, pending.kind)
            return
        except Exception:
            log.exception("issuing failed")
            self._set(busy=False)
            self._go(UNREACHABLE)
            return
        self.pending = None
        ticket = result["ticket"]
        print_result = None if self.printer is None else ("off" if self.printer_fault else "printing")
        self._set(busy=False)
        self._go(TICKET, ticket=ticket, ticket_service=self.service(ticket.get("service_id", "")),
                 print_result=print_result, senior=None, card_problem=None)
        self.say(self.ticket_sentence(ticket), number=ticket["number"])
        if print_result == "printing":
            self._spawn(self._print(ticket, appointment=pending.kind == "check_in"))

    def _show_refusal(self, e: HubError, kind: str) -> None:
        body = e.message_en if self.state.lang == "en" and e.message_en else e.message
        hint = self.text("appt_what_to_do") if kind == "check_in" else ""
        self._go(MESSAGE, message=(self.text("appt_failed_title" if kind == "check_in" else "error_title"), body, hint),
                 message_action="take_normal" if kind == "check_in" else None)

    async def _on_connection(self, event: dict) -> None:
        connected = bool(event.get("connected"))
        self._set(connected=connected)
        if connected:
            if self.hall is None:
                await self._load_hall()
            if self._reported_fault != self.printer_fault:
                await self._report_fault()

    def ticket_sentence(self, ticket: dict) -> str:
        """The number and the next step, as the kiosk says them; {number} is left for the voice."""
        zone = pick(self.zone(ticket.get("zone_id")) or {}, "name", self.state.lang) or ticket.get("zone_name", "")
        ahead = int(ticket.get("ahead") or 0)
        parts = [self.text("say_number"),
                 self.text("say_ahead", n=ahead) if ahead else self.text("say_ahead_none"),
                 self.text("say_next", zone=zone)]
        return " ".join(parts)

    # ---- printing ----------------------------------------------------------------------------
    def ticket_print(self, ticket: dict, appointment: bool = False):
        from hardware.printer import LABELS_ZH, TicketPrint

        lang = self.state.lang
        service = self.service(ticket.get("service_id", "")) or {}
        zone = self.zone(ticket.get("zone_id")) or {}
        labels = {key: tr(f"print_{key}", lang) for key in LABELS_ZH}
        if not ticket.get("ahead"):
            labels["ahead"] = tr("print_ahead_none", lang)  # as the screen says it, not "0 人"
        return TicketPrint(
            hall_name=self.hall_name() or "HallQ",
            zone_name=pick(zone, "name", lang) or ticket.get("zone_name", ""),
            service_name=pick(service, "name", lang) or ticket.get("service_name", "") or "-",
            number=ticket["number"],
            ahead=int(ticket.get("ahead") or 0),
            issued_at=self.now().strftime("%Y-%m-%d %H:%M"),
            qr_url=ticket.get("url") or "-",
            hint=tr("ticket_hint", lang),
            labels=labels,
            priority=bool(ticket.get("priority")),
            appointment=appointment or bool(ticket.get("appointment_id")),
            wait=wait_text(ticket, lang),
        )

    async def _print(self, ticket: dict, appointment: bool) -> None:
        from hardware.printer import PrinterFault

        try:
            job = self.ticket_print(ticket, appointment)
            await self.worker.print_ticket(job)
        except PrinterFault as fault:
            await self._printer_failed(getattr(fault, "code", None) or "offline")
        except Exception:
            log.exception("printing failed")
            await self._printer_failed("offline")
        else:
            self._mark_printed(ticket, "printed")

    def _mark_printed(self, ticket: dict, result: str) -> None:
        if self.state.screen == TICKET and self.state.ticket is ticket:
            self._set(print_result=result)

    async def _printer_failed(self, code: str) -> None:
        log.warning("printer fault: %s", code)
        self.printer_fault = code
        if self.state.screen == TICKET:
            self._set(print_result="failed")
        else:
            self.changed.emit()
        await self._report_fault()
        if self._fault_watch is None or self._fault_watch.done():
            self._fault_watch = self._spawn(self._watch_printer())

    async def _report_fault(self) -> None:
        fault = self.printer_fault
        try:
            await self.client.report_status(fault)
        except HubError as e:
            log.info("fault report postponed until the hub is back: %s", e)
            return
        self._reported_fault = fault

    async def _watch_printer(self) -> None:
        """Re-reads the printer's status until the fault is cleared (paper loaded, cover closed…)."""
        while self.printer_fault:
            await asyncio.sleep(self.printer_check_seconds)
            fault = await self.worker.printer_fault()
            if fault != self.printer_fault:
                self.printer_fault = fault
                self.changed.emit()
                await self._report_fault()

    async def _check_printer_at_start(self) -> None:
        if self.printer is None:
            return
        fault = await self.worker.printer_fault()
        if fault:
            await self._printer_failed(fault)
        elif self._reported_fault is None:
            self.printer_fault = None
            await self._report_fault()  # clears a fault left over from before a restart
