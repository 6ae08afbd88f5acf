"""The wait estimate: the hall's queue played forward with the calling rule, pure and fast.

The hall of core_hall: window 1 serves 综合 (licence 10 min, property 15 min), window 2 人社
(pension 6 min), window 3 only property, window 4 is a 综合窗口 serving both zones. Priority
to normal is 1:2.
"""
from __future__ import annotations

from datetime import timedelta

from busy_day import play_day
from core_hall import Desk, at, hall_config

from hub.core import queue
from hub.core.forecast import forecast


def wait_of(desk: Desk, ticket):
    return forecast(desk.state, desk.hall.config, desk.clock.now()).get(ticket.id)


def test_a_window_that_serves_many_services_is_counted_with_all_it_serves():
    desk = Desk()
    desk.open(4)  # the one 综合窗口: it serves the licence tickets first, they came first
    for _ in range(5):
        desk.issue("licence")
    pension = desk.issue("pension")
    old = queue.position(desk.state, desk.hall.config, pension, desk.clock.now())[1]
    estimate = wait_of(desk, pension)
    assert old == 0  # the old rule saw no pension ticket ahead
    assert estimate.minutes == 50 and estimate.low <= 50 <= estimate.high
    # Played out with visits as long as the hall file says, it is called then.
    start = desk.clock.now()
    for _ in range(5):
        desk.call(4)
        desk.clock.advance(minutes=10)
        desk.finish(4)
    assert desk.call(4) == pension.number and desk.clock.now() - start == timedelta(minutes=50)


def test_priority_tickets_interleave_and_transfers_go_first():
    desk = Desk()
    desk.open(1, 3)
    normal = [desk.issue("licence") for _ in range(3)]
    priority = desk.issue("licence", priority_reason="elderly")
    # 1:2 — a fresh window takes the priority ticket first, then two normal ones.
    assert [wait_of(desk, t).minutes for t in (priority, *normal)] == [0, 10, 20, 40]
    desk.issue("property")
    desk.call(3)
    moved = desk.do(desk.hall.transfer, 3, service_id="licence")["ticket"]  # ahead of all
    # The transfer counts as a normal call in the interleave, so one normal ticket comes before
    # the priority one, as the calling rule has it.
    assert [wait_of(desk, t).minutes for t in (priority, *normal)] == [20, 10, 30, 40]
    assert [desk.call_and_finish(1) for _ in range(5)] == desk.numbers([moved, normal[0], priority, *normal[1:]])


def test_an_appointment_is_played_ahead_while_its_slot_lasts_and_behind_after():
    desk = Desk(start=at(23, 9, 0))
    desk.open(1)
    tickets = [desk.issue("licence") for _ in range(3)]
    # Checked in at 09:00 for 09:25-09:30: in its slot until 09:45 (15 minutes late allowed).
    appointment = desk.book_and_check_in("licence", at(23, 9, 25), minutes=5)
    assert wait_of(desk, appointment).minutes == 0
    assert wait_of(desk, tickets[2]).minutes == 30
    desk.clock.advance(minutes=46)  # past its slot, no one called: it is a normal ticket by its check-in
    assert wait_of(desk, appointment).minutes == 30


def test_the_visit_in_progress_and_a_paused_window_delay_the_first_call():
    desk = Desk()
    desk.open(1)
    desk.issue("licence")
    desk.call(1)
    desk.clock.advance(minutes=6)
    waiting = desk.issue("licence")
    assert wait_of(desk, waiting).minutes == 4  # the 10-minute visit began 6 minutes ago
    desk.finish(1)
    desk.do(desk.hall.pause, 1, "午休", strand=True)  # the clerk confirmed leaving the line without a window
    assert wait_of(desk, waiting).minutes == 10  # a break is taken to last ten minutes
    desk.do(desk.hall.logout, 1, strand=True)
    assert wait_of(desk, waiting) is None  # no staffed window serves it: no number is promised


def test_visit_times_are_learned_per_service_and_per_window():
    desk = Desk()
    desk.open(1, 3)
    for _ in range(6):  # property visits at window 3 take 5 minutes today, not the 15 configured
        desk.issue("property")
        desk.call(3)
        desk.clock.advance(minutes=5)
        desk.finish(3)
    desk.do(desk.hall.logout, 1)
    waiting = [desk.issue("property") for _ in range(4)]
    learned = wait_of(desk, waiting[-1]).minutes
    assert 15 <= learned <= 20  # three visits ahead at (15 + 6 x 5) / 7 minutes each

    hall = Desk()
    hall.open(1, 4)
    for _ in range(5):  # licence visits take 20 minutes at window 1 and 10 at window 4
        for window, minutes in ((1, 20), (4, 10)):
            hall.issue("licence")
            hall.call(window)
            hall.clock.advance(minutes=minutes)
            hall.finish(window)
    licence = [hall.issue("licence") for _ in range(2)]
    hall.do(hall.hall.logout, 1)
    at_fast = wait_of(hall, licence[1]).minutes
    hall.open(1)
    hall.do(hall.hall.logout, 4)
    at_slow = wait_of(hall, licence[1]).minutes
    # The service takes (10 + 5 x 20 + 5 x 10) / 11 = 14.5 minutes; each window's pace moves it.
    assert at_fast < 14 and at_slow > 15  # 12 and 17: the window that took 10 and the one that took 20


