"""The kiosk's home on the shipped default hall: today's most-taken services in one tap, search
by everyday words (characters, full pinyin, initials) without picking a zone, zone tiles that say
what they handle, the large-text (适老化) mode that speaks through the display's voice, tickets laid
out for the kiosk's paper width, and a home screen that fits 1280x800 without scrolling."""
from __future__ import annotations

import pytest
from conftest import HubHandle, default_hall_issuing_early
from PySide6.QtWidgets import QPushButton
from test_kiosk import make_kiosk, until  # noqa: F401  (make_kiosk is a fixture)

import assets
from hardware.printer import SimulatedPrinter, TicketPrinter, decode_escpos
from hardware.printer.decode import TextLine
from hardware.voice import RecorderBackend, Speaker, call_sentence
from hub.core.config import ConfigError, load_hall
from kiosk.app import build_parser, printer_settings, save_printer_settings
from kiosk.search import ServiceIndex

YIBAO = {"yb_canbao", "yb_yidi", "yb_baoxiao", "yb_tuixiu"}  # the default hall's 医保 services


@pytest.fixture
def hub(db_path, clock, request, tmp_path):
    """The shipped default hall; a test may give another hall name (indirect parametrize)."""
    hall = default_hall_issuing_early(tmp_path, getattr(request, "param", None))
    handle = HubHandle(db_path, clock, hall=hall)
    handle.start()
    yield handle
    handle.stop()


def shown_services(k) -> list[str]:
    return [b.objectName().removeprefix("service:") for b in k.window.page.grid.items
            if b.objectName().startswith("service:")]


def test_yibao_in_characters_full_pinyin_and_initials_finds_the_yibao_services_from_home(make_kiosk):
    """Bad input tried: a word no service knows (nothing offered, the screen says so)."""
    async def scenario():
        k = await make_kiosk(size=(1920, 1080))
        for query in ("医保", "yibao", "yb"):
            await k.click("home:search")  # straight from home: no zone chosen first
            await k.wait_screen("services")
            assert k.c.state.zone_id is None
            if query.isascii():
                for key in query.upper():
                    await k.click(f"key:{key}")
            else:
                k.type(query)
            await until(lambda: YIBAO <= set(shown_services(k)), what=f"医保 services for {query!r}")
            first = shown_services(k)[:len(YIBAO)]
            assert set(first) == YIBAO, f"{query!r}: 医保 services not first: {shown_services(k)}"
            assert "qy_biangeng" not in shown_services(k), "yb must not match 企业变更 (qi-ye-bian-geng)"
            await k.click("back")
            await k.wait_screen("home")
        await k.click("home:search")
        k.type("量子计算")
        await until(lambda: "没有找到相关事项" in k.visible_text(), what="nothing found")
        assert shown_services(k) == []
        await k.click("search:clear")
        k.type("结婚")
        await k.click("service:hy_jiehun")
        await k.wait_screen("ticket")
        assert k.c.state.ticket["service_id"] == "hy_jiehun"

    make_kiosk.run(scenario)


def test_everyday_words_reach_the_right_service():
    """社保卡, 身份证 and 结婚 are what people say; the hall file lists them as keywords."""
    services = [s.model_dump() for s in load_hall(assets.path("halls/default.toml")).services]
    index = ServiceIndex(services)
    assert index.search("sbk")[0]["id"] == "rs_shebaoka"
    assert index.search("身份证")[0]["id"] == "ga_shenfenzheng"
    assert index.search("sfz")[0]["id"] == "ga_shenfenzheng"
    assert index.search("jiehun")[0]["id"] == "hy_jiehun"
    assert index.search("passport")[0]["id"] == "crj_huzhao"


