"""The wire contract shared by the hub, the devices and the tests.

Commands are POSTs under /api/v1 whose body carries a client-made `request_id`; state
changes go out as events on /api/v1/events. Bump API_VERSION on any incompatible change.
"""
from __future__ import annotations

import hashlib
import ssl
import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from .core.vocabulary import (BAD_SCORE_MAX, CALL_REASONS, HAND_PRIORITY_REASONS, PRIORITY_REASONS, RATING_SCORES,  # noqa: F401
                              ID_NUMBER_PATTERN, age_on, id_number_valid, mask_id, mask_name, mask_phone)

API_VERSION = 1
API_PREFIX = f"/api/v{API_VERSION}"
SERVICE_TYPE = "_hallq._tcp.local."


# Ids (tickets, windows, devices) stay within what a JavaScript number and SQLite hold exactly.
MAX_ID = 2**53 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _plausible_year(value: date) -> date:
    # Far years overflow when moved between time zones or days are added to them.
    if not 1900 <= value.year <= 2999:
        raise ValueError("year must be between 1900 and 2999")
    return value


Moment = Annotated[datetime, AfterValidator(_plausible_year)]
Day = Annotated[date, AfterValidator(_plausible_year)]


class ErrorBody(BaseModel):
    """Every refusal: a stable code, the message in zh_CN and English, and the values in it."""
    code: str
    message: str
    message_en: str
    params: dict[str, Any]


class Role(StrEnum):
    KIOSK = "kiosk"
    CALLER = "caller"
    DISPLAY = "display"
    CONSOLE = "console"


def new_request_id() -> str:
    return uuid.uuid4().hex


def ca_fingerprint(pem: str) -> str:
    """The hall CA's fingerprint as devices pin it: SHA-256 of the certificate's DER, 64 lower-case hex digits."""
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest()


def normalize_fingerprint(text: str) -> str:
    """An installer may type the fingerprint with colons, spaces or capitals; "" if it is not one."""
    hexed = "".join(c for c in text.lower() if c not in ": -")
    return hexed if len(hexed) == 64 and all(c in "0123456789abcdef" for c in hexed) else ""


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
    request_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")


def _checked_id(number: str) -> str:
    # The message never repeats the number: error bodies and logs must not carry it.
    if not id_number_valid(number):
        raise ValueError("not a valid resident ID number (check digit or birth date)")
    return number.upper()


# A full ID number, sent only over TLS to the hub, which masks and hashes it with its key and keeps
# neither the number nor anything it could be recovered from (docs/deploy.md, "The ID key file").
IdNumber = Annotated[str, Field(pattern=ID_NUMBER_PATTERN), AfterValidator(_checked_id)]


class Holder(BaseModel):
    """What a kiosk sends about an ID-card holder. The hub keeps only the masked form
    (110***********1234) and a keyed hash of `id_number`; the birth date comes from the number."""
    model_config = ConfigDict(extra="forbid")
    name_masked: str | None = Field(default=None, max_length=20)
    id_number: IdNumber | None = Field(default=None, repr=False)
    birth_date: Day | None = None  # for a holder without a card read (e.g. the console); the number wins


class IssueTicket(_Body):
    service_id: str = Field(max_length=64)
    priority_reason: str | None = Field(default=None, max_length=20)
    holder: Holder | None = None


class Plain(_Body):
    pass


class Login(_Body):
    clerk_id: str = Field(max_length=32)
    pin: str = Field(max_length=16)


class Pause(_Body):
    reason: str = Field(max_length=60)
    strand: bool = False  # the clerk confirmed leaving tickets no other open window can call


class Logout(_Body):
    strand: bool = False  # as for Pause


class CallTicket(_Body):
    ticket_id: Id
    reason: str = Field(max_length=32)


class Transfer(_Body):
    service_id: str | None = Field(default=None, max_length=64)
    to_window: Id | None = None


class Book(_Body):
    service_id: str = Field(max_length=64)
    slot_start: Moment
    slot_end: Moment
    name: str = Field(default="", max_length=30)
    phone: str | None = Field(default=None, pattern=r"^1\d{10}$")
    id_number: IdNumber | None = Field(default=None, repr=False)


class CheckIn(_Body):
    code: str | None = Field(default=None, pattern=r"^\d{6}$")
    phone: str | None = Field(default=None, pattern=r"^1\d{10}$")
    id_number: IdNumber | None = Field(default=None, repr=False)


class Notice(_Body):
    notice: str = Field(max_length=500)


class DeviceStatus(_Body):
    fault: str | None = Field(default=None, max_length=40)  # e.g. paper_out; None = all well


class Evaluate(_Body):
    score: int = Field(ge=1, le=5)  # 5 非常满意 … 1 非常不满意
    reasons: list[str] = Field(default_factory=list, max_length=10)
    comment: str = Field(default="", max_length=500)


class BookOnline(_Body):
    """A citizen books a slot on the phone: the service, the day, the slot by its start, a mobile number."""
    service_id: str = Field(max_length=64)
    day: date
    start: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    phone: str = Field(pattern=r"^1\d{10}$", repr=False)


class Reschedule(_Body):
    day: date
    start: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")


class CancelBooking(_Body):
    pass


PRIVATE_TICKET_FIELDS = ("token", "id_hash", "device_id")


def public_ticket(ticket: dict | None) -> dict | None:
    """A ticket as every device may see it: no page token, no ID hash."""
    if ticket is None:
        return None
    return {k: v for k, v in ticket.items() if k not in PRIVATE_TICKET_FIELDS}


def public_event(event: dict) -> dict:
    data = dict(event["data"])
    if "ticket" in data:
        data["ticket"] = public_ticket(data["ticket"])
    if "appointment" in data:
        data["appointment"] = {k: v for k, v in data["appointment"].items() if k not in ("phone_hash", "id_hash", "code", "token")}
    return {**event, "data": data}


# What a display may not show: a hall screen is read by everyone in the room.
PERSONAL_FIELDS = ("name_masked", "id_masked", "phone_masked")


def display_ticket(ticket: dict | None) -> dict | None:
    """A ticket (or appointment) as a display may show it: no masked name, ID or phone."""
    return None if ticket is None else {k: v for k, v in ticket.items() if k not in PERSONAL_FIELDS}


def display_event(event: dict) -> dict:
    """An event as a display receives it: its ticket and appointment without masked names, IDs, phones."""
    data = event.get("data")
    if not data or not (data.get("ticket") or data.get("appointment")):
        return event
    data = dict(data)
    for name in ("ticket", "appointment"):
        if data.get(name):
            data[name] = display_ticket(data[name])
    return {**event, "data": data}


def display_snapshot(snapshot: dict) -> dict:
    """The snapshot as a display receives it: no masked names or IDs in any ticket."""
    windows = [{**w, "current_ticket": display_ticket(w.get("current_ticket"))} for w in snapshot["windows"]]
    return {**snapshot, "windows": windows, "tickets": [display_ticket(t) for t in snapshot["tickets"]],
            "recent_calls": [display_ticket(t) for t in snapshot["recent_calls"]]}
