"""Online booking's rules (预约): the slots a service offers on a day with what is left of each, and
whether a citizen may book one: how far ahead, the cut-off, the slot's capacity, the bookings one
phone may hold, and the no-show rule (so many missed bookings within some days block booking)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from .config import HallConfig
from .errors import DomainError
from .model import Appointment, HallState


def slot_moments(cfg: HallConfig, day: date, start: str, end: str) -> tuple[datetime, datetime]:
    return (datetime.combine(day, time.fromisoformat(start), tzinfo=cfg.tz),
            datetime.combine(day, time.fromisoformat(end), tzinfo=cfg.tz))


def booked(state: HallState, service_id: str, slot_start: str, *, besides: str | None = None) -> int:
    return sum(1 for a in state.appointments.values() if a.service_id == service_id and a.slot_start == slot_start
               and not a.cancelled and a.id != besides)


def day_slots(state: HallState, cfg: HallConfig, service_id: str, day: date, now: datetime) -> list[dict]:
    """Each slot of the day: its times, capacity, places left, and why it cannot be booked (None if it can)."""
    out = []
    for start, end, capacity in cfg.booking_slots(service_id, day):
        begins, _ = slot_moments(cfg, day, start, end)
        left = max(capacity - booked(state, service_id, _iso(begins)), 0)
        why = _timing(cfg, now, begins) or (None if left else "SLOT_FULL")
        out.append({"start": start, "end": end, "capacity": capacity, "left": left, "refused": why})
    return out


def bookable_days(cfg: HallConfig, now: datetime) -> list[date]:
    today = cfg.business_day(now)
    return [today + timedelta(days=n) for n in range(cfg.booking.days_ahead + 1)]


def check(state: HallState, cfg: HallConfig, now: datetime, service_id: str, slot_start: datetime,
          slot_end: datetime, phone_hash: str | None, *, moving: Appointment | None = None) -> None:
    """Refuse (DomainError, saying why) a citizen's booking of this slot; `moving`: the booking rescheduled."""
    service = cfg.service(service_id)
    if service is None or not cfg.bookable(service_id):
        raise DomainError("BOOKING_NOT_OFFERED", status=404, service=service.name if service else service_id)
    local = slot_start.astimezone(cfg.tz)
    day = local.date()
    holiday = cfg.calendar.holiday(day)
    if holiday is not None:
        raise DomainError("BOOKING_HOLIDAY", **_day(day), holiday=holiday.name,
                          holiday_en=holiday.name_en or holiday.name)
    wanted = (local.strftime("%H:%M"), slot_end.astimezone(cfg.tz).strftime("%H:%M"))
    offered = {(s, e): c for s, e, c in cfg.booking_slots(service_id, day)}
    if wanted not in offered:
        raise DomainError("SLOT_NOT_OFFERED", status=422, **_day(day), slot=f"{wanted[0]}-{wanted[1]}")
    why = _timing(cfg, now, slot_start)
    if why == "BOOKING_TOO_FAR":
        raise DomainError(why, days=cfg.booking.days_ahead)
    if why == "BOOKING_CUTOFF":
        raise DomainError(why, minutes=cfg.booking.cutoff_minutes)
    if booked(state, service_id, _iso(slot_start), besides=moving.id if moving else None) >= offered[wanted]:
        raise DomainError("SLOT_FULL", **_day(day), slot=f"{wanted[0]}-{wanted[1]}")
    if phone_hash is None:
        return
    until = blocked_until(state, cfg, now, phone_hash)
    if until is not None:
        raise DomainError("BOOKING_BLOCKED", status=403, misses=cfg.booking.no_show_limit,
                          days=cfg.booking.no_show_days, until=month_day(until))
    mine = [a for a in state.appointments.values() if a.phone_hash == phone_hash and not a.cancelled
            and a.ticket_id is None and datetime.fromisoformat(a.slot_end) > now and (moving is None or a.id != moving.id)]
    if any(a.service_id == service_id and a.slot_start[:10] == day.isoformat() for a in mine):
        raise DomainError("BOOKING_SAME_DAY", service=service.name, **_day(day))
    if len(mine) >= cfg.booking.per_phone_open:
        raise DomainError("BOOKING_PHONE_LIMIT", status=429, count=cfg.booking.per_phone_open)


def missed(a: Appointment, cfg: HallConfig, now: datetime) -> bool:
    """A booking nobody came for: not cancelled, never checked in, and too late to check in now."""
    late = datetime.fromisoformat(a.slot_end) + timedelta(minutes=cfg.queue.appointment_late_minutes)
    return not a.cancelled and a.ticket_id is None and late < now


def blocked_until(state: HallState, cfg: HallConfig, now: datetime, phone_hash: str) -> date | None:
    """The day booking opens again for a phone that missed too many bookings, or None if it may book."""
    rules = cfg.booking
    if not rules.no_show_limit:
        return None
    days = sorted([date.fromisoformat(d) for d in state.missed_bookings.get(phone_hash, ())]
                  + [date.fromisoformat(a.slot_start[:10]) for a in state.appointments.values()
                     if a.phone_hash == phone_hash and missed(a, cfg, now)])
    today, until = cfg.business_day(now), None
    n = rules.no_show_limit
    for first, last in zip(days, days[n - 1:]):
        if (last - first).days < rules.no_show_days:
            until = last + timedelta(days=rules.block_days + 1)
    return until if until is not None and until > today else None


def month_day(day: date) -> str:
    """A date as the booking page shows it (11/24): a refusal names the day the way the citizen picked it."""
    return f"{day.month}/{day.day}"


def _day(day: date) -> dict:
    return {"date": month_day(day), "day": day.isoformat()}  # day: for programs reading the params


def _timing(cfg: HallConfig, now: datetime, slot_start: datetime) -> str | None:
    if (slot_start.astimezone(cfg.tz).date() - cfg.business_day(now)).days > cfg.booking.days_ahead:
        return "BOOKING_TOO_FAR"
    if slot_start - timedelta(minutes=cfg.booking.cutoff_minutes) < now:
        return "BOOKING_CUTOFF"
    return None


def _iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")
