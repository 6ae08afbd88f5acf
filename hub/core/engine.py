"""The hall's rules: each command decides events from the current state without changing it;
`apply` folds an event into the state. Replaying the log therefore rebuilds the hall exactly.

What an event does to one ticket or one window is written once (`fold_ticket`, `fold_window`);
the decide methods use it on copies for their answers, `apply` on the hall itself.
"""
from __future__ import annotations

import copy
from collections import deque
from datetime import date, datetime, timedelta

from . import queue
from .config import HallConfig
from .errors import DomainError, invalid, not_found
from . import booking
from .events import (AppointmentCancelled, AppointmentCheckedIn, AppointmentCreated, AppointmentRescheduled, DayStarted, DeviceStatusChanged, Event, HallChanged,
                     NoticeSet, TicketCalled, TicketCancelled, TicketEvaluated, TicketFinished, TicketIssued,
                     TicketMoved, TicketNoShow, TicketRecalled, TicketServing, TicketTransferred, WindowClosed, WindowOpened,
                     WindowPaused, WindowResumed)
from .lines import Lines
from .model import ACTIVE, Appointment, HallState, Ticket, TicketState, WindowState, WindowStatus
from .vocabulary import CALL_REASONS, HAND_PRIORITY_REASONS, age_on

Outcome = tuple[dict, list[Event]]
STRANDED_NAMED = 10  # tickets named in a WOULD_STRAND refusal (the count says how many in all)


def _iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


def new_ticket(e: TicketIssued) -> Ticket:
    return Ticket(id=e.ticket_id, number=e.number, day=e.day, zone_id=e.zone_id, service_id=e.service_id,
                  issued_at=e.at, token=e.token, order=e.order, priority=e.priority_reason is not None,
                  priority_reason=e.priority_reason, appointment_id=e.appointment_id, slot_start=e.slot_start,
                  slot_end=e.slot_end, id_masked=e.id_masked, id_hash=e.id_hash, name_masked=e.name_masked,
                  device=e.device, device_id=e.device_id)


def fold_ticket(e: Event, t: Ticket) -> None:
    """What `e` does to ticket `t` (changed in place)."""
    match e:
        case TicketCalled():
            t.state, t.called_at, t.window_id, t.clerk_id = TicketState.CALLED, e.at, e.window_id, e.clerk_id
            t.target_window, t.transferred, t.grace_until, t.call_reason = None, False, None, e.reason
        case TicketRecalled():
            t.recall_count += 1
        case TicketServing():
            t.state, t.serving_at = TicketState.SERVING, e.at
        case TicketFinished():
            t.state, t.finished_at = TicketState.DONE, e.at
        case TicketNoShow():
            t.no_show_count += 1
            if e.requeued:
                t.state, t.order, t.grace_until = TicketState.WAITING, e.order, e.grace_until
            else:
                t.state, t.finished_at = TicketState.NO_SHOW, e.at
        case TicketTransferred():
            if e.to_window is None:
                t.service_id, t.target_window = e.service_id, None
            else:
                t.target_window = e.to_window
            # The number stays; the citizen goes to the front of the new line.
            t.state, t.transferred, t.order, t.called_at = TicketState.WAITING, True, e.order, None
        case TicketMoved():
            if e.to_window is None:
                t.service_id, t.target_window, t.transferred = e.service_id, None, False
            else:
                # Into the window's own line (as a transfer to it), keeping the place it had.
                t.target_window, t.transferred = e.to_window, True
        case TicketCancelled():
            t.state, t.finished_at = TicketState.CANCELLED, e.at
        case TicketEvaluated():
            t.evaluation = {"score": e.score, "reasons": list(e.reasons), "comment": e.comment, "at": e.at}


def fold_window(e: Event, w: WindowStatus, ticket: Ticket | None = None) -> None:
    """What `e` does to window `w` (changed in place); `ticket` is the called one, for the streaks."""
    match e:
        case WindowOpened():
            w.state, w.clerk_id, w.pause_reason, w.since = WindowState.OPEN, e.clerk_id, None, e.at
        case WindowClosed():
            w.state, w.clerk_id, w.pause_reason, w.current, w.since = WindowState.CLOSED, None, None, None, e.at
        case WindowPaused():
            w.state, w.pause_reason, w.since = WindowState.PAUSED, e.reason, e.at
        case WindowResumed():
            w.state, w.pause_reason, w.since = WindowState.OPEN, None, e.at
        case TicketCalled():
            w.current = e.ticket_id
            w.priority_streak, w.normal_streak = queue.streaks_after(w, ticket)
        case TicketFinished() | TicketNoShow() | TicketTransferred():
            w.current = None


