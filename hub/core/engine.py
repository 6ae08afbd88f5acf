"""The hall's rules: each command decides events from the current state without changing it;
`apply` folds an event into the state. Replaying the log therefore rebuilds the hall exactly.
"""
from __future__ import annotations

import copy
from collections import deque
from datetime import date, datetime, timedelta

from . import queue
from .config import HallConfig
from .errors import DomainError, invalid, not_found
from .vocabulary import HAND_PRIORITY_REASONS, age_on
from .model import ACTIVE, Appointment, HallState, Ticket, TicketState, WindowState, WindowStatus

Event = dict
Outcome = tuple[dict, list[Event]]


def _iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


def _event(kind: str, now: datetime, **data) -> Event:
    return {"type": kind, "at": _iso(now), "data": data}


class Hall:
    def __init__(self, config: HallConfig, state: HallState | None = None):
        self.config = config
        self.state = state or HallState()
        for w in config.windows:
            self.state.windows.setdefault(w.id, WindowStatus(id=w.id))

    # ---- folding events -------------------------------------------------------------------
    def apply(self, event: Event) -> None:
        s, data = self.state, event["data"]
        kind = event["type"]
        if kind == "day.started":
            s.day = data["day"]
            s.counters = {}
            s.tickets = {}
            s.clerk_done = {}
            s.calls = []
            for w in s.windows.values():
                w.current = None
            s.appointments = {k: a for k, a in s.appointments.items() if a.slot_start[:10] >= data["day"]}
            return
        if "ticket" in data:
            t = Ticket.from_dict(data["ticket"])
            if t.day != s.day and kind != "ticket.issued":
                return  # e.g. an evaluation of yesterday's ticket: kept in the store, not in today's hall
            s.tickets[t.id] = t
            if kind in ("ticket.called", "ticket.recalled"):
                s.calls = [i for i in s.calls[-49:] if i != t.id] + [t.id]
            if kind == "ticket.issued":
                s.next_ticket_id = max(s.next_ticket_id, t.id + 1)
                s.counters[t.zone_id] = max(s.counters.get(t.zone_id, 0), int(t.number[1:]))
            if kind == "ticket.finished" and t.clerk_id:
                s.clerk_done[t.clerk_id] = s.clerk_done.get(t.clerk_id, 0) + 1
                began = datetime.fromisoformat(t.serving_at or t.called_at)
                seconds = (datetime.fromisoformat(t.finished_at) - began).total_seconds()
                sample = s.service_times.setdefault(t.service_id, deque(maxlen=self.config.queue.wait_sample_size))
                sample.append(max(seconds, 1.0))
        if "window" in data:
            w = WindowStatus.from_dict(data["window"])
            s.windows[w.id] = w
        if "appointment" in data:
            a = Appointment.from_dict(data["appointment"])
            s.appointments[a.id] = a
        if kind == "notice.set":
            s.notice = data["notice"]
        if kind == "device.status":
            if data.get("fault"):
                s.device_faults[data["device"]] = {"fault": data["fault"], "since": event["at"]}
            else:
                s.device_faults.pop(data["device"], None)

    # ---- helpers --------------------------------------------------------------------------
    def rollover(self, now: datetime) -> list[Event]:
        """Events that open a new business day, if `now` is in one; leftover tickets are closed.

        The hub runs this before every command, so no command sees yesterday's queue."""
        today = self.config.business_day(now).isoformat()
        if self.state.day == today:
            return []
        events = []
        for t in self.state.tickets.values():
            if t.state in (TicketState.WAITING, *ACTIVE):
                closed = copy.copy(t)
                closed.state = TicketState.CANCELLED
                closed.finished_at = _iso(now)
                events.append(_event("ticket.cancelled", now, ticket=closed.to_dict(), reason="day_end"))
        events.append(_event("day.started", now, day=today))
        return events

    def _ticket(self, ticket_id: int) -> Ticket:
        t = self.state.tickets.get(ticket_id)
        if t is None:
            raise not_found("TICKET_NOT_FOUND", ticket=ticket_id)
        return copy.copy(t)

    def _window(self, window_id: int, *, open_required: bool = True) -> WindowStatus:
        if self.config.window(window_id) is None:
            raise not_found("WINDOW_NOT_FOUND", window=window_id)
        w = copy.copy(self.state.windows[window_id])
        if open_required and w.state == WindowState.CLOSED:
            raise DomainError("WINDOW_CLOSED", window=window_id)
        return w

    def _current(self, w: WindowStatus, *allowed: TicketState) -> Ticket:
        if w.current is None:
            raise DomainError("NO_CURRENT_TICKET", window=w.id)
        t = self._ticket(w.current)
        if allowed and t.state not in allowed:
            raise DomainError("TICKET_STATE", ticket=t.number, state=t.state.value)
        return t

    def view(self, t: Ticket, now: datetime, known: dict | None = None) -> dict:
        """A ticket with its place in line; `known` is queue.positions() when viewing many at once."""
        ahead, wait = known.get(t.id, (0, 0)) if known is not None else queue.position(self.state, self.config, t, now)
        d = t.to_dict()
        d.update(ahead=ahead, estimated_wait_minutes=wait)
        return d

    # ---- tickets --------------------------------------------------------------------------
    def issue(self, now: datetime, service_id: str, token: str, *, priority_reason: str | None = None,
              holder: dict | None = None, device: str | None = None, appointment: Appointment | None = None,
              ignore_hours: bool = False) -> Outcome:
        cfg = self.config
        service = cfg.service(service_id)
        if service is None:
            raise not_found("SERVICE_NOT_FOUND", service=service_id)
        zone = cfg.zone(service.zone)
        if not ignore_hours and not zone.is_open(now.astimezone(cfg.tz)):
            raise DomainError("ZONE_CLOSED", zone=zone.name)
        if not any(service_id in cfg.window_services(w.id) for w in cfg.windows):
            raise DomainError("SERVICE_UNSERVED", service=service.name)
        holder = holder or {}
        if priority_reason == "senior":
            birth = holder.get("birth_date")
            if not birth or age_on(date.fromisoformat(birth), now.astimezone(cfg.tz).date()) < cfg.queue.senior_age:
                raise invalid("NOT_SENIOR", age=cfg.queue.senior_age)
        elif priority_reason is not None and priority_reason not in HAND_PRIORITY_REASONS:
            raise invalid("BAD_PRIORITY_REASON", reason=priority_reason)
        n = self.state.counters.get(zone.id, 0) + 1
        width = cfg.queue.number_width
        ticket_id = self.state.next_ticket_id
        t = Ticket(
            id=ticket_id,
            number=f"{zone.prefix}{n:0{width}d}",
            day=cfg.business_day(now).isoformat(),
            zone_id=zone.id,
            service_id=service.id,
            issued_at=_iso(now),
            token=token,
            order=float(ticket_id),
            priority=priority_reason is not None,
            priority_reason=priority_reason,
            id_masked=holder.get("id_masked"),
            id_hash=holder.get("id_hash"),
            name_masked=holder.get("name_masked"),
            device=device,
        )
        if appointment is not None:
            t.appointment_id, t.slot_start, t.slot_end = appointment.id, appointment.slot_start, appointment.slot_end
        return {"ticket": t}, [_event("ticket.issued", now, ticket=t.to_dict())]

    def cancel(self, now: datetime, ticket_id: int) -> Outcome:
        t = self._ticket(ticket_id)
        if t.state != TicketState.WAITING:
            raise DomainError("TICKET_STATE", ticket=t.number, state=t.state.value)
        t.state, t.finished_at = TicketState.CANCELLED, _iso(now)
        return {"ticket": t}, [_event("ticket.cancelled", now, ticket=t.to_dict(), reason="cancelled")]

    # ---- windows --------------------------------------------------------------------------
    def login(self, now: datetime, window_id: int, clerk_id: str, pin: str) -> Outcome:
        w = self._window(window_id, open_required=False)
        clerk = self.config.clerk(clerk_id)
        if clerk is None or clerk.disabled or clerk.pin != pin:
            raise DomainError("BAD_LOGIN", status=401)
        elsewhere = [o.id for o in self.state.windows.values() if o.clerk_id == clerk_id and o.id != window_id
                     and o.state != WindowState.CLOSED]
        if elsewhere:
            raise DomainError("CLERK_ELSEWHERE", window=elsewhere[0])
        if w.state != WindowState.CLOSED and w.clerk_id not in (None, clerk_id):
            raise DomainError("WINDOW_TAKEN", window=window_id)
        w.state, w.clerk_id, w.pause_reason, w.since = WindowState.OPEN, clerk_id, None, _iso(now)
        return {"window": w}, [_event("window.opened", now, window=w.to_dict())]

    def logout(self, now: datetime, window_id: int) -> Outcome:
        w = self._window(window_id, open_required=False)
        if w.current is not None and self.state.tickets.get(w.current) and self.state.tickets[w.current].state in ACTIVE:
            raise DomainError("WINDOW_BUSY", window=window_id)
        w.state, w.clerk_id, w.pause_reason, w.current, w.since = WindowState.CLOSED, None, None, None, _iso(now)
        return {"window": w}, [_event("window.closed", now, window=w.to_dict())]

    def pause(self, now: datetime, window_id: int, reason: str) -> Outcome:
        w = self._window(window_id)
        if not reason.strip():
            raise invalid("PAUSE_REASON_REQUIRED")
        if w.current is not None and self.state.tickets[w.current].state in ACTIVE:
            raise DomainError("WINDOW_BUSY", window=window_id)
        w.state, w.pause_reason, w.since = WindowState.PAUSED, reason.strip()[:60], _iso(now)
        return {"window": w}, [_event("window.paused", now, window=w.to_dict())]

    def resume(self, now: datetime, window_id: int) -> Outcome:
        w = self._window(window_id)
        if w.state != WindowState.PAUSED:
            raise DomainError("WINDOW_NOT_PAUSED", window=window_id)
        w.state, w.pause_reason, w.since = WindowState.OPEN, None, _iso(now)
        return {"window": w}, [_event("window.resumed", now, window=w.to_dict())]

    # ---- calling --------------------------------------------------------------------------
    def call_next(self, now: datetime, window_id: int) -> Outcome:
        w = self._window(window_id)
        if w.state == WindowState.PAUSED:
            raise DomainError("WINDOW_PAUSED", window=window_id)
        if w.current is not None and self.state.tickets.get(w.current) and self.state.tickets[w.current].state in ACTIVE:
            raise DomainError("WINDOW_BUSY", window=window_id)
        picked = queue.pick_next(self.state, self.config, w, now)
        if picked is None:
            return {"ticket": None, "window": w}, []
        t = copy.copy(picked)
        t.state, t.called_at, t.window_id, t.clerk_id = TicketState.CALLED, _iso(now), w.id, w.clerk_id
        t.target_window, t.transferred = None, False
        w.current = t.id
        w.priority_streak, w.normal_streak = queue.streaks_after(w, t)
        return {"ticket": t, "window": w}, [_event("ticket.called", now, ticket=t.to_dict(), window=w.to_dict())]

    def recall(self, now: datetime, window_id: int) -> Outcome:
        w = self._window(window_id)
        t = self._current(w, TicketState.CALLED)
        t.recall_count += 1
        return {"ticket": t}, [_event("ticket.recalled", now, ticket=t.to_dict(), window=w.to_dict())]

    def serve(self, now: datetime, window_id: int) -> Outcome:
        w = self._window(window_id)
        t = self._current(w, TicketState.CALLED)
        t.state, t.serving_at = TicketState.SERVING, _iso(now)
        return {"ticket": t}, [_event("ticket.serving", now, ticket=t.to_dict())]

    def finish(self, now: datetime, window_id: int) -> Outcome:
        w = self._window(window_id)
        t = self._current(w, *ACTIVE)
        t.state, t.finished_at = TicketState.DONE, _iso(now)
        w.current = None
        return {"ticket": t}, [_event("ticket.finished", now, ticket=t.to_dict(), window=w.to_dict())]

    def no_show(self, now: datetime, window_id: int) -> Outcome:
        w = self._window(window_id)
        t = self._current(w, TicketState.CALLED)
        rules = self.config.queue
        t.no_show_count += 1
        requeued = t.no_show_count <= rules.no_show_max_requeues
        if requeued:
            t.state = TicketState.WAITING
            t.order = queue.requeue_order(self.state, self.config, t, window_id, rules.no_show_requeue_after)
        else:
            t.state, t.finished_at = TicketState.NO_SHOW, _iso(now)
        w.current = None
        return {"ticket": t, "requeued": requeued}, [
            _event("ticket.no_show", now, ticket=t.to_dict(), window=w.to_dict(), requeued=requeued)
        ]

    def transfer(self, now: datetime, window_id: int, *, service_id: str | None = None,
                 to_window: int | None = None) -> Outcome:
        w = self._window(window_id)
        t = self._current(w, *ACTIVE)
        if (service_id is None) == (to_window is None):
            raise invalid("TRANSFER_TARGET")
        if service_id is not None:
            if self.config.service(service_id) is None:
                raise not_found("SERVICE_NOT_FOUND", service=service_id)
            t.service_id, t.target_window = service_id, None
        else:
            if self.config.window(to_window) is None:
                raise not_found("WINDOW_NOT_FOUND", window=to_window)
            if to_window == window_id:
                raise invalid("TRANSFER_SAME_WINDOW")
            t.target_window = to_window
        # The number stays; the citizen goes to the front of the new line.
        t.state, t.transferred, t.order = TicketState.WAITING, True, queue.front_order(self.state)
        t.called_at = None
        w.current = None
        return {"ticket": t}, [_event("ticket.transferred", now, ticket=t.to_dict(), window=w.to_dict(),
                                      from_window=window_id)]

    # ---- appointments ---------------------------------------------------------------------
    def book(self, now: datetime, appointment_id: str, code: str, service_id: str, slot_start: datetime,
             slot_end: datetime, *, name_masked: str = "", phone_hash: str | None = None,
             phone_masked: str | None = None, id_hash: str | None = None) -> Outcome:
        if self.config.service(service_id) is None:
            raise not_found("SERVICE_NOT_FOUND", service=service_id)
        if slot_end <= slot_start:
            raise invalid("SLOT_ORDER")
        if slot_end <= now:
            raise invalid("SLOT_PAST")
        if not (phone_hash or id_hash):
            raise invalid("APPOINTMENT_CONTACT")
        a = Appointment(id=appointment_id, code=code, service_id=service_id, slot_start=_iso(slot_start),
                        slot_end=_iso(slot_end), name_masked=name_masked, phone_hash=phone_hash,
                        phone_masked=phone_masked, id_hash=id_hash)
        return {"appointment": a}, [_event("appointment.created", now, appointment=a.to_dict())]

    def find_appointment(self, now: datetime, *, code: str | None = None, phone_hash: str | None = None,
                         id_hash: str | None = None) -> Appointment:
        today = self.config.business_day(now).isoformat()
        found = [a for a in self.state.appointments.values() if not a.cancelled and a.ticket_id is None and (
            (code and a.code == code) or (phone_hash and a.phone_hash == phone_hash) or (id_hash and a.id_hash == id_hash))]
        if not found:
            raise not_found("APPOINTMENT_NOT_FOUND")
        todays = sorted((a for a in found if a.slot_start[:10] == today), key=lambda a: a.slot_start)
        if not todays:
            raise DomainError("APPOINTMENT_NOT_TODAY", date=min(a.slot_start for a in found)[:10])
        return todays[0]

    def check_in(self, now: datetime, token: str, *, device: str | None = None, **match) -> Outcome:
        a = copy.copy(self.find_appointment(now, **match))
        rules = self.config.queue
        start, end = datetime.fromisoformat(a.slot_start), datetime.fromisoformat(a.slot_end)
        if now < start - timedelta(minutes=rules.appointment_early_minutes):
            earliest = start - timedelta(minutes=rules.appointment_early_minutes)
            raise DomainError("APPOINTMENT_TOO_EARLY", slot=a.slot_start[11:16], earliest=_iso(earliest)[11:16])
        if now > end + timedelta(minutes=rules.appointment_late_minutes):
            raise DomainError("APPOINTMENT_LATE", slot=f"{a.slot_start[11:16]}-{a.slot_end[11:16]}")
        result, events = self.issue(now, a.service_id, token, device=device, appointment=a)
        a.ticket_id, a.checked_in_at = result["ticket"].id, _iso(now)
        events.append(_event("appointment.checked_in", now, appointment=a.to_dict()))
        return {"ticket": result["ticket"], "appointment": a}, events

    # ---- hall -----------------------------------------------------------------------------
    def set_notice(self, now: datetime, notice: str) -> Outcome:
        if len(notice) > 500:
            raise invalid("NOTICE_TOO_LONG")
        return {"notice": notice}, [_event("notice.set", now, notice=notice)]

    def device_status(self, now: datetime, device: str, fault: str | None) -> Outcome:
        known = self.state.device_faults.get(device, {}).get("fault")
        if known == fault:
            return {"device": device, "fault": fault}, []
        return {"device": device, "fault": fault}, [_event("device.status", now, device=device, fault=fault)]

    def evaluate(self, now: datetime, ticket: Ticket, score: int, reasons: list[str], comment: str) -> Outcome:
        if ticket.state != TicketState.DONE:
            raise DomainError("EVALUATION_NOT_READY", ticket=ticket.number)
        if ticket.evaluation is not None:
            raise DomainError("EVALUATION_EXISTS", ticket=ticket.number)
        if score not in (1, 2, 3, 4, 5):
            raise invalid("EVALUATION_SCORE")
        t = copy.copy(ticket)
        t.evaluation = {"score": score, "reasons": list(reasons)[:10], "comment": comment[:500], "at": _iso(now)}
        return {"ticket": t}, [_event("ticket.evaluated", now, ticket=t.to_dict())]
