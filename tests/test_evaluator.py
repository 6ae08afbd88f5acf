"""The window's 好差评 screen (Qt offscreen) against a real hub: finish -> rate -> the hub has it."""
from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt

from caller.evaluator import create_evaluator
from caller.evaluator_controller import IDLE, RATING, REASONS, THANKS
from hub.client import HubError
from tests.conftest import make_client, until

# Screens are closed after each test but never destroyed (see test_caller.py: destroying widgets
# while qasync loops come and go on one QApplication crashed the interpreter).
KEEP: list = []


@pytest.fixture
def hall(hub, qloop, qtbot):
    """A kiosk, a clerk's caller at window 1 and the evaluator facing window 1's citizens."""
    made = []

    def client(role, window=None):
        c = make_client(hub, role, window)
        made.append(c)
        return c

    screen, ev = create_evaluator(client("caller", 1), 1, rate_seconds=30, reasons_seconds=30, thanks_seconds=0.3)
    ev.retry_interval = 0.2
    KEEP.append(screen)
    screen.show()

    class Hall:
        pass

    h = Hall()
    h.screen, h.ev, h.kiosk, h.clerk, h.client = screen, ev, client("kiosk"), client("caller", 1), client

    def run(body):
        async def whole():
            await ev.start()
            await until(lambda: ev.connected and ev.options)
            await h.clerk.login(1, "c001", "1111")
            try:
                await body()
            finally:
                for cl in made:
                    await cl.aclose()
                await asyncio.sleep(0.05)

        qloop.run(whole(), timeout=40)

    h.run = run
    yield h
    screen.close()


async def serve_one(h, window=1, clerk=None, service="business-license") -> dict:
    ticket = (await h.kiosk.issue_ticket(service))["ticket"]
    c = clerk or h.clerk
    await c.call_next(window)
    await c.finish(window)
    return ticket


def test_finishing_a_ticket_asks_for_a_rating_and_the_hub_records_it(hall, qtbot):
    h = hall

    async def body():
        s = h.screen
        assert s.stack.currentWidget() is s.pages[IDLE]
        await until(lambda: h.ev.clerk_name == "张敏")
        assert s.clerk.text() == "工作人员：张敏"
        ticket = await serve_one(h)
        await until(lambda: s.stack.currentWidget() is s.pages[RATING])
        assert s.rate_title.text() == "请对本次服务进行评价"
        assert s.rate_ticket.text() == "A001 · 营业执照办理"
        qtbot.mouseClick(s.score_buttons[5], Qt.LeftButton)
        assert s.stack.currentWidget() is s.pages[REASONS]
        assert sorted(s._chip_buttons) == ["efficient", "professional", "short_wait", "told_once", "warm"]
        qtbot.mouseClick(s._chip_buttons["efficient"], Qt.LeftButton)
        assert s._chip_buttons["efficient"].isChecked()
        qtbot.mouseClick(s.submit_button, Qt.LeftButton)
        await until(lambda: s.stack.currentWidget() is s.pages[THANKS])
        assert s.thanks.text() == "感谢您的评价！" and s.thanks_detail.text() == "您的评价：非常满意 · 办事高效"
        stored = await h.kiosk.ticket(ticket["id"])
        assert stored["evaluation"]["score"] == 5 and stored["evaluation"]["reasons"] == ["efficient"]
        await until(lambda: s.stack.currentWidget() is s.pages[IDLE], timeout=3)

    h.run(body)


def test_other_windows_tickets_are_not_offered_nor_accepted(hall, qtbot):
    """Bad input: window 2 finishes a ticket (this screen must stay idle), and window 2's caller
    token tries to rate window 1's ticket through the API (refused: own window only)."""
    h = hall

    async def body():
        other = h.client("caller", 2)
        await other.login(2, "c002", "2222")
        await serve_one(h, window=2, clerk=other, service="pension")
        seq = (await h.kiosk.health())["seq"]
        await until(lambda: h.ev.mirror.seq is not None and h.ev.mirror.seq >= seq)  # it has seen the finish
        assert h.screen.stack.currentWidget() is h.screen.pages[IDLE] and h.ev.ticket is None
        mine = await serve_one(h)
        await until(lambda: h.ev.mode == RATING)
        with pytest.raises(HubError) as refused:
            await other.command(f"/tickets/{mine['id']}/evaluation", score=1)
        assert refused.value.code == "WRONG_WINDOW" and refused.value.status == 403
        with pytest.raises(HubError) as kiosk_refused:
            await h.kiosk.command(f"/tickets/{mine['id']}/evaluation", score=1)
        assert kiosk_refused.value.status == 403
        stored = await h.kiosk.ticket(mine["id"])
        assert stored["evaluation"] is None

    h.run(body)


def test_a_score_alone_is_sent_when_the_citizen_walks_away(hall, qtbot):
    h = hall
    h.ev.reasons_seconds = 1

    async def body():
        ticket = await serve_one(h)
        await until(lambda: h.ev.mode == RATING)
        qtbot.mouseClick(h.screen.score_buttons[2], Qt.LeftButton)
        assert "态度不好" in [b.text() for b in h.screen._chip_buttons.values()]
        await until(lambda: h.ev.mode == THANKS, timeout=4)
        stored = await h.kiosk.ticket(ticket["id"])
        assert stored["evaluation"]["score"] == 2 and stored["evaluation"]["reasons"] == []

    h.run(body)


def test_rated_on_the_phone_meanwhile_the_screen_thanks_and_does_not_rate_again(hall, qtbot, hub):
    """Bad input: the citizen rates on the phone while the window's screen still asks; a late tap there."""
    h = hall

    async def body():
        ticket = await serve_one(h)
        await until(lambda: h.ev.mode == RATING)
        qtbot.mouseClick(h.screen.score_buttons[4], Qt.LeftButton)
        import httpx

        async with httpx.AsyncClient(verify=hub.ssl) as web:
            r = await web.post(f"{hub.url}/api/v1/public/tickets/{ticket['token']}/evaluation",
                               json={"request_id": "phone-0001", "score": 5, "reasons": []})
        assert r.status_code == 200
        await until(lambda: h.ev.mode == THANKS)
        assert h.screen.thanks_detail.text() == "本次服务已评价，感谢您的反馈"
        h.screen.submit_button.click()  # a late tap on a screen that has moved on does nothing
        stored = await h.kiosk.ticket(ticket["id"])
        assert stored["evaluation"]["score"] == 5
        events = [e for e in hub.server.service.store.events_since(0) if e["type"] == "ticket.evaluated"]
        assert len(events) == 1

    h.run(body)
