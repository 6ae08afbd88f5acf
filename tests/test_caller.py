"""The clerk's caller panel against a real hub: login, the F-keys, and a hub that goes away."""
from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget

from caller.app import create_caller
from display.app import create_display
from hardware.voice import RecorderBackend, Speaker, call_sentence
from hub.client import HubError
from tests.conftest import make_client, until


# Panels are closed after each test but never destroyed: destroying Qt widgets between
# tests while qasync loops come and go on one QApplication crashed the interpreter.
KEEP: list = []


async def settle(h) -> None:
    """Let a press start (it runs as a task), then wait for the hub's answer."""
    await asyncio.sleep(0.01)
    await until(lambda: not h.c.pending)


@pytest.fixture
def hall(hub, qloop, qtbot, clock):
    """A kiosk, a caller panel for window 1 and a wall display with a recording speaker."""
    made = []

    def client(role, window=None):
        c = make_client(hub, role, window)
        made.append(c)
        return c

    speaker = Speaker(RecorderBackend(seconds_per_char=0.001, chime_seconds=0.001))
    caller, c = create_caller(client("caller", 1), 1, clock=clock)
    c.retry_interval = 0.2
    display, d = create_display(client("display"), speaker=speaker, clock=clock)
    KEEP.extend((caller, display, qloop))
    caller.show()

    class Hall:
        pass

    h = Hall()
    h.caller, h.c, h.display, h.d, h.speaker, h.kiosk = caller, c, display, d, speaker, client("kiosk")
    h.client = client
    h.hub = hub

    def run(body):
        """The whole test in one run of the loop: qasync runs Qt's queue once more after each
        run_until_complete with no running asyncio loop, which breaks a websocket opening then."""
        async def whole():
            await d.start()
            await c.start()
            await until(lambda: c.connected and d.connected)
            try:
                await body()
            finally:
                for cl in made:
                    await cl.aclose()
                await asyncio.sleep(0.05)


        qloop.run(whole(), timeout=60)

    h.run = run
    yield h
    caller.close()
    display.close()
    speaker.close(drain=False)


async def login(h, qtbot, qloop, clerk="c001", pin="1111"):
    qtbot.keyClicks(h.caller.clerk_edit, clerk)
    qtbot.keyClicks(h.caller.pin_edit, pin)
    qtbot.mouseClick(h.caller.login_button, Qt.LeftButton)
    await settle(h)
    await until(lambda: h.c.logged_in and h.c.clerk_name and not h.c.pending)


async def key(h, qtbot, qloop, k):
    qtbot.keyClick(h.caller, k)
    await settle(h)


async def issue(h, qloop, service="business-license", n=1, **kw):
    return [(await h.kiosk.issue_ticket(service, **kw))["ticket"] for _ in range(n)]


def test_login_call_next_is_shown_and_spoken(hall, qtbot, qloop):
    """Bad input tried: empty clerk ID/PIN and a wrong PIN; both keep the login page with a message."""
    async def body():
        h = hall
        await issue(h, qloop)
        assert h.caller.pages.currentWidget() is h.caller.login_page
        qtbot.mouseClick(h.caller.login_button, Qt.LeftButton)
        await settle(h)
        assert h.caller.message.text() == "请输入工号和密码"
        qtbot.keyClicks(h.caller.clerk_edit, "c001")
        qtbot.keyClicks(h.caller.pin_edit, "9999")
        qtbot.mouseClick(h.caller.login_button, Qt.LeftButton)
        await settle(h)
        assert h.caller.message.text() == "工号或密码不正确", h.caller.message.text()
        assert not h.c.logged_in and h.caller.pages.currentWidget() is h.caller.login_page
        h.caller.clerk_edit.clear()
        h.caller.pin_edit.clear()

        await login(h, qtbot, qloop)
        assert h.caller.pages.currentWidget() is h.caller.main_page
        assert "张敏" in h.caller.header.text()
        await until(lambda: "本窗口等候 1 人" == h.caller.waiting.text())
        await key(h, qtbot, qloop, Qt.Key_F1)
        assert h.caller.number.text() == "A001"
        assert h.caller.service.text() == "营业执照办理"
        await until(lambda: h.d.latest is not None)
        assert h.display.big.text() == "A001 → 1号窗口"
        assert h.speaker.wait_idle(5)
        speech = call_sentence("A001", "1").speech
        assert speech == "请 诶零零一 号到一号窗口"
        assert [u.text for u in h.speaker.backend.utterances] == ["[chime]", speech, speech]

    hall.run(body)


