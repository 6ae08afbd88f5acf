"""The kiosk as a citizen uses it: real hub, Qt offscreen, simulated printer and ID card reader.

Widgets are driven with clicks (qtbot) and every outcome is checked where a person would see
it: on the screen, on the printed paper (decoded ESC/POS), or in the hub's queue.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton

from conftest import at, make_client
from hardware.idcard import IdCardReader
from hardware.idcard.simulator import SimulatedReader
from hardware.printer import SimulatedPrinter, TicketPrinter, decode_escpos
from hardware.printer.decode import Cut, QRCode, TextLine
from kiosk.app import create_kiosk


async def until(predicate, timeout: float = 10.0, what: str = "") -> None:
    try:
        async with asyncio.timeout(timeout):
            while not predicate():
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what or predicate}") from None


@dataclass
class Kiosk:
    window: object
    c: object
    client: object
    printer: SimulatedPrinter
    qtbot: object

    @property
    def screen(self) -> str:
        return self.c.state.screen

    def button(self, name: str) -> QPushButton:
        found = [b for b in self.window.findChildren(QPushButton, name) if b.isVisible()]
        assert found, f"no visible button {name!r} on screen {self.screen}"
        return found[0]

    async def find(self, name: str, timeout: float = 5.0) -> QPushButton:
        """The button once it is on screen (new tiles are shown on the next turn of the loop)."""
        await until(lambda: any(b.isVisible() for b in self.window.findChildren(QPushButton, name)),
                    timeout, f"button {name} on screen {self.screen}")
        return self.button(name)

    async def click(self, name: str, times: int = 1) -> None:
        b = await self.find(name)
        assert b.isEnabled(), f"button {name} is disabled"
        for _ in range(times):
            self.qtbot.mouseClick(b, Qt.LeftButton)
        await asyncio.sleep(0)

    def type(self, text: str) -> None:
        """Typing as a Chinese input method does it: the composed text is committed in one go."""
        field = self.window.findChild(QLineEdit, "search")
        field.setFocus()
        event = QInputMethodEvent()
        event.setCommitString(text)
        QApplication.sendEvent(field, event)

    async def wait_screen(self, screen: str, timeout: float = 10.0) -> None:
        await until(lambda: self.screen == screen and self.window.page.isVisible(), timeout,
                    f"screen {screen} (now {self.screen})")

    def visible_text(self) -> str:
        page = self.window.page
        parts = [lab.text() for lab in page.findChildren(QLabel) if lab.isVisible()]
        parts += [lab.text() for lab in self.window.banner.findChildren(QLabel) if lab.isVisible()]
        return "\n".join(parts)

    async def snapshot(self) -> dict:
        return await self.client.snapshot()

    async def wait_hub(self, predicate, what: str, timeout: float = 10.0) -> None:
        """Waits until predicate(snapshot) holds, asking the hub as an outsider would."""
        try:
            async with asyncio.timeout(timeout):
                while not predicate(await self.client.snapshot()):
                    await asyncio.sleep(0.05)
        except TimeoutError:
            raise AssertionError(f"timed out waiting for {what}") from None


@pytest.fixture
def make_kiosk(hub, qloop, qtbot, clock):
    """Builds kiosks inside the running loop (call from a scenario run with qloop.run)."""
    made = []
    qapp = QApplication.instance()
    qapp.setQuitOnLastWindowClosed(False)  # closing a kiosk must not stop the shared loop

    async def make(*, printer: SimulatedPrinter | None = None, reader=None, idle: int = 120,
                   size=(1080, 1920)) -> Kiosk:
        client = make_client(hub, "kiosk")
        sim = printer if printer is not None else SimulatedPrinter()
        window, controller = create_kiosk(client, printer=TicketPrinter(sim), reader=reader, clock=clock,
                                          idle_seconds=idle, printer_check_seconds=0.2)
        window.resize(*size)
        window.show()
        made.append((window, controller, client))
        await until(lambda: controller.state.screen == "home" and controller.state.connected, what="kiosk ready")
        return Kiosk(window, controller, client, sim, qtbot)

    async def close_all():
        while made:
            window, controller, client = made.pop()
            window.close()
            await controller.aclose()
            await client.aclose()

    async def scenario_then_close(scenario):
        try:
            await scenario()
        finally:
            await close_all()  # in the same run: no kiosk request may outlive the running loop

    make.run = lambda scenario, timeout=60: qloop.run(scenario_then_close(scenario), timeout)
    yield make
    qloop.run(close_all())


@pytest.fixture
def sim_reader():
    sim = SimulatedReader()
    yield sim
    sim.close()


async def card_reader(hub, sim: SimulatedReader) -> IdCardReader:
    """The driver on the simulated reader, as the real kiosk has it."""
    return IdCardReader(sim.port, timeout=0.5)


async def take_to_service(k: Kiosk, zone: str, service: str) -> None:
    await k.click("home:take")
    await k.wait_screen("zones")
    await k.click(f"zone:{zone}")
    await k.wait_screen("services")
    await k.click(f"service:{service}")


def test_take_a_ticket_skipping_the_card_prints_number_qr_and_cut(make_kiosk, hub, qloop, sim_reader):
    async def scenario():
        k = await make_kiosk(reader=await card_reader(hub, sim_reader))
        await take_to_service(k, "social", "ss-card")
        await k.wait_screen("card")
        assert "请将身份证放在读卡区" in k.visible_text()
        await k.click("card:skip")
        await k.wait_screen("ticket")
        await until(lambda: k.c.state.print_result == "printed", what="printing")

        shown = k.window.page.number
        assert shown.text() == "B001"
        assert shown.font().pixelSize() >= 160
        text = k.visible_text()
        assert "社保卡申领" in text and "请取走打印的号票" in text

        ticket = k.c.state.ticket
        queued = [t for t in (await k.snapshot())["tickets"] if t["number"] == "B001"]
        assert len(queued) == 1 and queued[0]["priority"] is False
        elements = decode_escpos(k.printer.last_job)
        lines = [e for e in elements if isinstance(e, TextLine)]
        big = [line for line in lines if line.text.strip() == "B001"]
        assert big and big[0].width >= 4, "the number is printed large"
        assert any("测试政务服务中心" in line.text for line in lines)
        assert any("社保卡申领" in line.text for line in lines)
        # the first in line: the ticket says 前面没有人, as the screen does, not "0 人"
        assert any("前面没有人" in line.text for line in lines) and not any("0 人" in line.text for line in lines)
        assert "前面没有人" in text
        assert any("2026-11-23 09:30" in line.text for line in lines), "issue time comes from the injected clock"
        qr = [e for e in elements if isinstance(e, QRCode)]
        assert len(qr) == 1 and qr[0].payload == ticket["url"]
        assert isinstance(elements[-1], Cut)
        # the QR leads to this very ticket's page
        token = ticket["url"].rsplit("/t/", 1)[1]
        assert (await k.client.public_ticket(token))["number"] == "B001"

    make_kiosk.run(scenario)


def test_the_ticket_screen_and_the_printed_ticket_tell_the_hubs_wait_range(make_kiosk, hub, qloop):
    async def scenario():
        k = await make_kiosk()
        caller = make_client(hub, "caller", window=2)
        try:
            await caller.login(2, "c002", "2222")  # 人社窗口: 社保卡申领 takes 5 minutes
            for _ in range(3):
                await k.client.issue_ticket("ss-card")
            await take_to_service(k, "social", "ss-card")
            await k.wait_screen("ticket")
            await until(lambda: k.c.state.print_result == "printed", what="printing")
            ticket = k.c.state.ticket
            assert ticket["estimated_wait_minutes"] == 15
            low, high = ticket["estimated_wait_range"]
            said = f"预计等候约 {low}-{high} 分钟"
            assert low < 15 < high and said in k.visible_text()
            printed = [e.text for e in decode_escpos(k.printer.last_job) if isinstance(e, TextLine)]
            assert any(said in line for line in printed)
        finally:
            await caller.aclose()

    make_kiosk.run(scenario)


def test_double_tap_on_a_service_issues_exactly_one_ticket(make_kiosk, qloop):
    async def scenario():
        k = await make_kiosk()
        await k.click("home:take")
        await k.wait_screen("zones")
        await k.click("zone:general")
        await k.wait_screen("services")
        await k.click("service:business-license", times=2)
        await k.wait_screen("ticket")
        # A ticket issued afterwards: a second request from the double tap, sent at the tap,
        # would have been decided before it and taken A002.
        later = (await k.client.issue_ticket("business-license"))["ticket"]
        assert later["number"] == "A002"
        assert [t["number"] for t in (await k.snapshot())["tickets"]] == ["A001", "A002"]
        assert len(k.printer.jobs) == 1

    make_kiosk.run(scenario)


@pytest.mark.hall_queue(issue_when_closed=False)
def test_a_service_with_no_open_window_is_marked_and_says_why_before_the_card(make_kiosk, hub, qloop, sim_reader):
    """Tried: 不动产 while none of its windows (1, 3) is open, with a card reader attached: the tile is
    greyed and says 暂无窗口, the tap explains why without asking for the ID card, nothing is issued or
    printed; once window 1 opens, the same tap reaches the card step."""
    async def scenario():
        k = await make_kiosk(reader=await card_reader(hub, sim_reader))
        caller = make_client(hub, "caller", window=2)
        await caller.login(2, "c002", "2222")
        await k.find("top:property")  # home's one-tap tile is greyed and marked too
        await until(lambda: k.button("top:property").property("closed") is True, what="top:property greyed")
        assert any("暂无窗口" in lab.text() for lab in k.button("top:property").findChildren(QLabel))
        await k.click("home:take")
        await k.click("zone:general")
        await k.wait_screen("services")
        await k.find("service:property")
        await until(lambda: any(lab.text() == "暂无窗口" for lab in k.button("service:property").findChildren(QLabel)),
                    what="不动产 marked 暂无窗口")
        assert k.button("service:property").property("closed") is True
        await k.click("service:property")
        await k.wait_screen("message")
        shown = k.visible_text()
        assert "“不动产登记”暂无窗口办理" in shown and "1号窗口、3号窗口" in shown, shown
        assert k.c.pending is None, "no card step after the refusal"
        assert k.printer.jobs == [] and (await k.snapshot())["tickets"] == []
        # 社保卡 has an open window (2): its zone is not marked, and it goes to the card step as always.
        await k.click("home")
        await k.wait_screen("home")
        await k.click("home:take")
        await k.click("zone:social")
        assert k.button("service:ss-card").property("closed") is not True
        await k.click("service:ss-card")
        await k.wait_screen("card")
        await k.click("card:skip")
        await k.wait_screen("ticket")
        assert [t["number"] for t in (await k.snapshot())["tickets"]] == ["B001"]
        # window 1 opens: 不动产 is offered again and the tap asks for the card
        opener = make_client(hub, "caller", window=1)
        await opener.login(1, "c001", "1111")
        await k.click("ticket:done")
        await k.wait_screen("home")
        await k.click("home:take")
        await k.click("zone:general")
        await until(lambda: k.button("service:property").property("closed") is not True, what="不动产 offered")
        await k.click("service:property")
        await k.wait_screen("card")
        await caller.aclose()
        await opener.aclose()

    make_kiosk.run(scenario)


def test_check_in_by_code_and_a_too_early_one_shows_the_hubs_message(make_kiosk, hub, qloop):
    async def scenario():
        console = make_client(hub, "console")
        on_time = (await console.book("pension", at(23, 9, 45).isoformat(), at(23, 10, 15).isoformat(),
                                         name="王芳", phone="13800138000"))["appointment"]
        early = (await console.book("ss-card", at(23, 11, 0).isoformat(), at(23, 11, 30).isoformat(),
                                       name="李明", phone="13900139000"))["appointment"]
        await console.aclose()
        k = await make_kiosk()

        await k.click("home:appointment")
        await k.wait_screen("appointment")
        assert not (await k.find("appt:confirm")).isEnabled(), "confirm waits for all six digits"
        for digit in on_time["code"]:
            await k.click(f"appt:key:{digit}")
        await k.click("appt:confirm")
        await k.wait_screen("ticket")
        assert k.window.page.number.text() == "B001"
        assert "预约号" in k.visible_text()
        assert k.c.state.ticket["appointment_id"] == on_time["id"]
        await until(lambda: k.c.state.print_result == "printed")
        assert any("预约" in e.text for e in decode_escpos(k.printer.last_job) if isinstance(e, TextLine))

        await k.click("ticket:done")
        await k.wait_screen("home")
        await k.click("home:appointment")
        for digit in early["code"]:
            await k.click(f"appt:key:{digit}")
        await k.click("appt:confirm")
        await k.wait_screen("message")
        text = k.visible_text()
        assert "请于 10:30 后再来签到" in text, text
        assert "联系工作人员" in text
        assert (await k.find("message:take_normal")).isVisible()
        assert [t["number"] for t in (await k.snapshot())["tickets"]] == ["B001"], "no ticket for the early arrival"

    make_kiosk.run(scenario)


def test_check_in_by_phone_uses_the_same_keypad(make_kiosk, hub, qloop):
    """Bad input tried: a digit too many (ignored, the field holds 11) and a wrong number."""
    async def scenario():
        console = make_client(hub, "console")
        (await console.book("pension", at(23, 9, 45).isoformat(), at(23, 10, 15).isoformat(),
                               name="王芳", phone="13800138000"))
        await console.aclose()
        k = await make_kiosk()
        await k.click("home:appointment")
        await k.click("appt:phone")
        for digit in "138001380009":  # one digit too many
            await k.click(f"appt:key:{digit}")
        assert k.c.state.appt_input == "13800138000"
        await k.click("appt:key:del")
        await k.click("appt:key:1")
        await k.click("appt:confirm")
        await k.wait_screen("message")
        assert "没有找到您的预约" in k.visible_text()
        await k.click("back")
        await k.wait_screen("home")
        await k.click("home:appointment")
        await k.click("appt:phone")
        for digit in "13800138000":
            await k.click(f"appt:key:{digit}")
        await k.click("appt:confirm")
        await k.wait_screen("ticket")
        assert k.c.state.ticket["appointment_id"]

    make_kiosk.run(scenario)


def test_a_70_year_olds_card_offers_and_takes_a_senior_priority_ticket(make_kiosk, hub, qloop, sim_reader):
    async def scenario():
        k = await make_kiosk(reader=await card_reader(hub, sim_reader))
        id_number = sim_reader.insert("张桂兰", "F", date(1956, 5, 1))  # 70 on 2026-11-23
        await take_to_service(k, "general", "property")
        await k.wait_screen("senior")
        text = k.visible_text()
        assert "是否取老年人绿色通道号" in text and "张**" in text and "张桂兰" not in text
        await k.click("senior:yes")
        await k.wait_screen("ticket")
        assert "绿色通道" in k.visible_text() and "优先号" not in k.visible_text()
        ticket = next(t for t in (await k.snapshot())["tickets"] if t["number"] == k.c.state.ticket["number"])
        assert ticket["priority"] is True and ticket["priority_reason"] == "senior"
        assert id_number not in str(ticket), "the full ID number never leaves the kiosk"

    make_kiosk.run(scenario)


def test_check_in_by_card_matches_an_appointment_booked_with_the_number(make_kiosk, hub, qloop, sim_reader):
    """The kiosk sends the card's number; the hub hashes it with its own key, as it did at booking."""
    async def scenario():
        id_number = sim_reader.insert("王芳", "F", date(1980, 4, 2))
        console = make_client(hub, "console")
        await console.book("pension", at(23, 9, 45).isoformat(), at(23, 10, 15).isoformat(), name="王芳",
                           id_number=id_number)
        await console.aclose()
        k = await make_kiosk(reader=await card_reader(hub, sim_reader))
        await k.click("home:appointment")
        await k.click("appt:card")
        await k.wait_screen("ticket")
        assert k.c.state.ticket["appointment_id"]
        assert id_number not in str(await k.snapshot())

    make_kiosk.run(scenario)