def test_home_offers_todays_most_taken_services_and_one_tap_issues_without_a_zone(make_kiosk, hub):
    async def scenario():
        k = await make_kiosk(size=(1920, 1080))
        for service, times in (("ga_shenfenzheng", 3), ("hy_jiehun", 2)):
            for _ in range(times):
                await k.client.issue_ticket(service)
        await k.click("home:take")
        await k.click("home")  # back home: the list is read again
        await until(lambda: k.c.top_ids[:2] == ["ga_shenfenzheng", "hy_jiehun"], what="top services")
        tiles = [t for t in k.window.pages["home"].top.items if t.isVisible()]
        await until(lambda: [t.objectName() for t in k.window.pages["home"].top.items][:2]
                    == ["top:ga_shenfenzheng", "top:hy_jiehun"], what="tiles in order")
        assert len(k.window.pages["home"].top.items) == 9  # three across, three rows at 1920x1080
        summary = await k.client.zones()
        assert summary["top_services"][:3] == [{"id": "ga_shenfenzheng", "taken": 3}, {"id": "hy_jiehun", "taken": 2},
                                               {"id": "yb_canbao", "taken": 0}]  # then the hall file's order
        assert not [t for t in summary["top_services"] if t["id"].startswith("zz_")], "self-service has no ticket"
        assert "公安服务区" in (await k.find("top:ga_shenfenzheng")).accessibleName()
        assert tiles
        await k.click("top:ga_shenfenzheng")
        await k.wait_screen("ticket")
        snap = await k.snapshot()
        assert [t["service_id"] for t in snap["tickets"]].count("ga_shenfenzheng") == 4

    make_kiosk.run(scenario)


def test_zone_tiles_say_what_the_zone_handles(make_kiosk):
    async def scenario():
        k = await make_kiosk()
        await k.click("home:take")
        tile = await k.find("zone:zonghe")
        assert "医保" in tile.note.text() and "公积金" in tile.note.text()
        assert "社保卡" in (await k.find("zone:renshe")).accessibleName()

    make_kiosk.run(scenario)


def test_large_text_mode_is_larger_and_speaks_the_number_and_next_step(make_kiosk):
    voice = RecorderBackend(seconds_per_char=0, chime_seconds=0)
    speaker = Speaker(voice)

    async def scenario():
        k = await make_kiosk(size=(1920, 1080))
        k.c.speaker = speaker  # the same hardware.voice Speaker the hall display speaks with
        search = k.button("home:search")
        normal_px = search.font().pixelSize()
        await k.click("home:large")
        await until(lambda: k.button("home:search").font().pixelSize() > normal_px, what="larger text")
        await until(lambda: len(k.window.pages["home"].top.items) == 4, what="fewer one-tap services in large text")
        assert speaker.wait_idle(5)
        said = [u.text for u in voice.utterances if u.text != voice.CHIME_TEXT]
        assert said and "请点击要办理的事项" in said[-1]

        await k.click("home:take")
        await k.click("zone:renshe")
        await k.click("service:rs_shebaoka")
        await k.wait_screen("ticket")
        number = k.c.state.ticket["number"]  # e.g. G001
        assert speaker.wait_idle(5)
        said = [u.text for u in voice.utterances if u.text != voice.CHIME_TEXT][-1]
        called = call_sentence(number, "1").speech  # how the hall display will call it: 请吉零零一号到…
        spoken_number = called[called.index("请") + 1:called.index("号")].strip()
        assert spoken_number[0] != number[0]  # the letter by its reading (G 吉), never the bare letter
        assert spoken_number in said, said  # read as calls read it: 吉零零一, not the bare letter G
        assert "前面没有人" in said and "人社服务专区" in said and "留意大屏" in said

        await k.click("ticket:done")
        await k.click("home:large")  # off again: quiet, normal size
        await until(lambda: k.button("home:search").font().pixelSize() == normal_px, what="normal text")

    try:
        make_kiosk.run(scenario)
    finally:
        speaker.close()


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)], ids=["1280x800", "1920x1080"])
def test_home_fits_without_a_scrollbar_notice_whole(make_kiosk, size):
    async def scenario():
        k = await make_kiosk(size=size)
        for service in ("rs_shebaoka", "ga_shenfenzheng", "hy_jiehun"):
            await k.client.issue_ticket(service)
        k.c.home()
        await until(lambda: len(k.window.pages["home"].top.items) >= 3, what="top services")
        for large in (False, True):
            if k.c.state.large != large:
                await k.click("home:large")
            await until(lambda want=large: k.c.state.large == want and k.window.pages["home"].isVisible(), what="mode")
            bar = k.window.stack.currentWidget().verticalScrollBar()
            await until(lambda bar=bar: not bar.isVisible() and bar.maximum() == 0, what=f"home without scrolling "
                        f"(large={large})")
            notice = k.window.pages["home"].notice
            bottom = notice.mapTo(k.window, notice.rect().bottomLeft()).y()
            assert notice.isVisible() and bottom <= size[1], f"notice cut at {bottom} (large={large})"
            for b in k.window.findChildren(QPushButton):
                if b.isVisible():
                    y = b.mapTo(k.window, b.rect().topLeft()).y()
                    assert y + b.height() <= size[1], f"{b.objectName()} cut off (large={large})"

    make_kiosk.run(scenario)


