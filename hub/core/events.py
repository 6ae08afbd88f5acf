"""The hall's events: one frozen class per type, each a fact (who, which ticket, which window,
the new order...), never a copy of a whole ticket, so the log outlives changes to `Ticket`.

Each class has a TYPE (the name on the wire and in the log) and a VERSION. The log keeps
(type, version, data); `decode` brings old data up to the current version through UPCASTERS,
one function per version step. Version 1 is what the hub wrote before typed events: the
data held whole ticket/window/appointment snapshots, from which the facts are read back.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import ClassVar

# Facts a device must never see (the ticket's page token, keyed hashes, an appointment's code).
PRIVATE_FACTS = frozenset({"token", "id_hash", "phone_hash", "code"})


@dataclass(frozen=True)
class Event:
    TYPE: ClassVar[str]
    VERSION: ClassVar[int]
    # The post-event entities the wire message carries beside the facts (see hub.store).
    CARRIES: ClassVar[tuple[str, ...]] = ()
    # The facts sent to devices; None means every fact but the private ones.
    PUBLIC: ClassVar[tuple[str, ...] | None] = None

    at: str

    def facts(self) -> dict:
        """The event's data as JSON types (tuples as lists)."""
        out = {}
        for f in fields(self):
            if f.name != "at":
                value = getattr(self, f.name)
                out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    def public_facts(self) -> dict:
        facts = self.facts()
        if self.PUBLIC is not None:
            return {k: facts[k] for k in self.PUBLIC}
        return {k: v for k, v in facts.items() if k not in PRIVATE_FACTS}


# ---- tickets ------------------------------------------------------------------------------
@dataclass(frozen=True)
class TicketIssued(Event):
    TYPE = "ticket.issued"
    VERSION = 2
    CARRIES = ("ticket",)
    PUBLIC = ("ticket_id",)
    ticket_id: int
    number: str
    day: str
    zone_id: str
    service_id: str
    token: str
    order: float
    priority_reason: str | None = None
    appointment_id: str | None = None
    slot_start: str | None = None
    slot_end: str | None = None
    id_masked: str | None = None
    id_hash: str | None = None
    name_masked: str | None = None
    device: str | None = None
    device_id: int | None = None  # absent in events written before devices were told apart


@dataclass(frozen=True)
class TicketCalled(Event):
    TYPE = "ticket.called"
    VERSION = 3
    CARRIES = ("ticket", "window")
    ticket_id: int
    window_id: int
    clerk_id: str | None
    # Why out of turn: the hall's rule ("age_limit", hub.core.queue) or the reason the clerk chose when
    # calling this number (hub.core.vocabulary.CALL_REASONS); None in the usual order.
    reason: str | None = None


@dataclass(frozen=True)
class TicketRecalled(Event):
    TYPE = "ticket.recalled"
    VERSION = 2
    CARRIES = ("ticket", "window")
    ticket_id: int
    window_id: int


@dataclass(frozen=True)
class TicketServing(Event):
    TYPE = "ticket.serving"
    VERSION = 2
    CARRIES = ("ticket",)
    ticket_id: int
    window_id: int | None


@dataclass(frozen=True)
class TicketFinished(Event):
    TYPE = "ticket.finished"
    VERSION = 2
    CARRIES = ("ticket", "window")
    ticket_id: int
    window_id: int


@dataclass(frozen=True)
class TicketNoShow(Event):
    TYPE = "ticket.no_show"
    VERSION = 3
    CARRIES = ("ticket", "window")
    ticket_id: int
    window_id: int
    requeued: bool
    order: float  # the ticket's place in line if requeued
    grace_until: str | None = None  # if requeued: not called again before this time


@dataclass(frozen=True)
class TicketTransferred(Event):
    """To another service's line (service_id) or to one window (to_window), at the front (order)."""
    TYPE = "ticket.transferred"
    VERSION = 2
    CARRIES = ("ticket", "window")
    ticket_id: int
    from_window: int
    service_id: str | None
    to_window: int | None
    order: float


@dataclass(frozen=True)
class TicketMoved(Event):
    """The console moved a waiting ticket no open window could call to another service's line
    (service_id) or to one window (to_window); it keeps its place (order)."""
    TYPE = "ticket.moved"
    VERSION = 1
    CARRIES = ("ticket",)
    ticket_id: int
    service_id: str | None
    to_window: int | None


@dataclass(frozen=True)
class TicketCancelled(Event):
    TYPE = "ticket.cancelled"
    VERSION = 2
    CARRIES = ("ticket",)
    ticket_id: int
    reason: str  # "cancelled" by the citizen or "day_end" at the rollover


