"""The clerk's caller panel against a real hub: login, the F-keys, and a hub that goes away."""
from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

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
        h.display._flash_left = 0  # let the first flash end, as it would after a few seconds
        h.display._flash_step()
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
        qtbot.keyClick(h.caller, Qt.Key_F1)
        await until(lambda: h.c.retrying)
        assert "正在重试" in h.caller.banner.text()
        qtbot.keyClick(h.caller, Qt.Key_F1)  # an impatient second press while the first is pending
        hub.start()
        await until(lambda: h.c.current is not None and not h.c.pending, 15)
        await until(lambda: h.c.connected and not h.caller.banner.isVisibleTo(h.caller), 15)
        assert h.caller.number.text() == "A001"
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
        assert h.caller.served.text() == "今日已办 1 件"
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