def test_a_long_uncertain_wait_is_a_range_in_five_minute_steps():
    desk = Desk()
    desk.open(3)
    tickets = [desk.issue("property") for _ in range(4)]
    short, long = wait_of(desk, tickets[1]), wait_of(desk, tickets[3])
    assert short.minutes == 15 and short.low < 15 < short.high
    assert long.minutes == 45 and long.low < 45 < long.high
    assert long.low % 5 == 0 and long.high % 5 == 0
    # More visits ahead make the sum relatively surer: the range is narrower for its length.
    assert (long.high - long.low) / 45 < (short.high - short.low) / 15


def test_on_a_busy_day_with_a_multi_service_window_and_transfers_the_error_is_under_half_the_old_rules():
    """Three four-hour days (different citizens each) at the hall above with windows 1, 2 and 4
    staffed (the property window 3 is not): visits really take 8/20/5 minutes, not the 10/15/6 the
    hall file says, window 4 is 30% slower, 8% of visits end in a transfer, 5% are no-shows,
    10% priority. Both estimates are taken as each ticket is issued."""
    cfg = hall_config(priority_ratio="1:1")
    citizens = []
    for seed in (1, 2, 3):
        day = play_day(cfg, at(23, 9), 4, [1, 2, 4], {"licence": 6, "property": 4, "pension": 9},
                       true_minutes={"licence": 8, "property": 20, "pension": 5}, slow_windows={4: 1.3},
                       transfer_share=0.08, no_show_share=0.05, seed=seed)
        citizens += day.called
    assert len(citizens) > 150
    old = sum(abs(c.old - c.waited) for c in citizens) / len(citizens)
    new = sum(abs(c.new - c.waited) for c in citizens) / len(citizens)
    assert new < old / 2, (old, new)
    # The range told holds the wait that came for most citizens.
    assert sum(c.low <= c.waited <= c.high for c in citizens) / len(citizens) > 0.6


def test_a_ticket_just_issued_is_added_behind_the_play_as_if_played_in():
    desk = Desk()
    desk.open(1, 4)
    for service in ("licence", "pension", "property", "licence", "pension"):
        desk.issue(service)
    desk.call(4)
    now = desk.clock.now()
    for service in ("licence", "pension", "property"):
        answer, _ = desk.hall.issue(now, service, f"new-{service}")
        new = answer["ticket"]
        played_in = forecast(desk.state, desk.hall.config, now, changed=new)[new.id]
        assert forecast(desk.state, desk.hall.config, now).append(new, desk.hall.config) == played_in, service


def test_a_queue_longer_than_the_day_is_played_only_a_day_ahead():
    desk = Desk()
    desk.open(3)  # 15 minutes a property visit: 32 in eight hours
    tickets = [desk.issue("property") for _ in range(40)]
    played = forecast(desk.state, desk.hall.config, desk.clock.now())
    assert played[tickets[31].id].minutes == 31 * 15
    assert played[tickets[35].id] == played[tickets[39].id] and played[tickets[39].id].minutes == 8 * 60


def test_with_the_age_limit_on_the_priority_tickets_still_to_come_are_aged_from_when_they_come():
    """The play brings in the day's priority tickets before they are issued; the age-limit rule reads
    their issue time, so each gets the moment it is expected (a blank one crashed every estimate)."""
    desk = Desk(age_limit_minutes=30)
    desk.open(1)
    for _ in range(2):  # the day's rate: priority tickets keep coming
        desk.issue("licence", priority_reason="disabled")
        desk.call(1)
        desk.clock.advance(minutes=10)
        desk.finish(1)
    early = desk.issue("licence")
    desk.clock.advance(minutes=40)  # `early` is past the age limit now
    tickets = [desk.issue("licence") for _ in range(3)]
    assert wait_of(desk, early).minutes == 0  # over the limit: next, before any priority ticket to come
    assert wait_of(desk, tickets[-1]).minutes > wait_of(desk, tickets[0]).minutes
