"""The wire contract shared by the hub, the devices and the tests.

Commands are POSTs under /api/v1 whose body carries a client-made `request_id`; state
changes go out as events on /api/v1/events. Bump API_VERSION on any incompatible change.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from .core.vocabulary import (BAD_SCORE_MAX, HAND_PRIORITY_REASONS, PRIORITY_REASONS, RATING_SCORES,  # noqa: F401
                              age_on, mask_name, mask_phone)

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


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
    request_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")


class Holder(BaseModel):
    """What a kiosk may send about an ID-card holder: never the full ID number."""
    model_config = ConfigDict(extra="forbid")
    name_masked: str | None = Field(default=None, max_length=20)
    id_masked: str | None = Field(default=None, pattern=r"^\d{3}\*{11}[\dX]{4}$")
    id_hash: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    birth_date: Day | None = None


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


class Transfer(_Body):
    service_id: str | None = Field(default=None, max_length=64)
    to_window: Id | None = None


class Book(_Body):
    service_id: str = Field(max_length=64)
    slot_start: Moment
    slot_end: Moment
    name: str = Field(default="", max_length=30)
    phone: str | None = Field(default=None, pattern=r"^1\d{10}$")
    id_hash: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")


class CheckIn(_Body):
    code: str | None = Field(default=None, pattern=r"^\d{6}$")
    phone: str | None = Field(default=None, pattern=r"^1\d{10}$")
    id_hash: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")


class Notice(_Body):
    notice: str = Field(max_length=500)


class DeviceStatus(_Body):
    fault: str | None = Field(default=None, max_length=40)  # e.g. paper_out; None = all well


class Evaluate(_Body):
    score: int = Field(ge=1, le=5)  # 5 非常满意 … 1 非常不满意
    reasons: list[str] = Field(default_factory=list, max_length=10)
    comment: str = Field(default="", max_length=500)


PRIVATE_TICKET_FIELDS = ("token", "id_hash")


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
        data["appointment"] = {k: v for k, v in data["appointment"].items() if k not in ("phone_hash", "id_hash", "code")}
    return {**event, "data": data}
