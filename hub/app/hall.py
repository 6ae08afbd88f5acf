"""The hall's use cases: what kiosks, callers, the console and citizens do to the queue.

Each method decides with the core's Hall, then runs through the one execute/commit step and
answers (status, body); a repeated request_id gets the first answer and changes nothing.
"""
from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime

from ..core.errors import DomainError, invalid, not_found
from ..core.model import Ticket
from ..core.rating import checked_reasons
from ..core.vocabulary import id_birth_date, mask_id, mask_name, mask_phone
from ..protocol import Role

Answer = tuple[int, dict]


class HallUseCases:
    # ---- tickets --------------------------------------------------------------------------
    async def issue_ticket(self, request_id: str, device: dict, service_id: str, *,
                           priority_reason: str | None = None, holder: dict | None = None) -> Answer:
        token = _new_token()
        facts = self._holder_facts(holder)
        return await self._execute(
            request_id, device["id"],
            lambda now: self.hall.issue(now, service_id, token, priority_reason=priority_reason, holder=facts,
                                        device=device["name"], device_id=device["id"]),
            lambda r: self._ticket_answer(r, private=True))

    def _holder_facts(self, holder: dict | None) -> dict | None:
        """What the hall keeps of a card holder: the ID number becomes its masked form and keyed hash here,
        and goes no further (not into events, the requests table, answers or logs)."""
        if not holder:
            return None
        facts = {"name_masked": holder.get("name_masked"), "birth_date": holder.get("birth_date")}
        number = holder.get("id_number")
        if number:
            facts.update(id_masked=mask_id(number), id_hash=self.hash_personal(number),
                         birth_date=id_birth_date(number).isoformat())
        return facts

    async def cancel_ticket(self, request_id: str, device: dict, ticket_id: int) -> Answer:
        """A kiosk cancels only a ticket it issued, soon after; the console any waiting ticket."""
        by_kiosk = device["id"] if device["role"] == Role.KIOSK else None
        return await self._execute(request_id, device["id"],
                                   lambda now: self.hall.cancel(now, ticket_id, by_kiosk=by_kiosk),
                                   self._ticket_answer)

    # ---- a window's clerk -----------------------------------------------------------------
    async def login(self, request_id: str, device: dict, window_id: int, clerk_id: str, pin: str) -> Answer:
        return await self._window(request_id, device, lambda now: self.hall.login(now, window_id, clerk_id, pin))

    async def logout(self, request_id: str, device: dict, window_id: int, *, strand: bool = False) -> Answer:
        return await self._window(request_id, device, lambda now: self.hall.logout(now, window_id, strand=strand))

    async def call_next(self, request_id: str, device: dict, window_id: int) -> Answer:
        return await self._window(request_id, device, lambda now: self.hall.call_next(now, window_id))

    async def call_ticket(self, request_id: str, device: dict, window_id: int, ticket_id: int, reason: str) -> Answer:
        return await self._window(request_id, device,
                                  lambda now: self.hall.call_ticket(now, window_id, ticket_id, reason))

    async def recall(self, request_id: str, device: dict, window_id: int) -> Answer:
        return await self._window(request_id, device, lambda now: self.hall.recall(now, window_id))

    async def serve(self, request_id: str, device: dict, window_id: int) -> Answer:
        return await self._window(request_id, device, lambda now: self.hall.serve(now, window_id))

    async def finish(self, request_id: str, device: dict, window_id: int) -> Answer:
        return await self._window(request_id, device, lambda now: self.hall.finish(now, window_id))

    async def no_show(self, request_id: str, device: dict, window_id: int) -> Answer:
        return await self._window(request_id, device, lambda now: self.hall.no_show(now, window_id))

    async def transfer(self, request_id: str, device: dict, window_id: int, *, service_id: str | None = None,
                       to_window: int | None = None) -> Answer:
        return await self._window(request_id, device, lambda now: self.hall.transfer(
            now, window_id, service_id=service_id, to_window=to_window))

    async def pause(self, request_id: str, device: dict, window_id: int, reason: str, *,
                    strand: bool = False) -> Answer:
        return await self._window(request_id, device,
                                  lambda now: self.hall.pause(now, window_id, reason, strand=strand))

    async def resume(self, request_id: str, device: dict, window_id: int) -> Answer:
        return await self._window(request_id, device, lambda now: self.hall.resume(now, window_id))

    async def _window(self, request_id: str, device: dict, decide) -> Answer:
        return await self._execute(request_id, device["id"], decide, self._ticket_answer)

    # ---- appointments ---------------------------------------------------------------------
    async def book(self, request_id: str, device: dict, service_id: str, slot_start: datetime, slot_end: datetime,
                   *, name: str = "", phone: str | None = None, id_number: str | None = None) -> Answer:
        appointment_id, code = self._new_appointment_ids()
        tz = self.config.tz
        start = slot_start if slot_start.tzinfo else slot_start.replace(tzinfo=tz)
        end = slot_end if slot_end.tzinfo else slot_end.replace(tzinfo=tz)
        return await self._execute(
            request_id, device["id"],
            lambda now: self.hall.book(now, appointment_id, code, service_id, start.astimezone(tz), end.astimezone(tz),
                                       name_masked=mask_name(name),
                                       phone_hash=self.hash_personal(phone) if phone else None,
                                       phone_masked=mask_phone(phone) if phone else None,
                                       id_hash=self.hash_personal(id_number) if id_number else None),
            lambda r: {"appointment": self.appointment_view(r["appointment"])})

    async def check_in(self, request_id: str, device: dict, *, code: str | None = None, phone: str | None = None,
                       id_number: str | None = None) -> Answer:
        match = {"code": code, "phone_hash": self.hash_personal(phone) if phone else None,
                 "id_hash": self.hash_personal(id_number) if id_number else None}
        if not any(match.values()):
            raise invalid("APPOINTMENT_CONTACT")
        token = _new_token()
        return await self._execute(
            request_id, device["id"], lambda now: self.hall.check_in(now, token, device=device["name"], device_id=device["id"],
                                                                 **match),
            lambda r: {**self._ticket_answer(r, private=True),
                       "appointment": self.appointment_view(r["appointment"])})

    def _new_appointment_ids(self) -> tuple[str, str]:
        taken = {a.code for a in self.hall.state.appointments.values()}
        while True:
            code = f"{secrets.randbelow(1_000_000):06d}"
            if code not in taken:
                return uuid.uuid4().hex, code

    # ---- the hall -------------------------------------------------------------------------
    async def set_notice(self, request_id: str | None, device: dict, notice: str) -> Answer:
        return await self._execute(request_id, device["id"], lambda now: self.hall.set_notice(now, notice),
                                   lambda r: r)

    async def report_device_status(self, request_id: str, device: dict, fault: str | None) -> Answer:
        label = f"{device['id']}:{device['name']}"
        return await self._execute(request_id, device["id"], lambda now: self.hall.device_status(now, label, fault),
                                   lambda r: r)

    # ---- 好差评 ---------------------------------------------------------------------------
    async def evaluate(self, request_id: str, device: dict, ticket_id: int, score: int, reasons: list[str],
                       comment: str) -> Answer:
        """The window's evaluator (its own window's tickets only) or the console rates a ticket."""
        def own_window_only(ticket: Ticket) -> None:
            if device["role"] == Role.CALLER and ticket.window_id != device["window_id"]:
                raise DomainError("WRONG_WINDOW", status=403, own=device["window_id"])

        return await self._evaluate(request_id, device["id"], ticket_id, score, reasons, comment, own_window_only)

    async def evaluate_by_link(self, token: str, request_id: str, score: int, reasons: list[str],
                               comment: str) -> Answer:
        """The citizen rates a finished ticket from the phone page behind its QR link."""
        row = self.ticket_for_token(token)
        if row is None:
            raise not_found("TOKEN_INVALID")
        # Namespaced per ticket, so nobody can replay another ticket's request_id to read its answer.
        scope = hashlib.sha256(token.encode()).hexdigest()[:16]
        return await self._evaluate(f"pub:{scope}:{request_id}", None, row["id"], score, reasons, comment)

    async def _evaluate(self, request_id: str, device_id: int | None, ticket_id: int, score: int,
                        reasons: list[str], comment: str, check=None) -> Answer:
        def decide(now):
            ticket = self._any_day_ticket(ticket_id)
            if check is not None:
                check(ticket)
            return self.hall.evaluate(now, ticket, score, checked_reasons(reasons), comment.strip())

        def render(result):
            t = result["ticket"]
            return {"ticket": {"id": t.id, "number": t.number, "state": t.state.value, "evaluation": t.evaluation}}

        return await self._execute(request_id, device_id, decide, render)

    def _any_day_ticket(self, ticket_id: int) -> Ticket:
        live = self.hall.state.tickets.get(ticket_id)
        if live is not None:
            return live
        row = self.store.ticket(ticket_id)
        if row is None:
            raise not_found("TICKET_NOT_FOUND", ticket=ticket_id)
        # A past day's ticket lives only in the store's projection; the evaluated event updates that row.
        return Ticket.from_dict({k: v for k, v in row.items() if k in Ticket.__dataclass_fields__})


def _new_token() -> str:
    return secrets.token_urlsafe(16)