@dataclass(frozen=True)
class TicketEvaluated(Event):
    TYPE = "ticket.evaluated"
    VERSION = 2
    CARRIES = ("ticket",)
    ticket_id: int
    score: int
    reasons: tuple[str, ...]
    comment: str


# ---- windows ------------------------------------------------------------------------------
@dataclass(frozen=True)
class WindowOpened(Event):
    TYPE = "window.opened"
    VERSION = 2
    CARRIES = ("window",)
    window_id: int
    clerk_id: str


@dataclass(frozen=True)
class WindowClosed(Event):
    TYPE = "window.closed"
    VERSION = 2
    CARRIES = ("window",)
    window_id: int


@dataclass(frozen=True)
class WindowPaused(Event):
    TYPE = "window.paused"
    VERSION = 2
    CARRIES = ("window",)
    window_id: int
    reason: str


@dataclass(frozen=True)
class WindowResumed(Event):
    TYPE = "window.resumed"
    VERSION = 2
    CARRIES = ("window",)
    window_id: int


# ---- appointments -------------------------------------------------------------------------
@dataclass(frozen=True)
class AppointmentCreated(Event):
    TYPE = "appointment.created"
    VERSION = 3
    CARRIES = ("appointment",)
    PUBLIC = ("appointment_id",)
    appointment_id: str
    code: str
    service_id: str
    slot_start: str
    slot_end: str
    name_masked: str = ""
    phone_hash: str | None = None
    phone_masked: str | None = None
    id_hash: str | None = None
    token: str | None = None  # the citizen's link to manage it (booked on the phone)


@dataclass(frozen=True)
class AppointmentCancelled(Event):
    TYPE = "appointment.cancelled"
    VERSION = 1
    CARRIES = ("appointment",)
    appointment_id: str


@dataclass(frozen=True)
class AppointmentRescheduled(Event):
    TYPE = "appointment.rescheduled"
    VERSION = 1
    CARRIES = ("appointment",)
    appointment_id: str
    slot_start: str
    slot_end: str


@dataclass(frozen=True)
class AppointmentCheckedIn(Event):
    TYPE = "appointment.checked_in"
    VERSION = 2
    CARRIES = ("appointment",)
    appointment_id: str
    ticket_id: int


# ---- the hall -----------------------------------------------------------------------------
@dataclass(frozen=True)
class NoticeSet(Event):
    TYPE = "notice.set"
    VERSION = 1
    notice: str


@dataclass(frozen=True)
class DeviceStatusChanged(Event):
    TYPE = "device.status"
    VERSION = 1
    device: str
    fault: str | None  # None: all well again


@dataclass(frozen=True)
class DayStarted(Event):
    TYPE = "day.started"
    VERSION = 1
    day: str


@dataclass(frozen=True)
class HallChanged(Event):
    """The console edited the hall's layout. On the wire it carries the new layout as devices see it
    ("layout": GET /hall's answer and the snapshot's hall name, notice, zones and windows), which they
    apply as it comes; events written before it was carried make devices fetch /hall again."""
    TYPE = "hall.changed"
    VERSION = 1
    CARRIES = ("layout",)
    what: str
    section: str | None = None
    key: str | int | None = None


EVENT_TYPES: dict[str, type[Event]] = {cls.TYPE: cls for cls in (
    TicketIssued, TicketCalled, TicketRecalled, TicketServing, TicketFinished, TicketNoShow, TicketTransferred,
    TicketMoved, TicketCancelled, TicketEvaluated, WindowOpened, WindowClosed, WindowPaused, WindowResumed,
    AppointmentCreated, AppointmentCancelled, AppointmentRescheduled, AppointmentCheckedIn, NoticeSet, DeviceStatusChanged, DayStarted, HallChanged)}


class UnknownEvent(ValueError):
    pass


# ---- encoding -----------------------------------------------------------------------------
def encode(event: Event) -> tuple[str, int, dict]:
    return event.TYPE, event.VERSION, event.facts()


def decode(kind: str, version: int, data: dict, at: str) -> Event:
    cls = EVENT_TYPES.get(kind)
    if cls is None:
        raise UnknownEvent(f"unknown event type {kind!r}")
    if version > cls.VERSION:
        raise UnknownEvent(f"{kind} version {version} is newer than this hub's ({cls.VERSION})")
    while version < cls.VERSION:
        data = UPCASTERS[(kind, version)](data)
        version += 1
    if cls is TicketEvaluated:
        data = {**data, "reasons": tuple(data["reasons"])}
    return cls(at=at, **data)