def test_a_younger_cards_holder_is_not_asked_and_gets_a_normal_ticket(make_kiosk, hub, qloop, sim_reader):
    async def scenario():
        k = await make_kiosk(reader=await card_reader(hub, sim_reader))
        sim_reader.insert("刘洋", "M", date(1990, 1, 1))
        await take_to_service(k, "general", "property")
        await k.wait_screen("ticket")
        ticket = (await k.snapshot())["tickets"][0]
        assert ticket["priority"] is False

    make_kiosk.run(scenario)


def test_a_reader_error_says_so_and_the_citizen_can_skip(make_kiosk, hub, qloop, sim_reader):
    """Bad input tried: every answer to the read command arrives with a broken checksum."""
    async def scenario():
        k = await make_kiosk(reader=await card_reader(hub, sim_reader))
        for _ in range(60):
            sim_reader.garble_next("checksum", on="read")
        sim_reader.insert("赵敏", "F", date(1950, 1, 1))
        await take_to_service(k, "social", "pension")
        await k.wait_screen("card")
        await until(lambda: "读卡失败，请重新放置身份证" in k.visible_text(), what="reader error shown")
        await k.click("card:skip")
        await k.wait_screen("ticket")
        assert (await k.snapshot())["tickets"][0]["priority"] is False

    make_kiosk.run(scenario)