def test_recall_flashes_and_speaks_again_and_served_count(hall, qtbot, qloop, clock):
    async def body():
        h = hall
        await issue(h, qloop, priority_reason="disabled", holder={"name_masked": "王*", "id_number": "110105196107061234"})
        await login(h, qtbot, qloop)
        clock.advance(minutes=7)
        await key(h, qtbot, qloop, Qt.Key_F1)
        assert h.caller.marks["priority"].isVisibleTo(h.caller) and h.caller.marks["priority"].text() == "绿色通道"
        assert "已等 7 分钟" in h.caller.detail.text()
        assert h.caller.holder.text() == "王* 110***********1234"
        await until(lambda: h.d.flashes == 1)
        assert h.speaker.wait_idle(5)
        h.display.flasher.stop()  # let the first flash end, as it would after a few seconds
        assert not h.display.flashing
        await key(h, qtbot, qloop, Qt.Key_F2)
        await until(lambda: h.d.flashes == 2)
        assert h.display.flashing and h.display.big.text() == "A001 → 1号窗口"
        assert h.speaker.wait_idle(5)
        speech = call_sentence("A001", "1").speech
        assert [u.text for u in h.speaker.backend.utterances].count(speech) == 4
        ticket = (await h.kiosk.ticket(h.c.current["id"]))
        assert ticket["recall_count"] == 1
        assert "已重呼 1 次" in h.caller.detail.text()
        await key(h, qtbot, qloop, Qt.Key_F7)
        assert "办理中" in h.caller.detail.text()
        await key(h, qtbot, qloop, Qt.Key_F5)
        assert (await h.kiosk.ticket(ticket["id"]))["state"] == "done"
        await until(lambda: h.caller.served.text() == "今日已办 1 件")
        assert h.caller.number.text() == "当前无号"

    hall.run(body)


def test_no_show_requeues_the_ticket(hall, qtbot, qloop, clock):
    async def body():
        h = hall
        first, _ = await issue(h, qloop, n=2)
        await login(h, qtbot, qloop)
        await key(h, qtbot, qloop, Qt.Key_F1)
        await key(h, qtbot, qloop, Qt.Key_F3)
        ticket = (await h.kiosk.ticket(first["id"]))
        assert ticket["state"] == "waiting" and ticket["no_show_count"] == 1
        assert h.caller.message.text() == "A001 已过号，重新排队"
        # In its grace (5 minutes in the test hall) A001 is not in the window's line; the clerk sees it apart.
        await until(lambda: h.caller.waiting.text() == "本窗口等候 1 人")
        assert h.caller.grace.isVisible() and h.caller.grace.text() == "过号待回：A001 09:35 后可叫"
        assert h.caller.buttons["call_next"].isEnabled()
        clock.advance(minutes=5)  # no event marks the grace's end: the panel's own tick shows it
        h.caller.render()
        assert not h.caller.grace.isVisible() and h.caller.waiting.text() == "本窗口等候 2 人"

    hall.run(body)


def test_a_logout_that_would_strand_people_asks_the_clerk_first(hall, qtbot, qloop):
    """Window 1 alone serves the general zone in the test hall: leaving would strand A001 and A002."""
    async def body():
        h = hall
        await issue(h, qloop, n=2)
        await login(h, qtbot, qloop)

        async def press_logout_and_answer(button: str) -> None:
            qtbot.mouseClick(h.caller.buttons["logout"], Qt.LeftButton)
            await settle(h)
            await until(lambda: getattr(h.caller, "strand_box", None) is not None and h.caller.strand_box.isVisible())
            box = h.caller.strand_box
            assert "2 位群众（A001、A002）将没有窗口叫号" in box.text()
            qtbot.mouseClick(box.findChild(QPushButton, button), Qt.LeftButton)
            await settle(h)

        await press_logout_and_answer("strand_stay")
        assert h.c.logged_in and h.caller.pages.currentWidget() is h.caller.main_page
        await press_logout_and_answer("strand_go")
        await until(lambda: not h.c.logged_in)
        assert h.caller.pages.currentWidget() is h.caller.login_page

    hall.run(body)


