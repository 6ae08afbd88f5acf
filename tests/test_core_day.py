"""The business day: numbers count per zone and start again each day; the rollover closes what is left."""
from __future__ import annotations

from core_hall import Desk, at

from hub.core.events import DayStarted, TicketCancelled
from hub.core.model import TicketState


def test_numbers_count_per_zone_and_start_again_the_next_day():
    desk = Desk()
    assert [desk.issue(s).number for s in ("licence", "pension", "property", "pension")] == ["A001", "B001", "A002",
                                                                                              "B002"]
    desk.clock.set(at(24, 8, 30))
    desk.new_day()
    assert [desk.issue(s).number for s in ("pension", "licence")] == ["B001", "A001"]
    assert desk.state.tickets[max(desk.state.tickets)].day == "2026-11-24"


def test_the_rollover_cancels_leftover_tickets_and_frees_the_windows():
    desk = Desk()
    desk.open(1, 2)
    done = desk.issue()
    desk.call_and_finish(1)
    called, serving, waiting = desk.issue(), desk.issue("pension"), desk.issue()
    desk.call(1)
    desk.call(2)
    desk.do(desk.hall.serve, 2)
    assert desk.new_day() == []  # same day: nothing to do
    desk.clock.set(at(24, 8, 0))
    events = desk.new_day()
    cancelled = {e.ticket_id for e in events if isinstance(e, TicketCancelled)}
    assert cancelled == {called.id, serving.id, waiting.id} and done.id not in cancelled
    assert all(e.reason == "day_end" for e in events if isinstance(e, TicketCancelled))
    assert isinstance(events[-1], DayStarted) and events[-1].day == "2026-11-24"
    assert desk.state.tickets == {} and all(w.current is None for w in desk.state.windows.values())
    assert desk.call(1) is None  # no ticket of yesterday is called today


def test_a_leftover_ticket_reads_cancelled_in_the_answer_the_rollover_gives():
    desk = Desk()
    t = desk.issue()
    desk.clock.set(at(24, 8, 0))
    cancel = desk.hall.rollover(desk.clock.now())[0]
    desk.hall.apply(cancel)
    assert desk.state.tickets[t.id].state == TicketState.CANCELLED
    assert desk.state.tickets[t.id].finished_at == "2026-11-24T08:00:00+08:00"
