"""Typed events: each type encodes and decodes to itself; version-1 data (whole snapshots, as the
hub wrote before) is read back as facts; replaying a day's events rebuilds the same hall."""
from __future__ import annotations

import json

import pytest
from core_hall import Desk, at

from hub.core import queue
from hub.core.engine import Hall
from hub.core.events import (
    EVENT_TYPES,
    HallChanged,
    TicketCalled,
    TicketEvaluated,
    TicketIssued,
    TicketTransferred,
    UnknownEvent,
    decode,
    encode,
)
from hub.core.model import HallState


def busy_day() -> Desk:
    """A morning touching every event type the engine decides."""
    desk = Desk(start=at(23, 9, 40))
    desk.open(1, 2, 3)
    desk.do(desk.hall.set_notice, "午休不停办")
    desk.do(desk.hall.device_status, "kiosk-1", "paper_out")
    for i in range(4):
        desk.issue(priority_reason="elderly" if i == 2 else None, holder={"id_masked": "110***********1234",
                                                                        "id_hash": "cd" * 32, "name_masked": "张*"})
    desk.book_and_check_in("licence", at(23, 10, 0))
    desk.book_cancel_and_reschedule("pension", at(23, 11, 0))
    desk.call(1)
    desk.do(desk.hall.recall, 1)
    desk.do(desk.hall.serve, 1)
    desk.finish(1)
    desk.call(1)
    desk.do(desk.hall.no_show, 1)
    desk.issue("property")
    desk.call(3)
    desk.do(desk.hall.transfer, 3, service_id="licence")
    desk.call(1)
    desk.do(desk.hall.transfer, 1, to_window=3)
    finished = desk.call_and_finish(3)
    ticket = next(t for t in desk.state.tickets.values() if t.number == finished)
    desk.do(desk.hall.evaluate, ticket, 2, ["long_wait"], "等太久")
    desk.do(desk.hall.pause, 2, "午休")
    desk.do(desk.hall.resume, 2)
    desk.do(desk.hall.logout, 2)
    desk.do(desk.hall.cancel, desk.issue("pension").id)
    desk.do(desk.hall.move, [desk.issue("pension").id], to_window=4)
    desk.do(desk.hall.device_status, "kiosk-1", None)
    return desk


def test_every_event_type_survives_encoding_through_json():
    desk = busy_day()
    assert {type(e) for e in desk.events} == set(EVENT_TYPES.values()) - {HallChanged}  # that one is the console's
    for e in desk.events:
        kind, version, data = encode(e)
        assert decode(kind, version, json.loads(json.dumps(data)), e.at) == e


def test_replaying_the_events_rebuilds_the_same_hall():
    desk = busy_day()
    replayed = Hall(desk.hall.config)
    for e in desk.events:
        kind, version, data = encode(e)
        replayed.apply(decode(kind, version, json.loads(json.dumps(data)), e.at))
    assert replayed.state.to_dict() == desk.state.to_dict()
    now = desk.clock.now()
    assert queue.positions(replayed.state, desk.hall.config, now) == queue.positions(desk.state, desk.hall.config, now)
    # and from a saved state, as the hub does from a snapshot
    restored = HallState.from_dict(json.loads(json.dumps(desk.state.to_dict())))
    assert queue.positions(restored, desk.hall.config, now) == queue.positions(desk.state, desk.hall.config, now)


def test_version_one_snapshots_are_read_back_as_facts():
    ticket = {"id": 7, "number": "A003", "day": "2026-11-23", "zone_id": "general", "service_id": "licence",
              "issued_at": "2026-11-23T09:00:00+08:00", "token": "t" * 22, "order": 2.5, "state": "waiting",
              "priority": False, "priority_reason": None, "appointment_id": None, "slot_start": None,
              "slot_end": None, "called_at": None, "serving_at": None, "finished_at": None, "window_id": 3,
              "clerk_id": "c3", "target_window": 1, "transferred": True, "no_show_count": 0, "recall_count": 0,
              "id_masked": None, "id_hash": None, "name_masked": None, "device": "kiosk", "evaluation": None}
    window = {"id": 3, "state": "open", "clerk_id": "c3", "pause_reason": None, "current": None,
              "priority_streak": 0, "normal_streak": 1, "since": "2026-11-23T08:55:00+08:00"}
    moved = decode("ticket.transferred", 1, {"ticket": ticket, "window": window, "from_window": 3}, "x")
    assert moved == TicketTransferred("x", ticket_id=7, from_window=3, service_id=None, to_window=1, order=2.5)
    issued = decode("ticket.issued", 1, {"ticket": ticket}, "x")
    assert isinstance(issued, TicketIssued) and (issued.ticket_id, issued.number, issued.token) == (7, "A003", "t" * 22)
    called = decode("ticket.called", 1, {"ticket": ticket, "window": window}, "x")
    assert called == TicketCalled("x", ticket_id=7, window_id=3, clerk_id="c3")
    rated = decode("ticket.evaluated", 1, {"ticket": {**ticket, "evaluation": {
        "score": 4, "reasons": ["friendly"], "comment": "", "at": "x"}}}, "x")
    assert rated == TicketEvaluated("x", ticket_id=7, score=4, reasons=("friendly",), comment="")


def test_an_event_of_an_unknown_type_or_a_newer_version_is_refused_by_name():
    with pytest.raises(UnknownEvent, match="ticket.teleported"):
        decode("ticket.teleported", 1, {}, "x")
    with pytest.raises(UnknownEvent, match="newer"):
        decode("ticket.called", 4, {"ticket_id": 1, "window_id": 1, "clerk_id": None, "reason": None}, "x")


def test_the_wire_facts_never_carry_a_token_or_a_hash():
    desk = busy_day()
    for e in desk.events:
        assert not {"token", "id_hash", "phone_hash", "code"} & set(e.public_facts()), e.TYPE
