"""Issue 10's calling rules, pure and on a hand-moved clock: no stranded citizen (no ticket while no
window serves; a logout that would strand tickets is refused until confirmed; the console moves
them), a 过号 grace in time as well as in places, and an age limit that beats transfers and priority."""
from __future__ import annotations

import pytest
from core_hall import Desk, at

from hub.core import queue
from hub.core.config import HallConfig
from hub.core.engine import Hall
from hub.core.errors import DomainError
from hub.core.events import TicketCalled


def line(desk: Desk, window: int) -> list[str]:
    return desk.numbers(queue.window_line(desk.state, desk.hall.config, window, desk.clock.now()))


def refused(code: str, decide, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as e:
        decide(*args, **kwargs)
    assert e.value.code == code
    return e.value


# ---- no stranding ---------------------------------------------------------------------------
def test_the_kiosks_refusal_names_a_few_windows_then_how_many_in_all():
    """The default hall's 社保卡 is handled at 31 windows: the citizen reads three and the count, the
    windows that specialise in it first (人社's own, not the 综合窗口 or the 绿色通道 window that take all)."""
    import assets
    from hub.core.config import load_hall

    config = load_hall(assets.path("halls/default.toml"))
    hall = Hall(config)
    e = refused("NO_WINDOW_OPEN", hall.issue, at(23, 10), "rs_shebaoka", "tok")
    assert e.params["windows"] == "65号窗口、66号窗口、76号窗口等31个窗口"
    assert e.params["windows_en"] == "window 65, window 66, window 76 and 28 more"
    assert all(len(config.window_services(w)) < len(config.window_services(1)) for w in (65, 66, 76))
    passport = next(s.id for s in config.services if s.name == "普通护照申领")
    e = refused("NO_WINDOW_OPEN", hall.issue, at(23, 10), passport, "tok")
    assert e.params["windows"] == "89号窗口、90号窗口、91号窗口等4个窗口"  # not 23, the 绿色通道 window


def test_no_ticket_for_a_service_no_open_window_serves_and_the_refusal_names_its_windows():
    desk = Desk(issue_when_closed=False)
    e = refused("NO_WINDOW_OPEN", desk.hall.issue, desk.clock.now(), "property", "tok")
    assert e.status == 409
    # 不动产 is handled at windows 1 (the general zone), 3 (property only) and 4 (综合窗口).
    assert e.params["windows"] == "1号窗口、3号窗口、4号窗口" and e.params["service"] == "不动产"
    assert desk.state.tickets == {}  # nothing issued, no number used
    desk.open(2)  # the social zone's window does not serve 不动产
    refused("NO_WINDOW_OPEN", desk.hall.issue, desk.clock.now(), "property", "tok")
    desk.open(3)
    assert desk.issue("property").number == "A001"
    desk.do(desk.hall.pause, 3, "午休", strand=True)  # a paused window is not open: nobody calls A001
    refused("NO_WINDOW_OPEN", desk.hall.issue, desk.clock.now(), "property", "tok")
    assert desk.issue("pension").number == "B001"  # window 2 is open for 养老


def test_the_hall_file_may_let_one_service_issue_while_no_window_is_open():
    desk = Desk(issue_when_closed=False)
    data = desk.hall.config.model_dump()
    data["services"] = [{**s, "issue_when_closed": True} if s["id"] == "pension" else s for s in data["services"]]
    desk.hall = Hall(HallConfig.model_validate(data), desk.state)
    assert desk.issue("pension").number == "B001"
    refused("NO_WINDOW_OPEN", desk.hall.issue, desk.clock.now(), "licence", "tok")


def test_a_logout_that_would_strand_tickets_is_refused_until_the_clerk_confirms():
    desk = Desk(issue_when_closed=False)
    desk.open(2, 3)
    pension = [desk.issue("pension") for _ in range(2)]
    desk.issue("property")
    # Window 3 is the only open one for 不动产; window 2 the only one for 养老.
    e = refused("WOULD_STRAND", desk.hall.logout, desk.clock.now(), 2)
    assert e.params["count"] == 2 and e.params["tickets"] == "B001、B002"
    refused("WOULD_STRAND", desk.hall.pause, desk.clock.now(), 2, "午休")
    assert desk.state.windows[2].state == "open"  # nothing changed
    result = desk.do(desk.hall.logout, 2, strand=True)
    assert [t.number for t in result["stranded"]] == ["B001", "B002"]
    assert [t.id for t in queue.stranded(desk.state, desk.hall.config)] == [t.id for t in pension]
    # With another open window serving the same line, nobody is stranded: no question asked.
    desk.open(1, 4)
    assert desk.do(desk.hall.logout, 3)["stranded"] == []


def test_the_console_moves_stranded_tickets_to_another_line_in_one_go():
    desk = Desk(issue_when_closed=False)
    desk.open(2)
    tickets = [desk.issue("pension") for _ in range(3)]
    desk.do(desk.hall.logout, 2, strand=True)
    desk.open(1)  # the general zone's window: it does not serve 养老
    assert desk.call(1) is None
    result = desk.do(desk.hall.move, [t.id for t in tickets], to_window=1)
    assert [t.number for t in result["tickets"]] == ["B001", "B002", "B003"]
    assert queue.stranded(desk.state, desk.hall.config) == []
    assert [desk.call_and_finish(1) for _ in range(3)] == ["B001", "B002", "B003"]
    # Bad input: a batch holding a called ticket is refused whole (the waiting one stays put), as is
    # an unknown target or an empty batch.
    called, waiting = desk.issue("licence"), desk.issue("licence")
    desk.call(1)
    refused("TICKET_STATE", desk.hall.move, desk.clock.now(), [waiting.id, called.id], service_id="property")
    assert desk.state.tickets[waiting.id].service_id == "licence"
    refused("SERVICE_NOT_FOUND", desk.hall.move, desk.clock.now(), [waiting.id], service_id="nope")
    refused("MOVE_NOTHING", desk.hall.move, desk.clock.now(), [], to_window=1)
    refused("TRANSFER_TARGET", desk.hall.move, desk.clock.now(), [waiting.id])


# ---- no-show grace in time ------------------------------------------------------------------
def test_in_a_quiet_hall_a_no_show_is_not_called_back_within_the_grace_minutes():
    desk = Desk(no_show_grace_minutes=5)
    ticket = desk.issue()
    desk.open(1)
    assert desk.call(1) == "A001"
    desk.do(desk.hall.no_show, 1)
    assert desk.state.tickets[ticket.id].state == "waiting"
    for _ in range(4):  # the clerk presses 叫号 every minute: nobody comes
        desk.clock.advance(minutes=1)
        assert desk.call(1) is None
    desk.clock.advance(seconds=59)
    assert desk.call(1) is None
    assert desk.numbers(queue.in_grace_at(desk.state, desk.hall.config, 1, desk.clock.now())) == ["A001"]
    desk.clock.advance(seconds=1)
    assert desk.call(1) == "A001"


def test_a_no_show_goes_back_behind_n_tickets_and_after_m_minutes_whichever_is_later():
    desk = Desk(no_show_grace_minutes=5)  # no_show_requeue_after = 2
    a1, *_ = [desk.issue() for _ in range(5)]
    slow = Desk(no_show_grace_minutes=1)  # the minutes pass first: the places still count
    [slow.issue() for _ in range(4)]
    slow.open(1)
    slow.call(1)
    slow.do(slow.hall.no_show, 1)
    slow.clock.advance(minutes=2)
    assert [slow.call_and_finish(1) for _ in range(3)] == ["A002", "A003", "A001"]
    desk.open(1)
    assert desk.call(1) == "A001"
    desk.do(desk.hall.no_show, 1)
    assert line(desk, 1) == ["A002", "A003", "A004", "A005"]  # A001 is in grace, out of the line
    assert [desk.call_and_finish(1) for _ in range(3)] == ["A002", "A003", "A004"]  # 2 places passed; 5 min not
    desk.clock.advance(minutes=5)
    assert desk.call(1) == "A001"  # back in its place, ahead of A005
    desk.do(desk.hall.no_show, 1)  # the second 过号 lapses it (no_show_max_requeues = 1)
    assert desk.state.tickets[a1.id].state == "no_show"


# ---- fairness: the age limit -----------------------------------------------------------------
def test_a_ticket_past_the_age_limit_is_called_before_newer_transfers_and_priority():
    desk = Desk(age_limit_minutes=60, start=at(23, 9, 0))
    old = desk.issue("property")  # 不动产: windows 1, 3 and 4 serve it
    desk.open(2, 3)
    desk.clock.advance(minutes=30)
    for _ in range(3):  # 养老 tickets window 2 sends on to window 3
        desk.issue("pension")
        desk.call(2)
        desk.do(desk.hall.transfer, 2, to_window=3)
    desk.issue("property", priority_reason="elderly")
    desk.clock.advance(minutes=29)
    # Under the limit the usual order holds: transfers first.
    assert desk.call(3) != old.number
    desk.finish(3)
    desk.clock.advance(minutes=1)  # A001 has now waited 60 minutes
    assert line(desk, 3)[0] == old.number
    assert desk.call(3) == old.number
    called = desk.events[-1]
    assert isinstance(called, TicketCalled) and called.reason == queue.AGE_LIMIT
    assert desk.state.tickets[old.id].call_reason == "age_limit"
    # The next call is the usual order again, and says so.
    desk.finish(3)
    desk.call(3)
    assert desk.events[-1].reason is None


def test_the_age_limit_only_counts_at_windows_that_serve_the_ticket_and_can_be_off():
    desk = Desk(age_limit_minutes=60)
    desk.issue("property")
    desk.clock.advance(minutes=90)
    pension = desk.issue("pension", priority_reason="elderly")
    desk.open(2)
    assert desk.call(2) == pension.number  # window 2 does not serve 不动产
    off = Desk(age_limit_minutes=0)
    old = off.issue("licence")
    off.clock.advance(minutes=300)
    off.issue("licence", priority_reason="elderly")
    off.open(1)
    assert off.call(1) != old.number  # off: priority first, as before


def test_the_window_line_shown_to_the_clerk_is_the_order_the_calls_then_take():
    """With overdue tickets, 过号 in grace, priority and a transfer all waiting at once."""
    desk = Desk(age_limit_minutes=60, no_show_grace_minutes=5)
    desk.open(1, 2)
    old = [desk.issue("licence"), desk.issue("property")]
    desk.clock.advance(minutes=61)
    desk.issue("licence", priority_reason="elderly")
    desk.issue("licence")
    desk.issue("pension")
    desk.call(2)
    desk.do(desk.hall.transfer, 2, to_window=1)
    assert desk.call(1) == old[0].number  # overdue first
    desk.do(desk.hall.no_show, 1)  # ...and now in grace: out of the line for 5 minutes
    shown = line(desk, 1)
    assert old[0].number not in shown and shown[0] == old[1].number
    called = []
    while (number := desk.call_and_finish(1)) is not None:
        called.append(number)
    assert called == shown
