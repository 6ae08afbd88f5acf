"""The wall display against a real hub: what it shows, what it says, and in which order."""
from __future__ import annotations

import asyncio
import wave

import pytest

from display.app import create_display
from hardware.voice import Announcement, RecorderBackend, Speaker, call_sentence, render_wav
from tests.conftest import make_client, until

# Displays and qasync loops are kept, never destroyed between tests: garbage-collecting a
# closed qasync loop while the next one runs Qt's event loop crashed the interpreter.
KEEP: list = []


@pytest.fixture
def wall(hub, qloop, qapp, clock):
    made, speakers = [], []

    class Wall:
        def client(self, role, window=None):
            c = make_client(hub, role, window)
            made.append(c)
            return c

        def display(self, zones=None, seconds_per_char=0.001, **screen):
            speaker = Speaker(RecorderBackend(seconds_per_char=seconds_per_char, chime_seconds=0.001))
            speakers.append(speaker)
            window, controller = create_display(self.client("display"), speaker=speaker, clock=clock, zones=zones,
                                                **screen)
            window.show()
            KEEP.append(window)
            return window, controller, speaker

        def run(self, body):
            async def whole():
                try:
                    await body()
                finally:
                    for c in made:
                        await c.aclose()
            qloop.run(whole(), timeout=60)

    KEEP.append(qloop)
    w = Wall()
    w.kiosk = w.client("kiosk")
    yield w
    for s in speakers:
        s.close(drain=False)


async def open_window(w, window, clerk, pin):
    caller = w.client("caller", window)
    await caller.login(window, clerk, pin)
    return caller


def test_ten_calls_in_a_second_are_spoken_in_order_without_overlap(wall):
    w = wall

    async def body():
        display, d, speaker = w.display(seconds_per_char=0.006)  # ~2 s of speech for 10 calls
        await d.start()
        await until(lambda: d.connected)
        caller = await open_window(w, 1, "c001", "1111")
        for _ in range(10):
            await w.kiosk.issue_ticket("business-license")
        loop = asyncio.get_running_loop()
        began = loop.time()
        for _ in range(10):
            await caller.call_next(1)
            await caller.finish(1)
        took = loop.time() - began
        await until(lambda: len(d.spoken) == 10)
        # the screen kept up while the voice was still talking: it never waited for speech
        assert display.big.text() == "A010 → 1号窗口"
        assert display.please.text() == "请A010号到1号窗口办理"  # no stray spaces inside the Chinese
        assert speaker.pending > 0
        assert speaker.wait_idle(30)
        said = speaker.backend.utterances
        expected = []
        for n in range(1, 11):
            speech = call_sentence(f"A{n:03d}", "1").speech
            expected += ["[chime]", speech, speech]
        assert [u.text for u in said] == expected
        for before, after in zip(said, said[1:]):
            assert after.start >= before.end, f"{after.text} started before {before.text} ended"
        assert took < 3, f"10 call/finish cycles took {took:.1f} s"

    w.run(body)


def test_the_call_is_rendered_to_a_wav_of_plausible_length(tmp_path):
    spoken = call_sentence("A001", "5")
    assert spoken.speech == "请 诶零零一 号到五号窗口"
    assert spoken.display == "请A001号到5号窗口"
    path = render_wav(Announcement("A001", "5"), tmp_path / "call.wav")
    with wave.open(str(path)) as f:
        seconds = f.getnframes() / f.getframerate()
    # a chime and the sentence twice: a few seconds, not a click and not a minute
    assert 3.0 < seconds < 20.0, seconds


def test_a_display_for_one_zone_shows_only_that_zone(wall):
    """Bad input tried: a zone list naming a zone the hall does not have ("Q"); it is ignored."""
    w = wall

    async def body():
        display, d, speaker = w.display(zones=["B", "Q"])
        await d.start()
        await until(lambda: d.connected and d.zones)
        assert [z["id"] for z in d.zones] == ["social"]
        one = await open_window(w, 1, "c001", "1111")
        two = await open_window(w, 2, "c002", "2222")
        await w.kiosk.issue_ticket("business-license")
        await w.kiosk.issue_ticket("pension")
        await w.kiosk.issue_ticket("pension")
        await until(lambda: d.zone_counts()[0][1] == 2)
        await one.call_next(1)  # A001, not this display's zone
        called = await two.call_next(2)  # B001
        await until(lambda: d.mirror.seq >= called["seq"])  # the display has seen both calls
        assert display.big.text() == "B001 → 2号窗口"
        assert [t["number"] for t in d.calls] == ["B001"]
        assert [a.number for a in d.spoken] == ["B001"]
        names = [name.text() for cell, name, count in display.zone_cells if cell.isVisibleTo(display)]
        assert names == ["人社服务专区"]

    w.run(body)


