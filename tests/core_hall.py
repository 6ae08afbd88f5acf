"""A hall for the pure tests of hub.core: built in code (no file), driven by hand with a ManualClock."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hub.core.clock import ManualClock
from hub.core.config import HallConfig
from hub.core.engine import Hall
from hub.core.model import Ticket

TZ = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """November 2026 in the hall's time zone (the 23rd is a Monday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


def hall_config(**queue) -> HallConfig:
    """The hall; the rules of issue 10 (no-show grace in time, age limit, no issuing while no window
    serves) are off unless a test turns them on, so each other test sees only the rule it is about."""
    week = [{"days": "mon-sun", "open": "08:00", "close": "18:00"}]
    return HallConfig.model_validate({
        "hall": {"name": "测试大厅", "timezone": "Asia/Shanghai"},
        "queue": {"number_width": 3, "priority_ratio": "1:2", "no_show_requeue_after": 2, "no_show_max_requeues": 1,
                  "appointment_early_minutes": 30, "appointment_late_minutes": 15,
                  "no_show_grace_minutes": 0, "age_limit_minutes": 0, "issue_when_closed": True, **queue},
        "zones": [{"id": "general", "prefix": "A", "name": "综合", "hours": week},
                  {"id": "social", "prefix": "B", "name": "人社", "hours": week}],
        "services": [{"id": "licence", "zone": "general", "name": "营业执照", "minutes": 10},
                     {"id": "property", "zone": "general", "name": "不动产", "minutes": 15},
                     {"id": "pension", "zone": "social", "name": "养老", "minutes": 6}],
        "windows": [{"id": 1, "zones": ["general"]}, {"id": 2, "zones": ["social"]},
                    {"id": 3, "services": ["property"]}, {"id": 4, "zones": ["general", "social"]}],
        "clerks": [{"id": f"c{i}", "name": f"办事员{i}", "pin": "1111"} for i in range(1, 5)],
        "booking": {"cutoff_minutes": 0, "slots": [{"services": ["pension"], "days": "mon-sun", "start": "08:00",
                                                    "end": "18:00", "minutes": 30, "capacity": 5}]},
    })


class Desk:
    """One hall and its clock; every command's events are applied at once, as the hub does."""

    def __init__(self, start: datetime | None = None, **queue):
        self.clock = ManualClock(start or at(23, 9, 0))
        self.hall = Hall(hall_config(**queue))
        self.events: list = []
        self.new_day()

    @property
    def state(self):
        return self.hall.state

    def do(self, decide, *args, **kwargs) -> dict:
        result, events = decide(self.clock.now(), *args, **kwargs)
        for e in events:
            self.hall.apply(e)
        self.events += events
        return result

    def new_day(self) -> list:
        events = self.hall.rollover(self.clock.now())
        for e in events:
            self.hall.apply(e)
        self.events += events
        return events

    def issue(self, service: str = "licence", **kwargs) -> Ticket:
        self.clock.advance(seconds=10)
        return self.do(self.hall.issue, service, f"token-{len(self.events)}", **kwargs)["ticket"]

    def open(self, *windows: int) -> None:
        for w in windows:
            self.do(self.hall.login, w, f"c{w}", "1111")

    def call(self, window: int) -> str | None:
        t = self.do(self.hall.call_next, window)["ticket"]
        return t.number if t else None

    def finish(self, window: int) -> None:
        self.do(self.hall.finish, window)

    def call_and_finish(self, window: int) -> str | None:
        number = self.call(window)
        if number:
            self.finish(window)
        return number

    def book_cancel_and_reschedule(self, service: str, start: datetime, minutes: int = 30) -> None:
        """A citizen's online bookings (a link token each): one moved to another slot, one cancelled."""
        n = len(self.events)
        for k in (1, 2):
            self.do(self.hall.book, f"appt-{n}-{k}", f"9{n:04d}{k}", service, start, start + timedelta(minutes=minutes),
                    phone_hash=f"e{k}" * 32, token=f"booking-link-{n}-{k:04d}")
        later = start + timedelta(minutes=minutes)
        self.do(self.hall.reschedule_booking, f"booking-link-{n}-0001", later, later + timedelta(minutes=minutes))
        self.do(self.hall.cancel_booking, f"booking-link-{n}-0002")

    def book_and_check_in(self, service: str, start: datetime, minutes: int = 30) -> Ticket:
        n = len(self.events)
        self.do(self.hall.book, f"appt-{n}", f"{n:06d}", service, start, start + timedelta(minutes=minutes),
                phone_hash="ab" * 32)
        return self.do(self.hall.check_in, f"token-appt-{n}", code=f"{n:06d}")["ticket"]

    def numbers(self, tickets) -> list[str]:
        return [t.number for t in tickets]
