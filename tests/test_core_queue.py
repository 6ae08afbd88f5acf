"""Who is called next and each ticket's place in line: one test per queue rule, pure and fast."""
from __future__ import annotations

import math
from datetime import datetime, timedelta

from core_hall import Desk, at

from hub.core import queue
from hub.core.model import TicketState


def line(desk: Desk, window: int) -> list[str]:
    return desk.numbers(queue.window_line(desk.state, desk.hall.config, window, desk.clock.now()))


def calls(desk: Desk, window: int, n: int) -> list[str]:
    return [desk.call_and_finish(window) for _ in range(n)]


def test_a_no_show_goes_back_exactly_n_places_in_a_longer_line():
    desk = Desk()  # no_show_requeue_after = 2
    tickets = [desk.issue() for _ in range(5)]
    desk.open(1)
    assert desk.call(1) == tickets[0].number
    result = desk.do(desk.hall.no_show, 1)
    assert result["requeued"] is True
    a1, a2, a3, a4, a5 = (t.number for t in tickets)
    assert line(desk, 1) == [a2, a3, a1, a4, a5]
    assert calls(desk, 1, 5) == [a2, a3, a1, a4, a5]


def test_a_second_no_show_is_final():
    desk = Desk()
    first, second = desk.issue(), desk.issue()
    desk.open(1)
    desk.call(1)
    desk.do(desk.hall.no_show, 1)
    desk.call_and_finish(1)  # the second ticket
    assert desk.call(1) == first.number
    assert desk.do(desk.hall.no_show, 1)["requeued"] is False
    assert desk.state.tickets[first.id].state == TicketState.NO_SHOW
    assert desk.call(1) is None and desk.state.tickets[second.id].state == TicketState.DONE


def transfer(desk: Desk, window: int, **target):
    return desk.do(desk.hall.transfer, window, **target)["ticket"]


def test_transfers_go_ahead_of_appointments_in_their_slot_and_of_priority_tickets():
    desk = Desk(start=at(23, 9, 40))
    desk.open(1, 3)
    normal = desk.issue()
    priority = desk.issue(priority_reason="elderly")
    appointment = desk.book_and_check_in("licence", at(23, 10, 0))
    later = desk.issue()
    moved = []
    for _ in range(2):  # two citizens sent from the property window to the licence line
        desk.issue("property")
        desk.call(3)
        moved.append(transfer(desk, 3, service_id="licence"))
    # Each transfer goes to the front of its new line: the latest one is called first.
    expected = [moved[1].number, moved[0].number, appointment.number, priority.number, normal.number, later.number]
    assert line(desk, 1) == expected
    assert calls(desk, 1, 6) == expected


def test_a_transfer_to_this_window_comes_before_transfers_to_its_services():
    desk = Desk()
    desk.open(1, 3, 4)
    desk.issue()
    desk.issue("property")
    desk.call(3)
    to_service = transfer(desk, 3, service_id="licence")
    desk.issue("property")
    desk.call(3)
    to_window = transfer(desk, 3, to_window=4)
    assert line(desk, 1)[0] == to_service.number and to_window.number not in line(desk, 1)
    assert desk.call(4) == to_window.number
    assert desk.call(1) == to_service.number


def test_a_transfer_is_placed_before_every_waiting_ticket():
    desk = Desk()
    desk.open(1, 3)
    waiting = [desk.issue(), desk.issue("pension"), desk.issue(priority_reason="disabled")]
    desk.issue("property")
    desk.call(3)
    moved = transfer(desk, 3, service_id="licence")
    assert all(moved.order < desk.state.tickets[t.id].order for t in waiting)
    assert queue.position(desk.state, desk.hall.config, moved, desk.clock.now())[0] == 0


def test_priority_and_normal_tickets_interleave_at_the_configured_ratio():
    for ratio, pattern in (("1:2", "PNNPNNPNN"), ("2:1", "PPNPNNNNN")):
        desk = Desk(priority_ratio=ratio)
        kinds = {}
        for kind in "NPNNPNNNP":  # the order they arrive in
            t = desk.issue(priority_reason="pregnant" if kind == "P" else None)
            kinds[t.number] = kind
        desk.open(1)
        expected = line(desk, 1)
        called = calls(desk, 1, 9)
        assert "".join(kinds[n] for n in called) == pattern, ratio
        assert called == expected


def test_an_appointment_goes_ahead_only_while_its_slot_lasts():
    desk = Desk(start=at(23, 9, 50))
    desk.open(1)
    early = desk.issue()
    appointment = desk.book_and_check_in("licence", at(23, 10, 0))  # 10:00-10:30, 15 minutes' grace
    assert line(desk, 1) == [appointment.number, early.number]
    desk.clock.set(at(23, 10, 46))
    assert line(desk, 1) == [early.number, appointment.number]
    assert desk.call(1) == early.number


def reference_ahead(desk: Desk, ticket) -> int:
    """The rule as stated: waiting tickets of the same service ahead by (rank, order)."""
    now = desk.clock.now()

    def key(t):
        in_slot = bool(t.appointment_id) and (datetime.fromisoformat(t.slot_start) - timedelta(minutes=30) <= now
                                              <= datetime.fromisoformat(t.slot_end) + timedelta(minutes=15))
        return (1 if t.transferred else 2 if in_slot else 3 if t.priority else 4), t.order

    return sum(1 for t in desk.state.tickets.values() if t.state == TicketState.WAITING and t.id != ticket.id
               and t.service_id == ticket.service_id and key(t) < key(ticket))


def test_places_in_line_and_estimates_follow_the_calling_rules():
    desk = Desk(start=at(23, 9, 40))
    desk.open(1, 3)
    for i in range(12):
        desk.issue(priority_reason="elderly" if i % 4 == 1 else None)
        if i == 5:
            desk.book_and_check_in("licence", at(23, 10, 0))
            desk.book_and_check_in("licence", at(23, 9, 30))  # its slot is over by the time we look
    desk.issue("property")
    desk.call(3)
    transfer(desk, 3, service_id="licence")
    desk.call(1)
    desk.do(desk.hall.no_show, 1)
    desk.clock.set(at(23, 10, 20))
    now, cfg = desk.clock.now(), desk.hall.config
    known = queue.positions(desk.state, cfg, now)
    waiting = [t for t in desk.state.tickets.values() if t.state == TicketState.WAITING]
    assert len(known) == len(waiting) == 15
    for t in waiting:
        ahead = reference_ahead(desk, t)
        minutes = {"licence": 10, "property": 15}[t.service_id]  # one open window serves each
        assert known[t.id] == queue.position(desk.state, cfg, t, now) == (ahead, math.ceil(ahead * minutes))