def test_transfer_to_a_service_and_to_a_window(hall, qtbot, qloop):
    async def body():
        h = hall
        a, b = await issue(h, qloop, n=2)
        await login(h, qtbot, qloop)
        await key(h, qtbot, qloop, Qt.Key_F1)
        qtbot.keyClick(h.caller, Qt.Key_F4)
        assert h.caller.pages.currentWidget() is h.caller.transfer_page
        assert h.caller.transfer_title.text() == "转移 A001"
        h.caller.service_filter.setText("养老")  # QTest cannot type Chinese; an IME would set the text
        visible = [h.caller.service_list.item(i) for i in range(h.caller.service_list.count())
                   if not h.caller.service_list.item(i).isHidden()]
        assert [i.text() for i in visible] == ["养老保险"]
        h.caller.service_list.setCurrentItem(visible[0])
        qtbot.mouseClick(h.caller.transfer_ok, Qt.LeftButton)
        await until(lambda: not h.c.pending and h.c.current is None)
        moved = (await h.kiosk.ticket(a["id"]))
        assert (moved["service_id"], moved["state"], moved["number"]) == ("pension", "waiting", "A001")
        assert h.caller.pages.currentWidget() is h.caller.main_page

        await key(h, qtbot, qloop, Qt.Key_F1)  # the transferred ticket goes first in its new line
        assert h.caller.number.text() == "A001" and h.caller.service.text() == "养老保险"
        qtbot.keyClick(h.caller, Qt.Key_F4)
        h.caller.transfer_tabs.setCurrentIndex(1)
        labels = [h.caller.window_list.item(i).text() for i in range(h.caller.window_list.count())]
        assert "1号窗口 综合窗口1" not in labels and "3号窗口 不动产窗口" in labels
        h.caller.window_list.setCurrentRow(labels.index("3号窗口 不动产窗口"))
        qtbot.mouseClick(h.caller.transfer_ok, Qt.LeftButton)
        await until(lambda: not h.c.pending and h.c.current is None)
        assert (await h.kiosk.ticket(a["id"]))["target_window"] == 3
        await until(lambda: h.caller.waiting.text() == "本窗口等候 1 人")  # B is not ours any more

    hall.run(body)


def test_pause_with_a_reason_then_resume(hall, qtbot, qloop):
    async def body():
        h = hall
        await issue(h, qloop)
        await login(h, qtbot, qloop)
        qtbot.keyClick(h.caller, Qt.Key_F6)
        assert h.caller.pages.currentWidget() is h.caller.pause_page
        reasons = [h.caller.reasons.item(i).text() for i in range(h.caller.reasons.count())]
        assert reasons == ["午休", "临时离开", "业务咨询", "系统故障", "其他"]
        h.caller.reasons.setCurrentRow(0)
        qtbot.mouseClick(h.caller.pause_ok, Qt.LeftButton)
        # Window 1 alone serves A001's line: the clerk is asked first, and goes on break anyway.
        await until(lambda: getattr(h.caller, "strand_box", None) is not None and h.caller.strand_box.isVisible())
        assert "1 位群众（A001）" in h.caller.strand_box.text() and not h.c.paused
        qtbot.mouseClick(h.caller.strand_box.findChild(QPushButton, "strand_go"), Qt.LeftButton)
        await until(lambda: h.c.paused and not h.c.pending)
        assert not h.caller.buttons["call_next"].isEnabled()
        assert h.caller.chip.text() == "暂停中" and h.caller.number.text() == "暂停：午休"
        await key(h, qtbot, qloop, Qt.Key_F1)  # ignored while paused: nothing is called
        snap = (await h.kiosk.snapshot())
        window = next(w for w in snap["windows"] if w["id"] == 1)
        assert (window["state"], window["pause_reason"], window["current"]) == ("paused", "午休", None)
        assert snap["tickets"][0]["state"] == "waiting"
        await key(h, qtbot, qloop, Qt.Key_F6)
        assert not h.c.paused and h.caller.buttons["call_next"].isEnabled()
        snap = (await h.kiosk.snapshot())
        assert next(w for w in snap["windows"] if w["id"] == 1)["state"] == "open"
        qtbot.keyClick(h.caller, Qt.Key_F6)  # the keyboard alone: F6, ↓ to the second reason, Enter
        qtbot.keyClick(h.caller.reasons, Qt.Key_Down)
        qtbot.keyClick(h.caller.reasons, Qt.Key_Return)
        await until(lambda: getattr(h.caller, "strand_box", None) is not None and h.caller.strand_box.isVisible())  # A001 again
        qtbot.mouseClick(h.caller.strand_box.findChild(QPushButton, "strand_go"), Qt.LeftButton)
        await until(lambda: h.c.paused and not h.c.pending)
        assert h.caller.number.text() == "暂停：临时离开"

    hall.run(body)


