"""Online booking's rules in the core: slots and capacity from the hall file, the calendar, days ahead,
the cut-off, bookings per phone, the no-show rule; cancelling frees a place, rescheduling keeps the code."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from citizen_fixtures import BOOKING, CALENDAR, hall_text
from conftest import TZ, at
from hub.core import booking
from hub.core.config import ConfigError, parse_hall
from hub.core.engine import Hall
from hub.core.errors import DomainError
from hub.core.events import DayStarted

LICENCE = "business-license"


@pytest.fixture
def hall():
    return Hall(parse_hall(hall_text(CALENDAR, BOOKING)))


def slot(day: int, hhmm: str, minutes: int = 30) -> tuple[datetime, datetime]:
    h, m = map(int, hhmm.split(":"))
    start = datetime(2026, 11, day, h, m, tzinfo=TZ)
    return start, datetime.fromtimestamp(start.timestamp() + minutes * 60, TZ)


def book(hall: Hall, now: datetime, day: int, hhmm: str, phone: str = "p1", n: int = [0]):
    n[0] += 1
    result, events = hall.book(now, f"a{n[0]}", f"{n[0]:06d}", LICENCE, *slot(day, hhmm), phone_hash=phone,
                               phone_masked="138****0000", token=f"token-{n[0]:012d}")
    for e in events:
        hall.apply(e)
    return result["appointment"]


def refusal(call) -> str:
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value.code


def left(hall: Hall, now: datetime, day: int, hhmm: str) -> int:
    return next(s["left"] for s in booking.day_slots(hall.state, hall.config, LICENCE, date(2026, 11, day), now)
                if s["start"] == hhmm)


def test_a_slot_takes_its_capacity_then_is_full(hall):
    now = at(23, 9, 30)
    assert left(hall, now, 24, "09:00") == 2
    book(hall, now, 24, "09:00", "p1")
    assert left(hall, now, 24, "09:00") == 1
    book(hall, now, 24, "09:00", "p2")
    assert left(hall, now, 24, "09:00") == 0
    assert refusal(lambda: book(hall, now, 24, "09:00", "p3")) == "SLOT_FULL"
    assert left(hall, now, 24, "09:30") == 2, "the next slot is its own"


def test_holiday_working_saturday_and_slots_not_offered(hall):
    now = at(23, 9, 30)
    assert booking.day_slots(hall.state, hall.config, LICENCE, date(2026, 11, 26), now) == []
    assert refusal(lambda: book(hall, now, 26, "09:00")) == "BOOKING_HOLIDAY"
    assert left(hall, now, 28, "09:00") == 2, "the 调休 Saturday offers a weekday's slots"
    assert refusal(lambda: book(hall, now, 24, "13:00")) == "SLOT_NOT_OFFERED"
    assert refusal(lambda: book(hall, now, 29, "09:00")) == "SLOT_NOT_OFFERED", "an ordinary Sunday offers none"


def test_days_ahead_and_cut_off(hall):
    now = at(23, 9, 30)
    assert refusal(lambda: book(hall, at(23, 8, 30), 23, "09:00")) == "BOOKING_CUTOFF"  # 30 min before: too late
    assert refusal(lambda: book(hall, now, 23, "10:00")) == "BOOKING_CUTOFF"
    book(hall, now, 23, "10:30")
    book(hall, now, 30, "09:00")  # Monday next week: 7 days ahead, the last day open for booking
    december_1st = datetime(2026, 12, 1, 9, 0, tzinfo=TZ)
    assert refusal(lambda: hall.book(now, "far", "999999", LICENCE, december_1st, december_1st.replace(minute=30),
                                     phone_hash="p9", token="token-far-000000")) == "BOOKING_TOO_FAR"


def test_per_phone_limits(hall):
    now = at(23, 9, 30)
    book(hall, now, 24, "09:00", "p1")
    assert refusal(lambda: book(hall, now, 24, "10:00", "p1")) == "BOOKING_SAME_DAY"
    book(hall, now, 25, "09:00", "p1")
    assert refusal(lambda: book(hall, now, 27 + 3, "09:00", "p1")) == "BOOKING_PHONE_LIMIT"
    book(hall, now, 30, "09:00", "p2")  # another phone books freely


def test_three_missed_bookings_block_booking_for_thirty_days(hall):
    for day in (23, 24, 25):  # booked for each morning, never came
        book(hall, at(day, 8, 0) if day > 23 else at(22, 12, 0), day, "10:30", "late")
    hall.apply(DayStarted(at(27, 4, 0).isoformat(), day="2026-11-27"))
    assert sorted(hall.state.missed_bookings["late"]) == ["2026-11-23", "2026-11-24", "2026-11-25"]
    assert booking.blocked_until(hall.state, hall.config, at(27, 9), "late") == date(2026, 12, 26)
    assert refusal(lambda: book(hall, at(27, 9), 30, "09:00", "late")) == "BOOKING_BLOCKED"
    book(hall, at(27, 9), 30, "09:00", "kept")  # a phone that came is not blocked


def test_cancel_frees_the_place_and_reschedule_keeps_the_code(hall):
    now = at(23, 9, 30)
    a = book(hall, now, 24, "09:00", "p1")
    book(hall, now, 24, "09:00", "p2")
    result, events = hall.reschedule_booking(now, a.token, *slot(24, "10:00"))
    for e in events:
        hall.apply(e)
    moved = hall.booking_by_token(a.token)
    assert (moved.code, moved.slot_start[11:16]) == (a.code, "10:00")
    assert left(hall, now, 24, "09:00") == 1 and left(hall, now, 24, "10:00") == 1
    for e in hall.cancel_booking(now, a.token)[1]:
        hall.apply(e)
    assert left(hall, now, 24, "10:00") == 2
    assert refusal(lambda: hall.cancel_booking(now, a.token)) == "BOOKING_CANCELLED"
    b = book(hall, now, 24, "10:30", "p3")
    assert refusal(lambda: hall.cancel_booking(at(24, 10, 31), b.token)) == "BOOKING_STARTED"
    assert refusal(lambda: hall.booking_by_token("forged-token-0000")) == "BOOKING_INVALID"


@pytest.mark.parametrize("slots, field, said", [
    ('services = ["nope"]\nstart = "09:00"\nend = "10:00"\ncapacity = 1', "booking.slots[1].services", "unknown service"),
    ('services = ["property"]\nstart = "10:00"\nend = "10:20"\ncapacity = 1', "booking.slots[1]", "no 30-minute slot"),
    ('services = ["property"]\nstart = "9:00"\nend = "10:00"\ncapacity = 1', "booking.slots[1].start", "time of day"),
    ('services = ["property"]\nstart = "09:00"\nend = "10:00"\ncapacity = 0', "booking.slots[1].capacity", "greater"),
    ('services = ["business-license"]\nstart = "10:30"\nend = "12:00"\ncapacity = 1', "booking.slots[2].start",
     "overlap on mon"),
])
def test_wrong_slots_are_refused_with_their_field(slots, field, said):
    """Tried: an unknown service, a span shorter than a slot, '9:00', no capacity, overlapping slot lists."""
    extra = f"\n[[booking.slots]]\n{slots}\n"
    text = hall_text(BOOKING + extra) if "overlap" in said else hall_text("\n[booking]\n" + extra)
    with pytest.raises(ConfigError) as refused:
        parse_hall(text)
    assert refused.value.field == field and said in str(refused.value)