def test_green_channel_by_reason_without_a_card(make_kiosk, hub, qloop, sim_reader):
    async def scenario():
        k = await make_kiosk(reader=await card_reader(hub, sim_reader))
        await k.click("home:priority")
        await k.wait_screen("priority")
        await k.click("reason:pregnant")
        await k.wait_screen("zones")
        assert "绿色通道：孕妇" in k.visible_text()
        await k.click("zone:general")
        await k.click("service:business-license")
        await k.wait_screen("ticket")  # no card step: staff check the reason at the window
        ticket = (await k.snapshot())["tickets"][0]
        assert ticket["priority"] is True and ticket["priority_reason"] == "pregnant"

    make_kiosk.run(scenario)


def test_green_channel_from_the_services_screen(make_kiosk, qloop):
    async def scenario():
        k = await make_kiosk()
        take_to_service_screen = ("home:take", "zone:social")
        await k.click(take_to_service_screen[0])
        await k.click(take_to_service_screen[1])
        await k.wait_screen("services")
        await k.click("services:priority")
        await k.click("reason:disabled")
        await k.wait_screen("services")
        await k.click("service:pension")
        await k.wait_screen("ticket")
        ticket = (await k.snapshot())["tickets"][0]
        assert ticket["priority_reason"] == "disabled"

    make_kiosk.run(scenario)