def test_buttons_follow_the_state(hall, qtbot, qloop):
    """Bad input tried: F5 (finish) and F2 (recall) with no current ticket; nothing reaches the hub."""
    async def body():
        h = hall
        b = h.caller.buttons
        await issue(h, qloop)
        assert h.caller.pages.currentWidget() is h.caller.login_page
        await login(h, qtbot, qloop)
        assert b["call_next"].isEnabled() and b["pause_or_resume"].isEnabled() and b["logout"].isEnabled()
        assert not any(b[x].isEnabled() for x in ("recall", "no_show", "serve", "finish", "transfer"))
        seq = (await h.kiosk.snapshot())["seq"]
        await key(h, qtbot, qloop, Qt.Key_F5)
        await key(h, qtbot, qloop, Qt.Key_F2)
        assert (await h.kiosk.snapshot())["seq"] == seq
        await key(h, qtbot, qloop, Qt.Key_F1)
        assert not b["call_next"].isEnabled() and not b["pause_or_resume"].isEnabled() and not b["logout"].isEnabled()
        assert all(b[x].isEnabled() for x in ("recall", "no_show", "serve", "finish", "transfer"))
        await key(h, qtbot, qloop, Qt.Key_F7)
        assert b["finish"].isEnabled() and b["transfer"].isEnabled()
        assert not any(b[x].isEnabled() for x in ("recall", "no_show", "serve", "call_next"))
        await key(h, qtbot, qloop, Qt.Key_F1)
        assert (await h.kiosk.snapshot())["tickets"][0]["state"] == "serving"

    hall.run(body)


def test_call_next_during_an_outage_calls_exactly_one_ticket(hall, hub, qtbot, qloop):
    async def body():
        h = hall
        await issue(h, qloop, n=3)
        await login(h, qtbot, qloop)
        hub.stop()
        await until(lambda: not h.c.connected and h.caller.banner.isVisibleTo(h.caller))
        assert h.caller.banner.text().startswith("与服务器的连接已断开")
        assert h.caller.chip.text() == "已断开"  # not 受理中 while cut off from the hub
        qtbot.keyClick(h.caller, Qt.Key_F1)
        await until(lambda: h.c.retrying)
        assert "正在重试" in h.caller.banner.text() and h.caller.chip.text() == "重连中"
        qtbot.keyClick(h.caller, Qt.Key_F1)  # an impatient second press while the first is pending
        hub.start()
        await until(lambda: h.c.current is not None and not h.c.pending, 15)
        await until(lambda: h.c.connected and not h.caller.banner.isVisibleTo(h.caller), 15)
        assert h.caller.number.text() == "A001" and h.caller.chip.text() == "受理中"
        snap = (await h.kiosk.snapshot())
        assert sorted((t["number"], t["state"]) for t in snap["tickets"]) == [
            ("A001", "called"), ("A002", "waiting"), ("A003", "waiting")]
        # the display caught up with the hub after its own reconnect
        await until(lambda: h.d.connected and h.display.big.text() == "A001 → 1号窗口", 15)
        assert h.caller.waiting.text() == "本窗口等候 2 人"


    hall.run(body)

def test_a_service_added_in_the_console_becomes_a_transfer_target_without_restart(hall, qtbot, qloop, hub):
    h = hall

    async def body():
        assert not any(s["id"] == "marriage" for s in h.c.hall["services"])
        console = make_client(hub, "console")
        try:
            response = await console._client().put(
                "/console/config/services/marriage",
                json={"id": "marriage", "zone": "general", "name": "婚姻登记", "name_en": "Marriage registration"})
            assert response.status_code == 200, response.text
        finally:
            await console.aclose()
        await until(lambda: any(s["id"] == "marriage" for s in h.c.hall["services"]))

    h.run(body)