def lines(job: bytes) -> list[TextLine]:
    return [e for e in decode_escpos(job) if isinstance(e, TextLine)]


def dots(line: TextLine) -> int:
    return sum(12 * run.style.width * (2 if run.chinese and len(c.encode("gb18030")) > 1 else 1)
               for run in line.runs for c in run.text)


@pytest.mark.parametrize("hub", ["𠮷祥县政务服务中心"], indirect=True)
@pytest.mark.parametrize("paper,paper_dots", [(58, 384), (80, 576)])
def test_kiosk_tickets_fit_the_paper_width_in_its_settings(make_kiosk, paper, paper_dots):
    """The hall's name holds 𠮷 (not in GBK): printed as GB18030, never '?'."""
    async def scenario():
        sim = SimulatedPrinter()
        k = await make_kiosk(printer=sim)
        k.c.printer = TicketPrinter.from_config({"type": "simulator", "paper": paper})
        k.c.worker.printer = k.c.printer
        await k.click("home:search")
        k.type("社保卡")
        await k.click("service:rs_shebaoka")
        await k.wait_screen("ticket")
        await until(lambda: k.c.state.print_result == "printed", what="printed")
        printed = lines(k.c.printer.connection.last_job)
        texts = [ln.text for ln in printed]
        assert texts[0] == "𠮷祥县政务服务中心"
        assert "-" * (paper_dots // 12) in texts  # the rule spans the paper: 32 or 48 columns
        assert max(dots(ln) for ln in printed) <= paper_dots, {ln.text: dots(ln) for ln in printed}
        assert "社会保障卡申领、补换" in "".join(texts) and "?" not in "".join(texts)
        assert any(t.startswith("前面") for t in texts) and any(t.startswith("取号时间") for t in texts)

    make_kiosk.run(scenario)


def test_hall_file_keywords_are_checked_with_line_and_field(tmp_path):
    """Bad input tried: an empty keyword, one listed twice, one too long; each refused by name."""
    text = assets.path("halls/default.toml").read_text(encoding="utf-8")
    good = 'keywords = ["结婚", "领证", "结婚证", "登记结婚", "扯证", "婚姻登记"]'
    assert good in text
    for bad, words in (('["结婚", " "]', "empty"), ('["结婚", "结婚"]', "twice"), (f'["{"长" * 21}"]', "longer")):
        path = tmp_path / "hall.toml"
        path.write_text(text.replace(good, f"keywords = {bad}"), encoding="utf-8")
        with pytest.raises(ConfigError) as err:
            load_hall(path)
        line = text[:text.index(good)].count("\n") + 1
        assert "keywords" in str(err.value) and words in str(err.value) and err.value.line == line, str(err.value)


def test_the_paper_width_is_kept_in_the_kiosks_settings(tmp_path, monkeypatch):
    """Given once (--paper 58), used on the next start without it. Bad input tried: 57 mm."""
    monkeypatch.setenv("HALLQ_HOME", str(tmp_path))
    parse = build_parser().parse_args
    assert printer_settings(parse([])) == ("simulator", 80)
    spec, paper = printer_settings(parse(["--printer", "network:10.0.0.9", "--paper", "58"]))
    save_printer_settings(spec, paper)
    assert printer_settings(parse([])) == ("network:10.0.0.9", 58)
    assert printer_settings(parse(["--paper", "80"])) == ("network:10.0.0.9", 80)
    with pytest.raises(SystemExit):
        parse(["--paper", "57"])