def test_hub_down_shows_plain_words_issues_nothing_then_recovers_without_restart(make_kiosk, hub, qloop):
    async def scenario():
        k = await make_kiosk()
        await k.click("home:take")
        await k.click("zone:social")
        await k.wait_screen("services")
        await asyncio.to_thread(hub.stop)
        await until(lambda: not k.c.state.connected, what="disconnect noticed")
        assert "暂时无法取号，请稍候或联系工作人员" in k.visible_text()
        await k.click("service:ss-card")
        await k.wait_screen("unreachable", timeout=15)
        assert "暂时无法取号，请稍候或联系工作人员" in k.visible_text()
        assert k.printer.jobs == []

        await asyncio.to_thread(hub.start)
        await until(lambda: k.c.state.connected, timeout=15, what="reconnect")
        assert "已恢复" in k.visible_text()
        assert (await k.snapshot())["tickets"] == [], "nothing was issued while the hub was down"
        await k.click("unreachable:retry")
        await k.wait_screen("ticket")
        await k.click("ticket:done")
        await k.wait_screen("home")
        await k.click("home:take")
        await k.click("zone:social")
        await k.click("service:pension")
        await k.wait_screen("ticket")
        assert [t["number"] for t in (await k.snapshot())["tickets"]] == ["B001", "B002"]

    make_kiosk.run(scenario)