class AnswerAfterItsEvents(httpx.AsyncBaseTransport):
    """A network that hands a command's answer over only once the command's own events have
    come in on the event stream: the order a busy LAN sometimes delivers them in."""

    def __init__(self, mirror):
        # a transport of its own must verify the hub as the client does: against the pinned hall CA
        self.inner, self.mirror = httpx.AsyncHTTPTransport(verify=mirror.client.trust.context()), mirror

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "POST":
            await response.aread()
            seq = json.loads(response.content).get("seq")
            if seq is not None:
                await until(lambda: self.mirror.seq is not None and self.mirror.seq >= seq)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_a_change_made_elsewhere_right_after_the_callers_own_command_is_shown(hall, qtbot, qloop):
    """The call's event reaches the panel before the hub's answer does; then the window's other
    device (its evaluation screen holds a caller token too) finishes the ticket and logs the
    clerk out. Counting echoes skipped that finish; the panel must show it."""
    h = hall
    h.c.client.transport = AnswerAfterItsEvents(h.c.mirror)

    async def body():
        await issue(h, qloop, n=2)
        await login(h, qtbot, qloop)
        await key(h, qtbot, qloop, Qt.Key_F1)
        assert h.caller.number.text() == "A001"
        other = h.client("caller", 1)
        finished = await other.finish(1)
        await until(lambda: h.c.mirror.seq >= finished["seq"])
        assert h.c.current is None and h.caller.number.text() == "当前无号"
        await until(lambda: h.caller.served.text() == "今日已办 1 件")  # the window's line and day, asked anew
        assert h.caller.buttons["call_next"].isEnabled() and not h.caller.buttons["finish"].isEnabled()
        await until(lambda: h.caller.waiting.text() == "本窗口等候 1 人")
        await key(h, qtbot, qloop, Qt.Key_F1)  # the panel's own commands still take effect at once
        assert h.caller.number.text() == "A002"
        await other.finish(1)
        left = await other.logout(1)
        await until(lambda: h.c.mirror.seq >= left["seq"])
        assert not h.c.logged_in and h.caller.pages.currentWidget() is h.caller.login_page

    h.run(body)


async def test_a_windows_line_is_the_order_it_calls_in(hub, clients):
    """Bad input tried: the line of a window the hall does not have (refused, 404)."""
    kiosk, one, three, display = clients("kiosk"), clients("caller", 1), clients("caller", 3), clients("display")
    for service, reason in [("business-license", None), ("business-license", "disabled"), ("pension", None),
                            ("property", None), ("business-license", "disabled"), ("ss-card", None),
                            ("business-license", None)]:
        await kiosk.issue_ticket(service, priority_reason=reason)
    await three.login(3, "c003", "3333")
    moved = (await three.call_next(3))["ticket"]
    assert moved["number"] == "A003"
    await three.transfer(3, to_window=1)  # sent to window 1: first in its line
    await one.login(1, "c001", "1111")
    line = await display.window_queue(1)
    assert line["window_id"] == 1 and line["seq"] == (await display.health())["seq"]
    numbers = [t["number"] for t in line["tickets"]]
    assert numbers[0] == "A003" and sorted(numbers) == ["A001", "A002", "A003", "A004", "A005", "B001", "B002"]
    assert all("token" not in t and "id_hash" not in t for t in line["tickets"])
    called = []
    for _ in numbers:
        called.append((await one.call_next(1))["ticket"]["number"])
        await one.finish(1)
    assert called == numbers, (called, numbers)
    assert (await display.window_queue(1))["tickets"] == []
    with pytest.raises(HubError) as refused:
        await display.window_queue(9)
    assert (refused.value.status, refused.value.code) == (404, "WINDOW_NOT_FOUND")