# ---- upcasters: version 1 held snapshots; version 2 reads the facts out of them -----------
def _ticket_issued_v1(d: dict) -> dict:
    t = d["ticket"]
    keep = ("number", "day", "zone_id", "service_id", "token", "order", "priority_reason", "appointment_id",
            "slot_start", "slot_end", "id_masked", "id_hash", "name_masked", "device")
    return {"ticket_id": t["id"], **{k: t[k] for k in keep}}


def _ticket_called_v1(d: dict) -> dict:
    return {"ticket_id": d["ticket"]["id"], "window_id": d["window"]["id"], "clerk_id": d["ticket"]["clerk_id"]}


def _ticket_at_window_v1(d: dict) -> dict:
    return {"ticket_id": d["ticket"]["id"], "window_id": d["window"]["id"]}


def _ticket_serving_v1(d: dict) -> dict:
    return {"ticket_id": d["ticket"]["id"], "window_id": d["ticket"]["window_id"]}


def _ticket_no_show_v1(d: dict) -> dict:
    return {**_ticket_at_window_v1(d), "requeued": d["requeued"], "order": d["ticket"]["order"]}


def _ticket_transferred_v1(d: dict) -> dict:
    t = d["ticket"]
    to_window = t["target_window"]
    return {"ticket_id": t["id"], "from_window": d["from_window"],
            "service_id": t["service_id"] if to_window is None else None, "to_window": to_window,
            "order": t["order"]}


def _ticket_cancelled_v1(d: dict) -> dict:
    return {"ticket_id": d["ticket"]["id"], "reason": d["reason"]}


def _ticket_evaluated_v1(d: dict) -> dict:
    ev = d["ticket"]["evaluation"]
    return {"ticket_id": d["ticket"]["id"], "score": ev["score"], "reasons": ev["reasons"], "comment": ev["comment"]}


def _window_opened_v1(d: dict) -> dict:
    return {"window_id": d["window"]["id"], "clerk_id": d["window"]["clerk_id"]}


def _window_v1(d: dict) -> dict:
    return {"window_id": d["window"]["id"]}


def _window_paused_v1(d: dict) -> dict:
    return {"window_id": d["window"]["id"], "reason": d["window"]["pause_reason"]}


def _appointment_created_v1(d: dict) -> dict:
    a = d["appointment"]
    keep = ("code", "service_id", "slot_start", "slot_end", "name_masked", "phone_hash", "phone_masked", "id_hash")
    return {"appointment_id": a["id"], **{k: a[k] for k in keep}}


def _appointment_checked_in_v1(d: dict) -> dict:
    return {"appointment_id": d["appointment"]["id"], "ticket_id": d["appointment"]["ticket_id"]}


# ---- version 3: facts added with defaults that say what older hubs did ---------------------
def _ticket_called_v2(d: dict) -> dict:
    return {**d, "reason": None}  # before the age limit every call was in the usual order


def _appointment_created_v2(d: dict) -> dict:
    return {**d, "token": None}  # before phones booked, no booking had a citizen's link


def _ticket_no_show_v2(d: dict) -> dict:
    return {**d, "grace_until": None}  # before the grace in time a requeued ticket was callable at once


UPCASTERS: dict[tuple[str, int], Callable[[dict], dict]] = {
    ("ticket.issued", 1): _ticket_issued_v1,
    ("ticket.called", 1): _ticket_called_v1,
    ("ticket.called", 2): _ticket_called_v2,
    ("ticket.recalled", 1): _ticket_at_window_v1,
    ("ticket.serving", 1): _ticket_serving_v1,
    ("ticket.finished", 1): _ticket_at_window_v1,
    ("ticket.no_show", 1): _ticket_no_show_v1,
    ("ticket.no_show", 2): _ticket_no_show_v2,
    ("ticket.transferred", 1): _ticket_transferred_v1,
    ("ticket.cancelled", 1): _ticket_cancelled_v1,
    ("ticket.evaluated", 1): _ticket_evaluated_v1,
    ("window.opened", 1): _window_opened_v1,
    ("window.closed", 1): _window_v1,
    ("window.paused", 1): _window_paused_v1,
    ("window.resumed", 1): _window_v1,
    ("appointment.created", 1): _appointment_created_v1,
    ("appointment.created", 2): _appointment_created_v2,
    ("appointment.checked_in", 1): _appointment_checked_in_v1,
}