def _window_of(e: Event) -> int | None:
    if isinstance(e, TicketTransferred):
        return e.from_window
    return getattr(e, "window_id", None) if "window" in e.CARRIES else None


WINDOWS_NAMED = 3  # a citizen reads the refusal at the kiosk: a few windows, then how many more


def window_names(cfg: HallConfig, service_id: str) -> dict:
    """How a refusal names the windows that handle a service: {"windows": zh, "windows_en": en}."""
    # The windows that specialise in it first (a passport window before the 绿色通道 window that takes everything).
    ids = sorted(cfg.windows_serving(service_id), key=lambda w: (len(cfg.window_services(w)), w))
    shown, more = sorted(ids[:WINDOWS_NAMED]), len(ids) - WINDOWS_NAMED
    zh = "、".join(f"{i}号窗口" for i in shown) + (f"等{len(ids)}个窗口" if more > 0 else "")
    en = ", ".join(f"window {i}" for i in shown) + (f" and {more} more" if more > 0 else "")
    return {"windows": zh, "windows_en": en}


class Hall:
    def __init__(self, config: HallConfig, state: HallState | None = None):
        self.config = config
        self.state = state or HallState()
        for w in config.windows:
            self.state.windows.setdefault(w.id, WindowStatus(id=w.id))

    # ---- folding events -------------------------------------------------------------------
    def apply(self, e: Event) -> dict[str, dict]:
        """Fold `e` into the hall; returns the entities it carries on the wire (e.CARRIES), as
        they are after it. A ticket not in today's hall (e.g. yesterday's, rated today) is left out."""
        s = self.state
        match e:
            case DayStarted():
                s.day, s.counters, s.tickets, s.lines, s.clerk_done, s.calls = e.day, {}, {}, Lines(), {}, []
                for w in s.windows.values():
                    w.current = None
                self._remember_missed(e.day)
                s.appointments = {k: a for k, a in s.appointments.items() if a.slot_start[:10] >= e.day}
            case TicketIssued():
                t = new_ticket(e)
                s.tickets[t.id] = t
                s.lines.add(t)
                s.next_ticket_id = max(s.next_ticket_id, t.id + 1)
                s.counters[t.zone_id] = max(s.counters.get(t.zone_id, 0), int(t.number[1:]))
            case AppointmentCreated():
                s.appointments[e.appointment_id] = Appointment(
                    id=e.appointment_id, code=e.code, service_id=e.service_id, slot_start=e.slot_start,
                    slot_end=e.slot_end, name_masked=e.name_masked, phone_hash=e.phone_hash,
                    phone_masked=e.phone_masked, id_hash=e.id_hash, token=e.token)
            case AppointmentCancelled():
                a = s.appointments.get(e.appointment_id)
                if a is not None:
                    a.cancelled = True
            case AppointmentRescheduled():
                a = s.appointments.get(e.appointment_id)
                if a is not None:
                    a.slot_start, a.slot_end = e.slot_start, e.slot_end
            case AppointmentCheckedIn():
                a = s.appointments.get(e.appointment_id)
                if a is not None:
                    a.ticket_id, a.checked_in_at = e.ticket_id, e.at
            case NoticeSet():
                s.notice = e.notice
            case DeviceStatusChanged():
                if e.fault:
                    s.device_faults[e.device] = {"fault": e.fault, "since": e.at}
                else:
                    s.device_faults.pop(e.device, None)
            case HallChanged():
                pass
            case _ if "ticket" in e.CARRIES:
                t = s.tickets.get(e.ticket_id)
                if t is None:
                    return {}
                s.lines.discard(t)
                fold_ticket(e, t)
                s.lines.add(t)
                if isinstance(e, (TicketCalled, TicketRecalled)):
                    s.calls = [i for i in s.calls[-49:] if i != t.id] + [t.id]
                if isinstance(e, TicketFinished) and t.clerk_id:
                    self._count_finished(t)
                window_id = _window_of(e)
                if window_id is not None:
                    fold_window(e, self._window_state(window_id), t)
            case _:
                fold_window(e, self._window_state(e.window_id))
        return self.carried(e)

    def _remember_missed(self, day: str) -> None:
        """As a day starts, bookings of earlier days nobody came for are kept by phone for the no-show
        rule (the bookings themselves are dropped); days older than the rule looks back are forgotten."""
        s, rules = self.state, self.config.booking
        for a in s.appointments.values():
            if a.slot_start[:10] < day and a.phone_hash and not a.cancelled and a.ticket_id is None:
                s.missed_bookings.setdefault(a.phone_hash, []).append(a.slot_start[:10])
        horizon = (date.fromisoformat(day) - timedelta(days=rules.no_show_days + rules.block_days)).isoformat()
        s.missed_bookings = {k: kept for k, days in s.missed_bookings.items()
                             if (kept := [d for d in days if d >= horizon])}

    def carried(self, e: Event) -> dict[str, dict]:
        s, out = self.state, {}
        if "ticket" in e.CARRIES:
            t = s.tickets.get(e.ticket_id)
            if t is None:
                return out
            out["ticket"] = t.to_dict()
        if "window" in e.CARRIES:
            out["window"] = self._window_state(_window_of(e)).to_dict()
        if "appointment" in e.CARRIES and e.appointment_id in s.appointments:
            out["appointment"] = s.appointments[e.appointment_id].to_dict()
        return out

    def _window_state(self, window_id: int) -> WindowStatus:
        # A window since removed from the hall still has its past in the log.
        w = self.state.windows.get(window_id)
        if w is None:
            w = self.state.windows[window_id] = WindowStatus(id=window_id)
        return w

    def _count_finished(self, t: Ticket) -> None:
        s = self.state
        s.clerk_done[t.clerk_id] = s.clerk_done.get(t.clerk_id, 0) + 1
        began = datetime.fromisoformat(t.serving_at or t.called_at)
        seconds = (datetime.fromisoformat(t.finished_at) - began).total_seconds()
        sample = s.service_times.setdefault(t.service_id, deque(maxlen=self.config.queue.wait_sample_size))
        sample.append(max(seconds, 1.0))

    # ---- helpers --------------------------------------------------------------------------
    def rollover(self, now: datetime) -> list[Event]:
        """Events that open a new business day, if `now` is in one; leftover tickets are closed.

        The hub runs this before every command, so no command sees yesterday's queue."""
        today = self.config.business_day(now).isoformat()
        if self.state.day == today:
            return []
        at = _iso(now)
        events: list[Event] = [TicketCancelled(at, ticket_id=t.id, reason="day_end")
                               for t in self.state.tickets.values() if t.state in (TicketState.WAITING, *ACTIVE)]
        events.append(DayStarted(at, day=today))
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
              holder: dict | None = None, device: str | None = None, device_id: int | None = None,
              appointment: Appointment | None = None,
              ignore_hours: bool = False) -> Outcome:
        cfg = self.config
        service = cfg.service(service_id)
        if service is None:
            raise not_found("SERVICE_NOT_FOUND", service=service_id)
        zone = cfg.zone(service.zone)
        if not ignore_hours and not cfg.zone_open(zone, now.astimezone(cfg.tz)):
            holiday = cfg.calendar.holiday(now.astimezone(cfg.tz).date())
            if holiday is not None:
                raise DomainError("HALL_HOLIDAY", zone=zone.name, holiday=holiday.name,
                                  holiday_en=holiday.name_en or holiday.name)
            raise DomainError("ZONE_CLOSED", zone=zone.name)
        if not any(service_id in cfg.window_services(w.id) for w in cfg.windows):
            raise DomainError("SERVICE_UNSERVED", service=service.name)
        # A booked citizen was promised the slot: the console's stranded alert covers them instead.
        if appointment is None and not cfg.issues_when_closed(service_id) and not queue.open_windows_for(
                self.state, cfg, service_id):
            raise DomainError("NO_WINDOW_OPEN", status=409, service=service.name,
                              service_en=service.name_en or service.name, **window_names(cfg, service_id))
        holder = holder or {}
        if priority_reason == "senior":
            birth = holder.get("birth_date")
            if not birth or age_on(date.fromisoformat(birth), now.astimezone(cfg.tz).date()) < cfg.queue.senior_age:
                raise invalid("NOT_SENIOR", age=cfg.queue.senior_age)
        elif priority_reason is not None and priority_reason not in HAND_PRIORITY_REASONS:
            raise invalid("BAD_PRIORITY_REASON", reason=priority_reason)
        n = self.state.counters.get(zone.id, 0) + 1
        ticket_id = self.state.next_ticket_id
        e = TicketIssued(
            _iso(now), ticket_id=ticket_id, number=f"{zone.prefix}{n:0{cfg.queue.number_width}d}",
            day=cfg.business_day(now).isoformat(), zone_id=zone.id, service_id=service.id, token=token,
            order=float(ticket_id), priority_reason=priority_reason, id_masked=holder.get("id_masked"),
            id_hash=holder.get("id_hash"), name_masked=holder.get("name_masked"), device=device,
            device_id=device_id,
            **({"appointment_id": appointment.id, "slot_start": appointment.slot_start,
                "slot_end": appointment.slot_end} if appointment is not None else {}))
        return {"ticket": new_ticket(e)}, [e]

    def cancel(self, now: datetime, ticket_id: int, *, by_kiosk: int | None = None) -> Outcome:
        """`by_kiosk`: the id of the kiosk asking, which may cancel only what it issued, and only soon after."""
        t = self._ticket(ticket_id)
        if by_kiosk is not None:
            if t.device_id != by_kiosk:
                raise DomainError("NOT_OWN_TICKET", status=403, ticket=t.number)
            limit = self.config.queue.kiosk_cancel_minutes
            if now - datetime.fromisoformat(t.issued_at) > timedelta(minutes=limit):
                raise DomainError("CANCEL_TOO_LATE", status=403, ticket=t.number, minutes=limit)
        if t.state != TicketState.WAITING:
            raise DomainError("TICKET_STATE", ticket=t.number, state=t.state.value)
        return self._ticket_outcome(t, TicketCancelled(_iso(now), ticket_id=t.id, reason="cancelled"))

    def _ticket_outcome(self, t: Ticket, e: Event, w: WindowStatus | None = None) -> Outcome:
        """The answer to a ticket command: the ticket (and window) as `e` leaves them."""
        fold_ticket(e, t)
        if w is None:
            return {"ticket": t}, [e]
        fold_window(e, w, t)
        return {"ticket": t, "window": w}, [e]

    def _window_outcome(self, w: WindowStatus, e: Event) -> Outcome:
        fold_window(e, w)
        return {"window": w}, [e]

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
        return self._window_outcome(w, WindowOpened(_iso(now), window_id=window_id, clerk_id=clerk_id))

    def logout(self, now: datetime, window_id: int, *, strand: bool = False) -> Outcome:
        """`strand`: the clerk confirmed leaving tickets no other open window can call."""
        w = self._window(window_id, open_required=False)
        if self._busy(w):
            raise DomainError("WINDOW_BUSY", window=window_id)
        left = self._check_stranding(w, strand)
        result, events = self._window_outcome(w, WindowClosed(_iso(now), window_id=window_id))
        return {**result, "stranded": left}, events

    def pause(self, now: datetime, window_id: int, reason: str, *, strand: bool = False) -> Outcome:
        w = self._window(window_id)
        if not reason.strip():
            raise invalid("PAUSE_REASON_REQUIRED")
        if self._busy(w):
            raise DomainError("WINDOW_BUSY", window=window_id)
        left = self._check_stranding(w, strand)
        result, events = self._window_outcome(w, WindowPaused(_iso(now), window_id=window_id,
                                                              reason=reason.strip()[:60]))
        return {**result, "stranded": left}, events

    def _check_stranding(self, w: WindowStatus, confirmed: bool) -> list[Ticket]:
        """The waiting tickets only this window could call; refused unless the clerk confirmed."""
        if w.state != WindowState.OPEN:
            return []
        left = queue.stranded(self.state, self.config, closing=w.id)
        if left and not confirmed:
            raise DomainError("WOULD_STRAND", status=409, window=w.id, count=len(left),
                              tickets="、".join(t.number for t in left[:STRANDED_NAMED]) + (
                                  "…" if len(left) > STRANDED_NAMED else ""))
        return left

    def resume(self, now: datetime, window_id: int) -> Outcome:
        w = self._window(window_id)
        if w.state != WindowState.PAUSED:
            raise DomainError("WINDOW_NOT_PAUSED", window=window_id)
        return self._window_outcome(w, WindowResumed(_iso(now), window_id=window_id))

    def _busy(self, w: WindowStatus) -> bool:
        current = self.state.tickets.get(w.current) if w.current is not None else None
        return current is not None and current.state in ACTIVE

    # ---- calling --------------------------------------------------------------------------
    def call_next(self, now: datetime, window_id: int) -> Outcome:
        w = self._window(window_id)
        if w.state == WindowState.PAUSED:
            raise DomainError("WINDOW_PAUSED", window=window_id)
        if self._busy(w):
            raise DomainError("WINDOW_BUSY", window=window_id)
        picked, reason = queue.pick_next_why(self.state, self.config, w, now)
        if picked is None:
            return {"ticket": None, "window": w}, []
        e = TicketCalled(_iso(now), ticket_id=picked.id, window_id=w.id, clerk_id=w.clerk_id, reason=reason)
        return self._ticket_outcome(copy.copy(picked), e, w)

    def call_ticket(self, now: datetime, window_id: int, ticket_id: int, reason: str) -> Outcome:
        """The clerk calls a chosen number out of turn, with a reason from CALL_REASONS kept on the
        event; only a ticket waiting for this window (its service, or sent to this window)."""
        if reason not in CALL_REASONS:
            raise invalid("BAD_CALL_REASON", reason=reason)
        w = self._window(window_id)
        if w.state == WindowState.PAUSED:
            raise DomainError("WINDOW_PAUSED", window=window_id)
        if self._busy(w):
            raise DomainError("WINDOW_BUSY", window=window_id)
        t = self._ticket(ticket_id)
        waits_here = (t.target_window == window_id if t.target_window is not None
                      else t.service_id in self.config.window_services(window_id))
        if t.state != TicketState.WAITING or not waits_here:
            raise DomainError("TICKET_NOT_WAITING_HERE", ticket=t.number, window=window_id)
        e = TicketCalled(_iso(now), ticket_id=t.id, window_id=w.id, clerk_id=w.clerk_id, reason=reason)
        return self._ticket_outcome(t, e, w)

    def recall(self, now: datetime, window_id: int) -> Outcome:
        w = self._window(window_id)
        t = self._current(w, TicketState.CALLED)
        result, events = self._ticket_outcome(t, TicketRecalled(_iso(now), ticket_id=t.id, window_id=w.id), w)
        return {"ticket": result["ticket"]}, events

    def serve(self, now: datetime, window_id: int) -> Outcome:
        w = self._window(window_id)
        t = self._current(w, TicketState.CALLED)
        return self._ticket_outcome(t, TicketServing(_iso(now), ticket_id=t.id, window_id=w.id))

    def finish(self, now: datetime, window_id: int) -> Outcome:
        w = self._window(window_id)
        t = self._current(w, *ACTIVE)
        result, events = self._ticket_outcome(t, TicketFinished(_iso(now), ticket_id=t.id, window_id=w.id), w)
        return {"ticket": result["ticket"]}, events

    def no_show(self, now: datetime, window_id: int) -> Outcome:
        w = self._window(window_id)
        t = self._current(w, TicketState.CALLED)
        rules = self.config.queue
        requeued = t.no_show_count + 1 <= rules.no_show_max_requeues
        order = (queue.requeue_order(self.state, self.config, t, window_id, rules.no_show_requeue_after)
                 if requeued else t.order)
        # Behind N tickets and not before M minutes, whichever is later.
        grace = _iso(now + timedelta(minutes=rules.no_show_grace_minutes)) if requeued and rules.no_show_grace_minutes else None
        e = TicketNoShow(_iso(now), ticket_id=t.id, window_id=w.id, requeued=requeued, order=order,
                         grace_until=grace)
        result, events = self._ticket_outcome(t, e, w)
        return {"ticket": result["ticket"], "requeued": requeued}, events

    def transfer(self, now: datetime, window_id: int, *, service_id: str | None = None,
                 to_window: int | None = None) -> Outcome:
        w = self._window(window_id)
        t = self._current(w, *ACTIVE)
        if (service_id is None) == (to_window is None):
            raise invalid("TRANSFER_TARGET")
        if service_id is not None:
            if self.config.service(service_id) is None:
                raise not_found("SERVICE_NOT_FOUND", service=service_id)
        else:
            if self.config.window(to_window) is None:
                raise not_found("WINDOW_NOT_FOUND", window=to_window)
            if to_window == window_id:
                raise invalid("TRANSFER_SAME_WINDOW")
        e = TicketTransferred(_iso(now), ticket_id=t.id, from_window=window_id, service_id=service_id,
                              to_window=to_window, order=queue.front_order(self.state))
        result, events = self._ticket_outcome(t, e, w)
        return {"ticket": result["ticket"]}, events

    def move(self, now: datetime, ticket_ids: list[int], *, service_id: str | None = None,
             to_window: int | None = None) -> Outcome:
        """The console moves waiting tickets (e.g. stranded ones) to another line in one go."""
        if (service_id is None) == (to_window is None):
            raise invalid("TRANSFER_TARGET")
        if service_id is not None and self.config.service(service_id) is None:
            raise not_found("SERVICE_NOT_FOUND", service=service_id)
        if to_window is not None and self.config.window(to_window) is None:
            raise not_found("WINDOW_NOT_FOUND", window=to_window)
        if not ticket_ids:
            raise invalid("MOVE_NOTHING")
        moved, events = [], []
        for ticket_id in dict.fromkeys(ticket_ids):
            t = self._ticket(ticket_id)
            if t.state != TicketState.WAITING:
                raise DomainError("TICKET_STATE", ticket=t.number, state=t.state.value)
            e = TicketMoved(_iso(now), ticket_id=t.id, service_id=service_id, to_window=to_window)
            fold_ticket(e, t)
            moved.append(t)
            events.append(e)
        return {"tickets": moved}, events

    # ---- appointments ---------------------------------------------------------------------
    def book(self, now: datetime, appointment_id: str, code: str, service_id: str, slot_start: datetime,
             slot_end: datetime, *, name_masked: str = "", phone_hash: str | None = None,
             phone_masked: str | None = None, id_hash: str | None = None, token: str | None = None) -> Outcome:
        """`token`: booked by the citizen online, under the hall's booking rules (hub/core/booking.py);
        without it, a desk books by hand, bound only by the slot's capacity if the service offers slots."""
        if self.config.service(service_id) is None:
            raise not_found("SERVICE_NOT_FOUND", service=service_id)
        if token is not None:
            booking.check(self.state, self.config, now, service_id, slot_start, slot_end, phone_hash)
        elif self.config.bookable(service_id):
            capacity = {s: c for s, _, c in self.config.booking_slots(service_id, slot_start.astimezone(
                self.config.tz).date())}.get(slot_start.astimezone(self.config.tz).strftime("%H:%M"))
            if capacity is not None and booking.booked(self.state, service_id, _iso(slot_start)) >= capacity:
                raise DomainError("SLOT_FULL", date=_iso(slot_start)[:10], slot=_iso(slot_start)[11:16])
        if slot_end <= slot_start:
            raise invalid("SLOT_ORDER")
        if slot_end <= now:
            raise invalid("SLOT_PAST")
        if not (phone_hash or id_hash):
            raise invalid("APPOINTMENT_CONTACT")
        a = Appointment(id=appointment_id, code=code, service_id=service_id, slot_start=_iso(slot_start),
                        slot_end=_iso(slot_end), name_masked=name_masked, phone_hash=phone_hash,
                        phone_masked=phone_masked, id_hash=id_hash, token=token)
        e = AppointmentCreated(_iso(now), appointment_id=a.id, code=code, service_id=service_id,
                               slot_start=a.slot_start, slot_end=a.slot_end, name_masked=name_masked,
                               phone_hash=phone_hash, phone_masked=phone_masked, id_hash=id_hash, token=token)
        return {"appointment": a}, [e]

    def booking_by_token(self, token: str) -> Appointment:
        found = next((a for a in self.state.appointments.values() if a.token == token), None)
        if found is None:
            raise not_found("BOOKING_INVALID")
        return found

    def _changeable(self, now: datetime, a: Appointment) -> None:
        if a.cancelled:
            raise DomainError("BOOKING_CANCELLED")
        if a.ticket_id is not None:
            raise DomainError("BOOKING_USED")
        if datetime.fromisoformat(a.slot_start) <= now:
            raise DomainError("BOOKING_STARTED", slot=a.slot_start[11:16])

    def cancel_booking(self, now: datetime, token: str) -> Outcome:
        """The citizen cancels before the slot starts; the place is free for others at once."""
        a = copy.copy(self.booking_by_token(token))
        self._changeable(now, a)
        a.cancelled = True
        return {"appointment": a}, [AppointmentCancelled(_iso(now), appointment_id=a.id)]

    def reschedule_booking(self, now: datetime, token: str, slot_start: datetime, slot_end: datetime) -> Outcome:
        """Another slot for the same booking (code and link kept), under the same rules as booking it."""
        a = copy.copy(self.booking_by_token(token))
        self._changeable(now, a)
        booking.check(self.state, self.config, now, a.service_id, slot_start, slot_end, a.phone_hash, moving=a)
        a.slot_start, a.slot_end = _iso(slot_start), _iso(slot_end)
        return {"appointment": a}, [AppointmentRescheduled(_iso(now), appointment_id=a.id, slot_start=a.slot_start,
                                                          slot_end=a.slot_end)]

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

    def check_in(self, now: datetime, token: str, *, device: str | None = None, device_id: int | None = None,
                 **match) -> Outcome:
        a = copy.copy(self.find_appointment(now, **match))
        rules = self.config.queue
        start, end = datetime.fromisoformat(a.slot_start), datetime.fromisoformat(a.slot_end)
        if now < start - timedelta(minutes=rules.appointment_early_minutes):
            earliest = start - timedelta(minutes=rules.appointment_early_minutes)
            raise DomainError("APPOINTMENT_TOO_EARLY", slot=a.slot_start[11:16], earliest=_iso(earliest)[11:16])
        if now > end + timedelta(minutes=rules.appointment_late_minutes):
            raise DomainError("APPOINTMENT_LATE", slot=f"{a.slot_start[11:16]}-{a.slot_end[11:16]}")
        result, events = self.issue(now, a.service_id, token, device=device, device_id=device_id,
                                     appointment=a)
        a.ticket_id, a.checked_in_at = result["ticket"].id, _iso(now)
        events.append(AppointmentCheckedIn(_iso(now), appointment_id=a.id, ticket_id=a.ticket_id))
        return {"ticket": result["ticket"], "appointment": a}, events

    # ---- hall -----------------------------------------------------------------------------
    def set_notice(self, now: datetime, notice: str) -> Outcome:
        if len(notice) > 500:
            raise invalid("NOTICE_TOO_LONG")
        return {"notice": notice}, [NoticeSet(_iso(now), notice=notice)]

    def device_status(self, now: datetime, device: str, fault: str | None) -> Outcome:
        known = self.state.device_faults.get(device, {}).get("fault")
        if known == fault:
            return {"device": device, "fault": fault}, []
        return {"device": device, "fault": fault}, [DeviceStatusChanged(_iso(now), device=device, fault=fault)]

    def evaluate(self, now: datetime, ticket: Ticket, score: int, reasons: list[str], comment: str) -> Outcome:
        if ticket.state != TicketState.DONE:
            raise DomainError("EVALUATION_NOT_READY", ticket=ticket.number)
        if ticket.evaluation is not None:
            raise DomainError("EVALUATION_EXISTS", ticket=ticket.number)
        if score not in (1, 2, 3, 4, 5):
            raise invalid("EVALUATION_SCORE")
        e = TicketEvaluated(_iso(now), ticket_id=ticket.id, score=score, reasons=tuple(reasons)[:10],
                            comment=comment[:500])
        return self._ticket_outcome(copy.copy(ticket), e)