async def test_a_chosen_number_is_called_with_its_reason_kept_and_others_refused(hub, clients, clock):
    """Bad input tried: a ticket of a service window 2 does not handle, one sent to another window,
    one already called, an unknown ticket and a reason not in the list; each refused, nothing changed."""
    kiosk, one, two, three = clients("kiosk"), clients("caller", 1), clients("caller", 2), clients("caller", 3)
    a1, a2 = [(await kiosk.issue_ticket("business-license"))["ticket"] for _ in range(2)]
    b1, b2, b3 = [(await kiosk.issue_ticket("pension"))["ticket"] for _ in range(3)]
    p1 = (await kiosk.issue_ticket("property"))["ticket"]
    await two.login(2, "c002", "2222")
    await three.login(3, "c003", "3333")
    await three.call_ticket(3, p1["id"], "returned")
    await three.transfer(3, to_window=1)  # P1 now waits for window 1 only
    before = await two.window_queue(2)
    for ticket, code in [(a1, "TICKET_NOT_WAITING_HERE"), (p1, "TICKET_NOT_WAITING_HERE")]:
        with pytest.raises(HubError) as refused:
            await two.call_ticket(2, ticket["id"], "returned")
        assert (refused.value.status, refused.value.code) == (409, code)
        assert refused.value.message == f"{ticket['number']} 号不在 2 号窗口的等候队列中，不能叫这个号"
    with pytest.raises(HubError) as refused:
        await two.call_ticket(2, b2["id"], "because")
    assert (refused.value.status, refused.value.code) == (422, "BAD_CALL_REASON")
    with pytest.raises(HubError) as refused:
        await two.call_ticket(2, 9999, "returned")
    assert refused.value.code == "TICKET_NOT_FOUND"
    assert await two.window_queue(2) == before

    called = await two.call_ticket(2, b3["id"], "companion")  # out of turn: B1 and B2 were ahead
    assert called["ticket"]["number"] == b3["number"] and called["ticket"]["state"] == "called"
    event = next(e for e in hub.server.service.store.events_since(before["seq"]) if e["type"] == "ticket.called")
    assert event["data"]["reason"] == "companion" and event["data"]["ticket_id"] == b3["id"]
    with pytest.raises(HubError) as refused:  # the window still serves B3
        await two.call_ticket(2, b1["id"], "returned")
    assert refused.value.code == "WINDOW_BUSY"
    clock.advance(minutes=6)
    await two.finish(2)
    with pytest.raises(HubError) as refused:  # already served: no longer waiting
        await two.call_ticket(2, b3["id"], "returned")
    assert refused.value.code == "TICKET_NOT_WAITING_HERE"
    line = await two.window_queue(2)
    assert [t["number"] for t in line["tickets"]] == [b1["number"], b2["number"]]
    assert line["today"] == {"served": 1, "average_service_seconds": 360}
    assert (await one.window_queue(1))["tickets"][0]["number"] == p1["number"]
    assert a2["number"] in [t["number"] for t in (await one.window_queue(1))["tickets"]]


def line_numbers(h) -> list[str]:
    return [h.caller.line_table.item(r, 0).text() for r in range(h.caller.line_table.rowCount())]


def line_row(h, number: str) -> list[str]:
    table = h.caller.line_table
    row = line_numbers(h).index(number)
    return [table.item(row, col).text() for col in range(table.columnCount())]


