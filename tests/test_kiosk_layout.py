"""How the kiosk looks: Chinese glyphs present, both screen orientations usable, the default
hall's 24h zone and 一件事 bundles shown right, and the command line's printer option."""
from __future__ import annotations

import argparse

import pytest
from PySide6.QtGui import QFontMetrics, QRawFont
from PySide6.QtWidgets import QFrame, QPushButton

from conftest import HubHandle, default_hall_issuing_early
from kiosk.app import main, parse_printer
from kiosk.text import TEXT
from test_kiosk import make_kiosk, until  # noqa: F401  (make_kiosk is a fixture)

SIZES = [(1080, 1920), (1920, 1080)]


@pytest.fixture
def hub(db_path, clock, tmp_path):
    """The shipped default hall (11 zones, 80 services) instead of the small test hall."""
    handle = HubHandle(db_path, clock, hall=default_hall_issuing_early(tmp_path))
    handle.start()
    yield handle
    handle.stop()


def missing_glyphs(font, text: str) -> list[str]:
    """Characters the font would draw as a box. (Pass code points: PySide's one-character
    str overload of supportsCharacter answers wrongly for some ideographs, e.g. 窗 and 理.)"""
    raw = QRawFont.fromFont(font)
    metrics = QFontMetrics(font)
    return [ch for ch in dict.fromkeys(text) if not ch.isspace()
            and not (raw.supportsCharacter(ord(ch)) and metrics.inFontUcs4(ord(ch)))]


def test_chinese_renders_with_the_font_in_use_no_missing_glyph_boxes(make_kiosk):
    async def scenario():
        k = await make_kiosk()
        label = k.window.hall_name
        label.setText("请A001号到5号窗口办理")
        assert label.font().family() == "Noto Sans CJK SC"
        assert missing_glyphs(label.font(), label.text()) == []
        every_string = "".join(zh for zh, _ in TEXT.values())
        assert missing_glyphs(k.window.pages["ticket"].number.font(), every_string) == []
        hall_text = "".join(s["name"] for s in k.c.hall["services"]) + "".join(z["name"] for z in k.c.zones())
        assert missing_glyphs(label.font(), hall_text) == []

    make_kiosk.run(scenario)


@pytest.mark.parametrize("size", SIZES, ids=["portrait", "landscape"])
def test_every_screen_fits_and_its_buttons_are_big_enough(make_kiosk, size):
    async def scenario():
        k = await make_kiosk(size=size)

        def check(screen: str) -> None:
            w = k.window
            assert (w.width(), w.height()) == size, f"{screen}: window grew to {w.width()}x{w.height()}"
            for b in w.findChildren(QPushButton):
                if not b.isVisible():
                    continue
                top_left = b.mapTo(w, b.rect().topLeft())
                bottom = top_left.y() + b.height()
                assert b.height() >= 110, f"{screen}: {b.objectName()} only {b.height()} px tall"
                # a button inside a scrolling list may run under the footer; others must be whole
                if not b.objectName().startswith(("zone:", "service:")):
                    assert 0 <= top_left.y() and bottom <= size[1], f"{screen}: {b.objectName()} cut off"
                    assert 0 <= top_left.x() and top_left.x() + b.width() <= size[0]
            lang = w.findChild(QPushButton, "lang")
            assert lang.geometry().bottom() < w.header.height(), f"{screen}: the language button runs out of the header"

        check("home")
        await k.click("home:take")
        await k.find("zone:zonghe")
        check("zones")
        await k.click("zone:zonghe")
        await k.find("service:yb_canbao")
        check("services")
        await k.click("services:keyboard")
        await k.find("key:Q")
        check("services with keyboard")
        await k.click("home")
        await k.click("home:appointment")
        check("appointment")
        await k.click("home")
        await k.click("home:priority")
        check("priority")
        await k.click("reason:elderly")
        await k.click("zone:zonghe")
        await k.click("service:yb_canbao")
        await k.wait_screen("ticket")
        check("ticket")
        number = k.window.pages["ticket"].number
        assert number.font().pixelSize() >= 160
        assert number.width() >= number.fontMetrics().horizontalAdvance(number.text()), "number is cut"

    make_kiosk.run(scenario)


def test_self_service_tasks_are_directions_and_bundles_come_first(make_kiosk):
    async def scenario():
        k = await make_kiosk()
        await k.click("home:take")
        await k.click("zone:zizhu")
        await k.wait_screen("services")
        await until(lambda: k.window.page.findChildren(QFrame, "direction"))
        page = k.window.page
        directions = [f for f in page.findChildren(QFrame, "direction") if f.isVisible()]
        assert len(directions) == 5
        assert all("请到自助终端办理" in f.findChildren(type(k.window.hall_name))[1].text() for f in directions)
        assert not [b for b in page.findChildren(QPushButton) if b.objectName().startswith("service:")
                    and b.isVisible()], "no ticket button for a task no window serves"
        assert not page.priority.isVisible(), "no green channel where no numbers are issued"

        await k.click("back")
        await k.click("zone:tese")
        await k.wait_screen("services")
        names = [b.objectName() for b in k.window.page.grid.items]
        bundles = [s["id"] for s in k.c.hall["services"] if s["zone"] == "tese" and s.get("bundle")]
        assert bundles and names[:len(bundles)] == [f"service:{b}" for b in bundles]
        assert "一件事" in (await k.find(f"service:{bundles[0]}")).accessibleName()

    make_kiosk.run(scenario)


def test_printer_option_is_parsed_and_a_bad_one_is_refused(capsys):
    """Bad input tried: an unknown printer kind and a USB id without a product."""
    assert parse_printer("simulator") == {"type": "simulator"}
    assert parse_printer("file:/tmp/t.bin") == {"type": "file", "path": "/tmp/t.bin"}
    assert parse_printer("network:10.0.0.9:9100") == {"type": "network", "host": "10.0.0.9", "port": 9100}
    assert parse_printer("usb:04b8:0e15") == {"type": "usb", "vendor": 0x04B8, "product": 0x0E15}
    assert parse_printer("serial:/dev/ttyUSB0") == {"type": "serial", "port": "/dev/ttyUSB0"}
    assert parse_printer("win32:POS-80") == {"type": "win32raw", "name": "POS-80"}
    assert parse_printer("none") is None
    with pytest.raises(argparse.ArgumentTypeError):
        parse_printer("usb:04b8")
    assert main(["--hub", "http://127.0.0.1:9", "--token", "t", "--printer", "laser:1"]) == 2
    assert "打印机参数无效" in capsys.readouterr().err