def test_paper_out_still_shows_the_number_reports_the_fault_and_recovers(make_kiosk, qloop):
    async def scenario():
        k = await make_kiosk()
        k.printer.paper_out = True
        await take_to_service(k, "social", "ss-card")
        await k.wait_screen("ticket")
        await until(lambda: k.c.state.print_result == "failed", what="print failure")
        assert k.window.page.number.text() == "B001"
        assert "打印机故障，请记住您的号码或联系工作人员" in k.visible_text()
        assert "无法打印" not in k.visible_text(), "the fault is said once, in the ticket's own line"
        assert k.printer.jobs == []
        await k.wait_hub(lambda snap: "paper_out" in str(snap["device_faults"]), "fault reported to the hub")

        await k.click("ticket:done")
        await k.wait_screen("home")
        assert "无法打印，号码显示在屏幕上" in k.visible_text()
        await take_to_service(k, "social", "pension")
        await k.wait_screen("ticket")
        assert k.window.page.number.text() == "B002"
        assert k.visible_text().count("无法打印，号码显示在屏幕上") == 1
        assert k.printer.jobs == []

        k.printer.paper_out = False
        await until(lambda: k.c.printer_fault is None, what="printer back")
        await k.wait_hub(lambda snap: snap["device_faults"] == {}, "fault cleared at the hub")
        await k.click("ticket:done")
        await k.wait_screen("home")
        assert "无法打印" not in k.visible_text()
        await take_to_service(k, "social", "pension")
        await k.wait_screen("ticket")
        await until(lambda: k.c.state.print_result == "printed")
        assert len(k.printer.jobs) == 1

    make_kiosk.run(scenario)