def test_display_starts_from_and_returns_to_the_hubs_state(wall, hub, clock):
    w = wall

    async def body():
        console = w.client("console")
        await console.set_notice("今天下午系统维护")
        caller = await open_window(w, 1, "c001", "1111")
        for _ in range(3):
            await w.kiosk.issue_ticket("business-license")
        await caller.call_next(1)
        clock.advance(minutes=4)
        await caller.finish(1)
        await caller.call_next(1)
        clock.advance(minutes=2)
        display, d, speaker = w.display()
        await d.start()
        await until(lambda: d.latest is not None)
        # what was called before the display came up is shown, not spoken
        assert display.big.text() == "A002 → 1号窗口"
        assert display.recent_cells[0][0].text() == "A001"
        assert display.marquee.text == "今天下午系统维护"
        assert d.spoken == []
        await console.set_notice("请携带身份证原件")
        await until(lambda: display.marquee.text == "请携带身份证原件")

        hub.stop()
        await until(lambda: not d.connected and display.offline.isVisibleTo(display), 15)
        hub.start()
        await until(lambda: d.connected, 15)
        assert not display.offline.isVisibleTo(display)
        await caller.finish(1)
        clock.advance(minutes=1)
        await caller.call_next(1)
        await until(lambda: display.big.text() == "A003 → 1号窗口")
        assert [t["number"] for t in d.calls[:3]] == ["A003", "A002", "A001"]
        assert [a.number for a in d.spoken] == ["A003"]

    w.run(body)


def test_a_zone_renamed_in_the_console_is_shown_without_restarting_the_display(wall, hub):
    w = wall

    async def body():
        display, d, _ = w.display()
        await d.start()
        await until(lambda: d.connected and d.zones)
        console = w.client("console")
        zone = next(z for z in (await console.get("/console/config"))["zones"] if z["id"] == "social")
        response = await console._client().put("/console/config/zones/social", json={**zone, "name": "社保医保专区"})
        assert response.status_code == 200, response.text
        await until(lambda: any(d.zone_name(z) == "社保医保专区" for z in d.zones))

    w.run(body)


def ink_height(label) -> int:
    """The height in pixels of the label's text as drawn (its glyphs' ink, not the line box)."""
    from PySide6.QtGui import QFontMetrics

    label.ensurePolished()
    return QFontMetrics(label.font()).tightBoundingRect(label.text()).height()


def ink_width(label) -> int:
    from PySide6.QtGui import QFontMetrics

    label.ensurePolished()
    return QFontMetrics(label.font()).horizontalAdvance(label.text())


def test_recent_calls_and_waiting_counts_read_from_15_m_in_landscape_and_portrait(wall):
    """55-inch 1080p: 0.63 mm pixels; 15 m needs characters of ~6 cm, i.e. >= ~95 px of ink."""
    w = wall

    async def body():
        display, d, _ = w.display()
        await d.start()
        await until(lambda: d.connected and d.zones)
        one = await open_window(w, 1, "c001", "1111")
        for _ in range(6):
            await w.kiosk.issue_ticket("business-license")
        await w.kiosk.issue_ticket("pension")
        for _ in range(5):
            called = await one.call_next(1)
            await one.finish(1)
        await until(lambda: d.mirror.seq >= called["seq"])
        for size, shown in (((1920, 1080), 4), ((1080, 1920), 6)):
            display.resize(*size)
            await until(lambda: (display.width(), display.height()) == size)
            display.render()
            cards = [(n, win) for (n, win), card in zip(display.recent_cells, display.recent_cards)
                     if card.isVisibleTo(display)]
            assert len(cards) == min(shown, 4)  # five calls: the latest, big, and four before it
            assert [n.text() for n, _ in cards] == ["A004", "A003", "A002", "A001"]
            for number, window in cards:
                assert ink_height(number) >= 100 and ink_height(window) >= 90, (size, number.font().pixelSize())
            counts = [count for cell, name, count in display.zone_cells if cell.isVisibleTo(display)]
            assert [c.text() for c in counts] == ["A 1人", "B 1人", "Z 0人"]
            assert all(ink_height(c) >= 95 for c in counts)
            assert ink_height(display.big) >= 130
            # once laid out, no line is wider than the room it was given (nothing cut off)
            await until(lambda: all(ink_width(label) <= label.width() for label in
                                    [display.big, *counts, *(label for pair in cards for label in pair)]))
            assert display.portrait == (size[1] > size[0])

    w.run(body)


