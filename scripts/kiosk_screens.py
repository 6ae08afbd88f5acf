"""Saves a PNG of every kiosk screen, portrait 1080x1920, landscape 1920x1080 and a 1280x800 laptop.

    QT_QPA_PLATFORM=offscreen python scripts/kiosk_screens.py out/kiosk

Starts a real hub (temp database, the default hall, a clock at Monday 10:00), logs three of the
hall's clerks in at their windows (the hub issues no ticket for a service no open window serves),
builds the kiosk offscreen with a simulated printer and ID card reader, walks through the screens,
and also writes the printed ticket as a preview PNG (hardware.printer.preview.render_preview).
"""
from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import qasync  # noqa: E402
from PySide6.QtWidgets import QApplication, QPushButton  # noqa: E402

from hardware.idcard import IdCardReader  # noqa: E402
from hardware.idcard.simulator import SimulatedReader  # noqa: E402
from hardware.printer import SimulatedPrinter, TicketPrinter  # noqa: E402
from hub.core.clock import ManualClock  # noqa: E402
from hub.server import HubServer, build_service  # noqa: E402
from kiosk.app import create_kiosk  # noqa: E402

SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080), "small": (1280, 800)}
# The morning's staff (assets/halls/default.toml [[clerks]]): 综合窗口 1 (社保卡, most of 综合),
# 公安 window 85 (身份证) and 婚姻登记 window 95 (结婚登记).
MORNING = ((1, "c001", "2580"), (85, "c002", "731904"), (95, "c003", "46213"))
# No window serving it is open this morning: the kiosk shows the hub's refusal.
UNSTAFFED = ("gongan", "crj_huzhao")


async def settle(app, seconds: float = 0.15) -> None:
    # qasync runs Qt's events while we sleep; calling processEvents() here would re-enter the loop
    await asyncio.sleep(seconds)


