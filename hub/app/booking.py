"""The citizen's online booking (预约) from the phone: the services and days offered, a day's slots with
places left, booking with a phone number (kept only as a keyed hash and a masked form), and the
booking's own link (an unguessable token) to see its code and QR, cancel or reschedule it.

Check-in at the kiosk is the hall's existing appointment check-in (hall.py), by the 6-digit code."""
from __future__ import annotations

import base64
import hashlib
import io
import secrets
from datetime import date, timedelta

from ..core import booking
from ..core.errors import DomainError, invalid
from ..core.vocabulary import mask_phone
from .accounts import Throttle

Answer = tuple[int, dict]


class BookingUseCases:
    @property
    def booking_throttle(self) -> Throttle:
        """Booking attempts per address an hour (the hall file's per_address_hour)."""
        limit = self.config.booking.per_address_hour
        throttle = getattr(self, "_booking_throttle", None)
        if throttle is None or throttle.limit != limit + 1:
            # +1: the throttle refuses the attempt that reaches its limit; the hall's figure is the attempts allowed
            throttle = self._booking_throttle = Throttle(limit + 1, timedelta(hours=1), timedelta(hours=1))
        return throttle

    def booking_offer(self) -> dict:
        """What the booking page starts from: the bookable services and the days open for booking."""
        cfg, now = self.config, self.now()
        services = [{"id": s.id, "name": s.name, "name_en": s.name_en, "zone": s.zone} for s in cfg.services
                    if cfg.bookable(s.id)]
        days = []
        for day in booking.bookable_days(cfg, now):
            holiday = cfg.calendar.holiday(day)
            days.append({"date": day.isoformat(), "weekday": day.weekday(), "working_day": day in cfg.calendar.working,
                         "closed": {"name": holiday.name, "name_en": holiday.name_en} if holiday else None,
                         # the services with slots that day: a weekend without any is not offered as bookable
                         "services": [s["id"] for s in services if cfg.booking_slots(s["id"], day)]})
        rules = cfg.booking
        return {"hall": {"name": cfg.hall.name, "name_en": cfg.hall.name_en}, "services": services, "days": days,
                "rules": {"days_ahead": rules.days_ahead, "cutoff_minutes": rules.cutoff_minutes,
                          "no_show_limit": rules.no_show_limit, "no_show_days": rules.no_show_days,
                          "block_days": rules.block_days, "per_phone_open": rules.per_phone_open,
                          "early_minutes": cfg.queue.appointment_early_minutes,
                          "late_minutes": cfg.queue.appointment_late_minutes}}

    def booking_slots(self, service_id: str, day: date) -> dict:
        cfg = self.config
        if not cfg.bookable(service_id):
            service = cfg.service(service_id)
            raise DomainError("BOOKING_NOT_OFFERED", status=404, service=service.name if service else service_id)
        self.ensure_day()
        holiday = cfg.calendar.holiday(day)
        return {"service_id": service_id, "date": day.isoformat(),
                "closed": {"name": holiday.name, "name_en": holiday.name_en} if holiday else None,
                "slots": booking.day_slots(self.hall.state, cfg, service_id, day, self.now())}

    async def book_online(self, request_id: str, address: str, service_id: str, day: date, start: str,
                          phone: str) -> Answer:
        now = self.now()
        self.booking_throttle.check(address, now, "BOOKING_ADDRESS_LIMIT")
        self.booking_throttle.fail(address, now, "BOOKING_ADDRESS_LIMIT")
        end = self._slot_end(service_id, day, start)
        slot_start, slot_end = booking.slot_moments(self.config, day, start, end)
        phone_hash = self.hash_personal(phone)
        appointment_id, code = self._new_appointment_ids()
        token = secrets.token_urlsafe(16)
        # Namespaced by the phone, so nobody replays another's request_id to read its answer (and link).
        scope = f"pub:book:{phone_hash[:16]}:{request_id}"
        return await self._execute(
            scope, None,
            lambda now: self.hall.book(now, appointment_id, code, service_id, slot_start, slot_end,
                                       phone_hash=phone_hash, phone_masked=mask_phone(phone), token=token),
            lambda r: {"booking": self.booking_view(r["appointment"])})

    def booking_for_token(self, token: str) -> dict:
        if not 16 <= len(token) <= 64:
            raise DomainError("BOOKING_INVALID", status=404)
        self.ensure_day()
        return {"booking": self.booking_view(self.hall.booking_by_token(token))}

    async def cancel_online(self, token: str, request_id: str) -> Answer:
        return await self._execute(self._token_scope(token, request_id), None,
                                   lambda now: self.hall.cancel_booking(now, token),
                                   lambda r: {"booking": self.booking_view(r["appointment"])})

    async def reschedule_online(self, token: str, request_id: str, day: date, start: str) -> Answer:
        service_id = self.hall.booking_by_token(token).service_id
        end = self._slot_end(service_id, day, start)
        slot_start, slot_end = booking.slot_moments(self.config, day, start, end)
        return await self._execute(self._token_scope(token, request_id), None,
                                   lambda now: self.hall.reschedule_booking(now, token, slot_start, slot_end),
                                   lambda r: {"booking": self.booking_view(r["appointment"])})

    def booking_view(self, a) -> dict:
        """The citizen's own booking: its code for the kiosk, a QR of its link, the slot, the masked phone."""
        service = self.config.service(a.service_id)
        url = f"{self.public_url}/b/{a.token}"
        return {"code": a.code, "token": a.token, "url": url, "qr": qr_data_url(url),
                "service_id": a.service_id, "service_name": service.name if service else a.service_id,
                "service_name_en": (service.name_en or service.name) if service else a.service_id,
                "date": a.slot_start[:10], "start": a.slot_start[11:16], "end": a.slot_end[11:16],
                "phone_masked": a.phone_masked, "cancelled": a.cancelled, "checked_in": a.ticket_id is not None,
                "early_minutes": self.config.queue.appointment_early_minutes,
                "late_minutes": self.config.queue.appointment_late_minutes}

    def _slot_end(self, service_id: str, day: date, start: str) -> str:
        """The slot starting at `start` that day (the citizen names a slot by its start)."""
        for s, end, _ in self.config.booking_slots(service_id, day):
            if s == start:
                return end
        if not self.config.bookable(service_id):
            service = self.config.service(service_id)
            raise DomainError("BOOKING_NOT_OFFERED", status=404, service=service.name if service else service_id)
        holiday = self.config.calendar.holiday(day)
        if holiday is not None:
            raise DomainError("BOOKING_HOLIDAY", date=booking.month_day(day), day=day.isoformat(), holiday=holiday.name,
                              holiday_en=holiday.name_en or holiday.name)
        raise invalid("SLOT_NOT_OFFERED", date=booking.month_day(day), day=day.isoformat(), slot=start)

    @staticmethod
    def _token_scope(token: str, request_id: str) -> str:
        return f"pub:booking:{hashlib.sha256(token.encode()).hexdigest()[:16]}:{request_id}"


def qr_data_url(text: str) -> str:
    """A QR code of `text` as an SVG data: URL (the pages' CSP allows data: images, nothing fetched)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    out = io.BytesIO()
    image.save(out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


__all__ = ["BookingUseCases", "qr_data_url"]