def test_the_waiting_list_follows_the_hall_and_a_chosen_number_is_called_from_the_keyboard(hall, qtbot, qloop, clock):
    """Bad input tried: F9 with nothing chosen (a message, nothing called)."""
    h = hall

    async def body():
        await login(h, qtbot, qloop)
        assert line_numbers(h) == [] and h.caller.longest.text() == "最长已等 —"
        await issue(h, qloop, n=2)
        clock.advance(minutes=5)
        await issue(h, qloop, service="pension", priority_reason="pregnant")
        await until(lambda: len(line_numbers(h)) == 3)
        # the window's calling order: the green channel interleaves ahead of the second A ticket
        assert line_numbers(h) == [t["number"] for t in (await h.kiosk.window_queue(1))["tickets"]]
        assert line_row(h, "B001") == ["B001", "养老保险", "0 分", "绿色通道"]
        assert line_row(h, "A001")[:3] == ["A001", "营业执照办理", "5 分"]
        assert h.caller.longest.text() == "最长已等 5 分钟" and h.caller.waiting.text() == "本窗口等候 3 人"

        qtbot.keyClick(h.caller, Qt.Key_F9)
        assert h.caller.message.text() == "请先用 ↑↓ 在等候队列中选择一个号"
        assert h.caller.pages.currentWidget() is h.caller.main_page and h.c.current is None

        last = line_numbers(h)[-1]
        for _ in range(3):
            qtbot.keyClick(h.caller, Qt.Key_Down)  # past the end stays on the last row
        assert h.caller.selected_id == h.c.line[-1]["id"]
        qtbot.keyClick(h.caller, Qt.Key_Return)  # Enter on a chosen row is F9
        assert h.caller.pages.currentWidget() is h.caller.call_page
        assert h.caller.call_title.text() == f"叫 {last}：请选择原因"
        assert [h.caller.call_reasons.item(i).text() for i in range(h.caller.call_reasons.count())][:2] == [
            "补齐材料后回来", "与上一位同行一并办理"]
        qtbot.keyClick(h.caller.call_reasons, Qt.Key_Down)
        qtbot.keyClick(h.caller.call_reasons, Qt.Key_Return)
        await settle(h)
        assert h.caller.number.text() == last and h.caller.pages.currentWidget() is h.caller.main_page
        seq = h.c.mirror.seq
        event = [e for e in h.hub_events(seq - 1) if e["type"] == "ticket.called"][-1]
        assert event["data"]["reason"] == "companion"
        await until(lambda: last not in line_numbers(h) and len(line_numbers(h)) == 2)
        assert h.caller.selected_id is None

        # someone else's call takes a ticket out of this list at once
        two = h.client("caller", 2)
        await two.login(2, "c002", "2222")
        await issue(h, qloop, service="pension")
        await until(lambda: "B002" in line_numbers(h))
        taken = (await two.call_next(2))["ticket"]["number"]
        await until(lambda: taken not in line_numbers(h))
        assert "B002" in line_numbers(h) or taken == "B002"

        now = clock.now()  # an appointment checked in now is marked as one
        await h.kiosk.book("property", now.isoformat(), (now + timedelta(minutes=30)).isoformat(), phone="13800000000")
        booked = (await h.kiosk.check_in(phone="13800000000"))["ticket"]
        await until(lambda: booked["number"] in line_numbers(h))
        assert line_row(h, booked["number"])[1:] == ["不动产登记", "0 分", "预约"]

    h.hub_events = lambda since: list(h.hub.server.service.store.events_since(since))
    h.run(body)


def test_a_chosen_number_called_elsewhere_meanwhile_is_refused_with_a_clear_message(hall, qtbot, qloop):
    """The clerk picks B002 and opens the reason list; window 2 calls B002 before the clerk confirms."""
    h = hall

    async def body():
        await login(h, qtbot, qloop)
        b1, b2 = await issue(h, qloop, service="pension", n=2)
        await until(lambda: line_numbers(h) == ["B001", "B002"])
        qtbot.keyClick(h.caller, Qt.Key_Down)
        qtbot.keyClick(h.caller, Qt.Key_Down)
        qtbot.keyClick(h.caller, Qt.Key_F9)
        assert h.caller.call_title.text() == "叫 B002：请选择原因"
        two = h.client("caller", 2)
        await two.login(2, "c002", "2222")
        await two.call_ticket(2, b2["id"], "urgent")
        await until(lambda: line_numbers(h) == ["B001"])
        qtbot.keyClick(h.caller.call_reasons, Qt.Key_Return)
        await settle(h)
        assert h.caller.message.text() == "B002 号不在 1 号窗口的等候队列中，不能叫这个号"
        assert h.c.current is None and (await h.kiosk.ticket(b2["id"]))["window_id"] == 2
        assert h.caller.buttons["call_next"].isEnabled()

    h.run(body)