def test_search_finds_by_pinyin_initials_and_by_chinese(make_kiosk, qloop):
    """Bad input tried: a query that matches nothing (says so, offers no button)."""
    async def scenario():
        k = await make_kiosk()
        await k.click("home:take")
        await k.click("zones:search")
        await k.wait_screen("services")
        for key in "SBK":
            await k.click(f"key:{key}")
        assert k.window.page.search.text() == "sbk"
        assert (await k.find("service:ss-card")).isVisible()
        await k.click("search:clear")
        k.type("社保")
        assert (await k.find("service:ss-card")).isVisible()
        await k.click("search:clear")
        k.type("xyzq")
        assert "没有找到相关事项" in k.visible_text()
        assert not [b for b in k.window.page.findChildren(QPushButton) if b.objectName().startswith("service:")
                    and b.isVisible()]

    make_kiosk.run(scenario)


def test_in_the_evening_closed_zones_show_their_hours_and_24h_stays_open(make_kiosk, clock, qloop):
    async def scenario():
        k = await make_kiosk()
        clock.set(at(23, 20, 0))
        await k.click("home:take")
        await k.wait_screen("zones")
        await until(lambda: not k.c.zone_open(k.c.zone("general")), what="hours refreshed")
        general = (await k.find("zone:general"))
        assert general.property("closed") is True
        tile_text = general.accessibleName()
        assert "当前不在服务时间" in tile_text
        assert "周一至周五 09:00-17:30 午间不打烊" in tile_text
        assert "周六 09:00-12:00 周六延时服务" in tile_text
        self_service = (await k.find("zone:selfservice"))
        assert self_service.property("closed") is False and "24小时开放" in self_service.accessibleName()
        await k.click("zone:general")
        await k.wait_screen("message")
        assert "综合服务区当前不在服务时间" in k.visible_text()

    make_kiosk.run(scenario)


def test_every_screen_returns_home_when_left_alone(make_kiosk, qloop, clock):
    """The countdown runs on the kiosk's clock: moved by hand here, no seconds are waited."""
    async def scenario():
        k = await make_kiosk(idle=3)
        await k.click("home:take")
        await k.click("zone:social")
        await k.wait_screen("services")
        clock.advance(seconds=2)
        await until(lambda: k.c.state.idle_left == 1, what="countdown at 1 s")
        assert k.screen == "services"
        k.c.touch()  # a touch gives the citizen the whole time again
        clock.advance(seconds=2)
        await until(lambda: k.c.state.idle_left == 1, what="countdown at 1 s after the touch")
        assert k.screen == "services"
        clock.advance(seconds=1)
        await k.wait_screen("home", timeout=3)
        await take_to_service(k, "social", "pension")
        await k.wait_screen("ticket")
        clock.advance(seconds=3)
        await k.wait_screen("home", timeout=3)

    make_kiosk.run(scenario)


def test_language_switch_shows_english_and_back(make_kiosk, qloop):
    async def scenario():
        k = await make_kiosk()
        await k.click("lang")
        assert (await k.find("home:take")).title.text() == "Take a number"
        await k.click("home:take")
        assert "Social security" in (await k.find("zone:social")).accessibleName()
        await k.click("lang")
        assert "人社服务专区" in (await k.find("zone:social")).accessibleName()

    make_kiosk.run(scenario)