async def until(app, predicate, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            import inspect

            raise TimeoutError(f"screen did not appear: {inspect.getsource(predicate).strip()}")
        await asyncio.sleep(0.05)


async def shoot(app, window, out: Path, name: str) -> list[Path]:
    saved = []
    for orientation, (w, h) in SIZES.items():
        window.resize(w, h)
        await settle(app)
        path = out / f"{name}-{orientation}.png"
        if (window.width(), window.height()) != (w, h):
            raise SystemExit(f"{name}: window is {window.width()}x{window.height()}, not {w}x{h}; "
                             f"minimum {window.minimumSizeHint().width()}x{window.minimumSizeHint().height()}; "
                             + ", ".join(f"{k}={p.minimumSizeHint().height()}" for k, p in window.pages.items()))
        window.grab().save(str(path))
        frame = window.stack.currentWidget()
        if frame.verticalScrollBar().isVisible():
            print(f"{path.name}: the page needs a scrollbar ({frame.widget().minimumSizeHint().height()} px "
                  f"in {frame.viewport().height()} px)")
        small = [b for b in window.findChildren(QPushButton) if b.isVisible() and b.height() < 110]
        if small:
            print(f"{path.name}: touch targets under 110 px:", [(b.objectName(), b.height()) for b in small])
        saved.append(path)
    return saved


async def walk(app, out: Path, tmp: Path) -> list[Path]:
    clock = ManualClock(datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    server = HubServer(build_service(tmp / "hall.db", None, clock)).start()
    sim_reader = SimulatedReader()
    sim_printer = SimulatedPrinter()
    client = server.client("kiosk", "screens", None, retry_delay=0.05, max_backoff=0.5)
    reader = IdCardReader(sim_reader.port)
    from hardware.voice import RecorderBackend, Speaker

    voice = RecorderBackend()
    window, c = create_kiosk(client, printer=TicketPrinter(sim_printer), reader=reader, clock=clock,
                             idle_seconds=600, printer_check_seconds=0.5, speaker=Speaker(voice))
    window.resize(*SIZES["portrait"])
    window.show()
    saved: list[Path] = []
    callers = [server.client("caller", f"screens-{w}", w) for w, _, _ in MORNING]
    try:
        for caller, (w, clerk, pin) in zip(callers, MORNING):
            await caller.login(w, clerk, pin)
        await until(app, lambda: c.state.screen == "home" and c.state.connected)
        for service, times in (("rs_shebaoka", 3), ("ga_shenfenzheng", 2), ("hy_jiehun", 1)):
            for _ in range(times):
                await client.issue_ticket(service)
        c.home()
        await until(app, lambda: c.top_ids[:1] == ["rs_shebaoka"])
        saved += await shoot(app, window, out, "01-home")
        c.open_search()
        window.pages["services"].search.setText("yibao")
        saved += await shoot(app, window, out, "01b-search-from-home-yibao")
        c.home()
        c.toggle_large()
        saved += await shoot(app, window, out, "01c-home-large")
        c.take_number()
        await until(app, lambda: c.zone_stats)
        saved += await shoot(app, window, out, "01d-zones-large")
        c.home()
        c.choose_service("rs_shebaoka")
        await until(app, lambda: c.state.screen == "card")
        c.skip_card()
        await until(app, lambda: c.state.screen == "ticket")
        saved += await shoot(app, window, out, "01e-ticket-large")
        print("spoken:", [u.text for u in voice.utterances if u.text != voice.CHIME_TEXT])
        c.home()
        c.toggle_large()
        c.take_number()
        await until(app, lambda: c.zone_stats)
        saved += await shoot(app, window, out, "02-zones")
        c.choose_zone("zonghe")
        saved += await shoot(app, window, out, "03-services")
        c.back()
        c.choose_zone("zizhu")
        saved += await shoot(app, window, out, "04-selfservice-directions")
        c.back()
        c.search_all()
        window.pages["services"].search.setText("sbk")
        saved += await shoot(app, window, out, "05-search")
        c.choose_service("rs_shebaoka")
        saved += await shoot(app, window, out, "06-card-prompt")
        # The citizen takes the card away after the failed read: left on the reader, it is read
        # again while the shots are taken and the kiosk issues a ticket instead.
        sim_reader.garble_next("checksum", on="read")
        sim_reader.remove_after_next(on="read")
        sim_reader.insert("王秀英", "F", date(1985, 6, 1))
        await until(app, lambda: c.state.card_problem or c.state.screen == "ticket")
        if c.state.screen != "card":
            raise SystemExit(f"07-card-read-failed: the kiosk went to {c.state.screen!r} on a garbled read")
        saved += await shoot(app, window, out, "07-card-read-failed")
        sim_reader.remove()
        await until(app, lambda: not c.state.busy)  # the reader may read the card again meanwhile
        c.home()
        await until(app, lambda: c.state.screen == "home")
        await asyncio.sleep(0.5)
        c.take_number()
        c.choose_zone("zonghe")
        service = next(s["id"] for s in c.services_shown() if s.get("windows") and not s.get("bundle"))
        sim_reader.insert("李建国", "M", date(1950, 3, 2))
        c.choose_service(service)
        await until(app, lambda: c.state.screen == "senior")
        saved += await shoot(app, window, out, "08-senior-prompt")
        c.senior_answer(True)
        await until(app, lambda: c.state.screen == "ticket" and c.state.print_result == "printed")
        saved += await shoot(app, window, out, "09-ticket")
        from hardware.printer.preview import render_preview

        saved.append(render_preview(sim_printer.last_job, out / "10-ticket-preview.png"))
        sim_reader.remove()
        c.home()
        c.start_priority()
        saved += await shoot(app, window, out, "11-priority-reasons")
        c.home()
        c.appointment()
        for key in "1234":
            c.appt_key(key)
        saved += await shoot(app, window, out, "12-appointment-keypad")
        for key in "56":
            c.appt_key(key)
        c.appt_confirm()
        await until(app, lambda: c.state.screen == "message")
        saved += await shoot(app, window, out, "13-appointment-not-found")
        c.home()
        c.take_number()
        await until(app, lambda: UNSTAFFED[1] in c.no_window)
        c.choose_zone(UNSTAFFED[0])
        saved += await shoot(app, window, out, "13a-no-window-marked")
        c.choose_service(UNSTAFFED[1])  # said before the card step: no skip needed
        await until(app, lambda: c.state.screen == "message")
        saved += await shoot(app, window, out, "13b-no-window-open")
        c.home()
        c.take_number()
        c.choose_zone("renshe")
        sim_printer.paper_out = True
        c.choose_service("rs_shebaoka")
        c.skip_card()
        await until(app, lambda: c.state.screen == "ticket" and c.state.print_result == "failed")
        saved += await shoot(app, window, out, "14-printer-fault")
        c.home()
        saved += await shoot(app, window, out, "15-home-printing-off")
        sim_printer.paper_out = False
        await until(app, lambda: not c.printer_fault)
        server.stop()
        await until(app, lambda: not c.state.connected)
        c.take_number()
        c.choose_zone("renshe")
        c.choose_service("rs_shebaoka")
        c.skip_card()
        await until(app, lambda: c.state.screen == "unreachable", timeout=20)
        saved += await shoot(app, window, out, "16-hub-unreachable")
        c.home()
        saved += await shoot(app, window, out, "17-home-hub-down")
        c.set_lang("en")
        server = HubServer(build_service(tmp / "hall.db", None, clock), port=server.port).start()
        await until(app, lambda: c.state.connected, timeout=20)
        saved += await shoot(app, window, out, "18-home-en")
        c.take_number()
        c.choose_zone("zonghe")
        saved += await shoot(app, window, out, "19-services-en")
        clock.set(datetime(2026, 11, 23, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
        c.home()
        c.set_lang("zh_CN")
        c.take_number()
        await until(app, lambda: not c.zone_open(c.zone("zonghe")))
        saved += await shoot(app, window, out, "20-zones-evening")
    finally:
        await c.aclose()
        await client.aclose()
        for caller in callers:
            await caller.aclose()
        window.close()
        server.stop()
        sim_reader.close()
    return saved


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory() as tmp:
        saved = loop.run_until_complete(walk(app, out, Path(tmp)))
    for path in saved:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