def test_the_screen_above_a_window_shows_its_number_and_state(wall, clock):
    """Bad input tried: a call at another window (not shown, not spoken here)."""
    w = wall

    async def body():
        speaker_display = w.display(window=1)
        screen, d, speaker = speaker_display
        await d.start()
        await until(lambda: d.connected and d.mirror.windows)
        assert screen.name.text() == "1号窗口  综合窗口1"
        assert (screen.number.text(), screen.state.text()) == ("本窗口暂停服务", "")
        one = await open_window(w, 1, "c001", "1111")
        two = await open_window(w, 2, "c002", "2222")
        await until(lambda: screen.state.text() == "请留意叫号")
        assert screen.clerk.text() == "工作人员：张敏"
        for service in ("pension", "business-license"):
            await w.kiosk.issue_ticket(service)
        other = await two.call_next(2)  # B001 at window 2
        await until(lambda: d.mirror.seq >= other["seq"])
        assert screen.number.text() == "—" and d.spoken == [] and not screen.flasher.left
        await one.call_next(1)
        await until(lambda: screen.number.text() == "A001")
        assert screen.state.text() == "请A001号到本窗口办理" and screen.flasher.left > 0
        assert [a.number for a in d.spoken] == ["A001"]
        assert ink_height(screen.number) >= screen.height() * 0.25 and ink_width(screen.number) <= screen.width()
        await one.serve(1)
        await until(lambda: screen.state.text() == "正在办理")
        await one.finish(1)
        await one.pause(1, "午休")
        await until(lambda: screen.state.text() == "原因：午休")
        # paused: the middle says so in words (a bare dash there read as a grey bar)
        assert screen.number.text() == "暂停服务"
        screen.resize(800, 480)  # a small panel: the number still fills it and nothing grows
        await until(lambda: screen.height() == 480)
        assert ink_height(screen.number) >= 480 * 0.15 and ink_width(screen.number) <= 800
        await one.resume(1)
        await until(lambda: screen.state.text() == "请留意叫号")
        assert (screen.width(), screen.height()) == (800, 480)

    w.run(body)


def test_a_zones_screen_lists_its_windows_and_calls(wall):
    """Bad input tried: a zone the hall does not have ("Q"): the screen says so."""
    w = wall

    async def body():
        screen, d, _ = w.display(zone="B")
        await d.start()
        await until(lambda: d.zone_windows())
        assert screen.title.text() == "B  人社服务专区"
        labels = [name.text() for cell, name, number in screen.cells if cell.isVisibleTo(screen)]
        assert labels == ["1号窗口", "2号窗口"]  # the windows serving 人社 services
        one = await open_window(w, 1, "c001", "1111")
        two = await open_window(w, 2, "c002", "2222")
        await w.kiosk.issue_ticket("business-license")
        for _ in range(2):
            await w.kiosk.issue_ticket("pension")
        await until(lambda: screen.waiting.text() == "等候 2 人")
        await one.call_next(1)  # A001: another zone's call, though at one of this zone's windows
        await two.call_next(2)
        await until(lambda: [n.text() for c, _, n in screen.cells[:2]] == ["A001", "B001"])
        assert screen.call.text() == "请B001号到2号窗口办理"
        assert screen.waiting.text() == "等候 1 人"

        unknown, u, _ = w.display(zone="Q")
        await u.start()
        await until(lambda: u.mirror.zones)
        unknown.render()
        assert unknown.title.text() == "本大厅没有这个分区：Q"

    w.run(body)
