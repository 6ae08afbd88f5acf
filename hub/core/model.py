"""The hall's mutable state: plain dataclasses that serialise to JSON-able dicts."""
from __future__ import annotations

from collections import deque
from dataclasses import asdict, dataclass, field
from enum import StrEnum

from .lines import Lines


class TicketState(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


ACTIVE = (TicketState.CALLED, TicketState.SERVING)

# A window's normal_streak before its first call, so that call may go to a waiting priority ticket.
FRESH_STREAK = 1_000_000


class WindowState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    PAUSED = "paused"


@dataclass
class Ticket:
    id: int
    number: str
    day: str
    zone_id: str
    service_id: str
    issued_at: str
    token: str
    order: float
    state: TicketState = TicketState.WAITING
    priority: bool = False
    priority_reason: str | None = None
    appointment_id: str | None = None
    slot_start: str | None = None
    slot_end: str | None = None
    called_at: str | None = None
    serving_at: str | None = None
    finished_at: str | None = None
    window_id: int | None = None
    clerk_id: str | None = None
    target_window: int | None = None
    transferred: bool = False
    no_show_count: int = 0
    recall_count: int = 0
    id_masked: str | None = None
    id_hash: str | None = None
    name_masked: str | None = None
    device: str | None = None
    device_id: int | None = None  # the issuing kiosk's id: only it may cancel the ticket
    evaluation: dict | None = None
    grace_until: str | None = None  # after a 过号: not called again before this time
    call_reason: str | None = None  # why the last call took it out of turn (queue.AGE_LIMIT or a clerk's CALL_REASONS entry)

    def to_dict(self) -> dict:
        # A shallow copy: asdict() deep-copies and dominates snapshot time in a busy hall.
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, d: dict) -> "Ticket":
        # A restart reads back every ticket of the day from the state snapshot: when the dict has
        # exactly the fields (it was written by to_dict), fill the object without __init__ and look
        # the state up in a dict (together 3x faster); anything else goes through __init__.
        if d.keys() == _TICKET_FIELDS:
            t = object.__new__(cls)
            t.__dict__.update(d)
            t.state = _TICKET_STATES[d["state"]]
            return t
        d = dict(d)
        d["state"] = TicketState(d["state"])
        return cls(**d)


_TICKET_STATES = {s.value: s for s in TicketState}
_TICKET_FIELDS = frozenset(Ticket.__dataclass_fields__)


@dataclass
class WindowStatus:
    id: int
    state: WindowState = WindowState.CLOSED
    clerk_id: str | None = None
    pause_reason: str | None = None
    current: int | None = None  # ticket id called or being served here
    priority_streak: int = 0
    normal_streak: int = FRESH_STREAK
    since: str | None = None

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, d: dict) -> "WindowStatus":
        d = dict(d)
        d["state"] = WindowState(d["state"])
        return cls(**d)


@dataclass
class Appointment:
    id: str
    code: str
    service_id: str
    slot_start: str
    slot_end: str
    name_masked: str = ""
    phone_hash: str | None = None
    phone_masked: str | None = None
    id_hash: str | None = None
    ticket_id: int | None = None
    checked_in_at: str | None = None
    cancelled: bool = False
    token: str | None = None  # the citizen's own link to the booking (unguessable; booked online only)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Appointment":
        return cls(**d)


@dataclass
class HallState:
    day: str | None = None
    counters: dict[str, int] = field(default_factory=dict)  # zone id -> last number issued today
    next_ticket_id: int = 1
    tickets: dict[int, Ticket] = field(default_factory=dict)  # today's tickets only
    windows: dict[int, WindowStatus] = field(default_factory=dict)
    appointments: dict[str, Appointment] = field(default_factory=dict)
    service_times: dict[str, deque] = field(default_factory=dict)  # seconds, most recent last
    clerk_done: dict[str, int] = field(default_factory=dict)  # today's finished tickets per clerk
    notice: str = ""
    device_faults: dict[str, dict] = field(default_factory=dict)
    calls: list[int] = field(default_factory=list)  # ticket ids in the order they were called, newest last
    # phone hash -> the days of its bookings nobody came for (the no-show rule's memory, recent ones only)
    missed_bookings: dict[str, list[str]] = field(default_factory=dict)
    lines: Lines = field(init=False, repr=False, compare=False)  # the waiting tickets, sorted (not stored)

    def __post_init__(self) -> None:
        self.lines = Lines(self.tickets.values())

    def to_dict(self, tickets: bool = True) -> dict:
        """`tickets=False`: every key, tickets left empty (the hub encodes them apart, hub/app/snapshots.py)."""
        return {
            "day": self.day,
            "counters": self.counters,
            "next_ticket_id": self.next_ticket_id,
            "tickets": [t.to_dict() for t in self.tickets.values()] if tickets else [],
            "windows": [w.to_dict() for w in self.windows.values()],
            "appointments": [a.to_dict() for a in self.appointments.values()],
            "service_times": {k: list(v) for k, v in self.service_times.items()},
            "clerk_done": self.clerk_done,
            "notice": self.notice,
            "device_faults": self.device_faults,
            "calls": self.calls,
            "missed_bookings": self.missed_bookings,
        }

    @classmethod
    def from_dict(cls, d: dict, sample_size: int = 20) -> "HallState":
        return cls(
            day=d["day"],
            counters=dict(d["counters"]),
            next_ticket_id=d["next_ticket_id"],
            tickets={t["id"]: Ticket.from_dict(t) for t in d["tickets"]},
            windows={w["id"]: WindowStatus.from_dict(w) for w in d["windows"]},
            appointments={a["id"]: Appointment.from_dict(a) for a in d["appointments"]},
            service_times={k: deque(v, maxlen=sample_size) for k, v in d["service_times"].items()},
            clerk_done=dict(d["clerk_done"]),
            notice=d.get("notice", ""),
            device_faults=dict(d.get("device_faults", {})),
            calls=list(d.get("calls", [])),
            missed_bookings={k: list(v) for k, v in d.get("missed_bookings", {}).items()},
        )