def test_one_key_finishes_and_calls_the_next_and_the_days_figures_follow(hall, qtbot, qloop, clock):
    h = hall

    async def body():
        a1, a2 = await issue(h, qloop, n=2)
        await login(h, qtbot, qloop)
        assert not h.caller.buttons["finish_and_next"].isEnabled()
        assert h.caller.average.text() == "平均办理 —"
        await key(h, qtbot, qloop, Qt.Key_F1)
        clock.advance(minutes=4)
        await key(h, qtbot, qloop, Qt.Key_F8)
        await settle(h)
        assert h.caller.number.text() == "A002"
        assert (await h.kiosk.ticket(a1["id"]))["state"] == "done"
        await until(lambda: h.caller.served.text() == "今日已办 1 件")
        assert h.caller.average.text() == "平均办理 4 分钟"
        clock.advance(minutes=8)
        await key(h, qtbot, qloop, Qt.Key_F8)  # nobody left: finished, and the panel says so
        await settle(h)
        assert (await h.kiosk.ticket(a2["id"]))["state"] == "done"
        assert h.caller.message.text() == "暂无等候的群众" and h.caller.number.text() == "当前无号"
        await until(lambda: h.caller.average.text() == "平均办理 6 分钟")

    h.run(body)


def test_the_panel_is_readable_and_remembers_where_the_clerk_put_it(hub, qloop, qapp, clock, tmp_path, monkeypatch):
    monkeypatch.setenv("HALLQ_HOME", str(tmp_path / "settings"))
    client = make_client(hub, "caller", 1)
    panel, _ = create_caller(client, 1, clock=clock, settings_role="caller")
    KEEP.append(panel)
    panel.show()
    shown = [w for w in panel.findChildren(QWidget) if isinstance(w, (QLabel, QPushButton, QLineEdit))
             and w.isVisibleTo(panel)]
    assert len(shown) > 5 and [w for w in shown if QFontInfo(w.font()).pixelSize() < 18] == []
    panel.resize(720, 580)  # within the offscreen screen (800x600), which a restored geometry is kept inside
    panel.move(40, 30)
    placed = panel.geometry()
    panel.close()
    saved = json.loads((tmp_path / "settings" / "caller.json").read_text())
    assert "caller_geometry" in saved["preferences"]
    other = make_client(hub, "caller", 1)
    again, _ = create_caller(other, 1, clock=clock, settings_role="caller")
    KEEP.append(again)
    assert again.geometry() == placed and (again.width(), again.height()) == (720, 580)
    again.close()

    async def close():
        for c in (client, other):
            await c.aclose()
    qloop.run(close())


def test_transfer_from_the_keyboard_with_a_search(hall, qtbot, qloop):
    """Bad input tried: Enter on a search that matches nothing (nothing is sent; the page stays)."""
    h = hall

    async def body():
        a, b = await issue(h, qloop, n=2)
        await login(h, qtbot, qloop)
        await key(h, qtbot, qloop, Qt.Key_F1)
        qtbot.keyClick(h.caller, Qt.Key_F4)
        h.caller.service_filter.setText("没有这种事项")  # an IME sets the text; QTest cannot type Chinese
        qtbot.keyClick(h.caller.service_filter, Qt.Key_Return)
        assert h.caller.pages.currentWidget() is h.caller.transfer_page and h.c.pending is None
        h.caller.service_filter.setText("社保")
        qtbot.keyClick(h.caller.service_filter, Qt.Key_Return)  # the first (only) match
        await settle(h)
        moved = await h.kiosk.ticket(a["id"])
        assert (moved["service_id"], moved["state"]) == ("ss-card", "waiting")
        await until(lambda: line_numbers(h)[:1] == [a["number"]])  # first in the line, marked as sent here
        assert line_row(h, a["number"])[1:2] + line_row(h, a["number"])[3:] == ["社保卡申领", "转入"]

        await key(h, qtbot, qloop, Qt.Key_F1)  # the transferred ticket first
        assert h.caller.number.text() == a["number"]
        qtbot.keyClick(h.caller, Qt.Key_F4)
        qtbot.keyClick(h.caller.service_filter, Qt.Key_F4)  # F4 again: to a window
        assert h.caller.transfer_tabs.currentIndex() == 1 and h.caller.window_filter.hasFocus()
        qtbot.keyClicks(h.caller.window_filter, "3")
        qtbot.keyClick(h.caller.window_filter, Qt.Key_Down)
        assert h.caller.window_list.currentItem().text().startswith("3号窗口")
        qtbot.keyClick(h.caller.window_filter, Qt.Key_Return)
        await settle(h)
        moved = await h.kiosk.ticket(a["id"])
        assert (moved["target_window"], moved["state"]) == (3, "waiting")
        assert h.caller.pages.currentWidget() is h.caller.main_page

    h.run(body)
