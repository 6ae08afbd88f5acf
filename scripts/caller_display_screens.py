"""Screenshots of the caller panel and the wall display, for looking at them as a user would.

    python scripts/caller_display_screens.py out/screens

Starts a hub with the default hall at a weekday 10:15, takes a few tickets, calls some, and
saves caller-login/idle/priority/line/narrow/call-reason/paused/disconnected.png, display.png (1920×1080),
display-portrait.png (1080×1920), display-zones-A-G.png (--zones A,G), display-window-2.png and
display-window-1-paused.png (the 窗口屏, 1366×768 and 800×480) and display-zone-A.png (--zone A).
"""
from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))
# screenshots need no screen: without this Qt looks for a display and aborts on a headless machine
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


async def wait_until(condition, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError("the screen did not reach the expected state")
        await asyncio.sleep(0.05)


def save(widget, path: Path) -> None:
    widget.repaint()
    if not widget.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    print(f"saved {path}")


async def scenario(out: Path, srv, clock) -> None:
    from caller.app import create_caller
    from display.app import create_display
    from hardware.idcard import make_id_number
    from hardware.voice import RecorderBackend, Speaker

    def client(role, window=None):
        return srv.client(role, f"{role}-{window or ''}", window, retry_delay=0.05, max_backoff=0.5)

    kiosk, other, console = client("kiosk"), client("caller", 2), client("console")
    hall = await kiosk.hall()
    here = [s["id"] for s in hall["services"] if 1 in s["windows"] and 2 in s["windows"]]
    await other.login(2, "c002", "731904")  # the hall issues only for services an open window serves
    for service in here[:6]:
        await kiosk.issue_ticket(service)
    await console.set_notice("欢迎光临新丰县政务服务中心。工作日 12:00-13:00 午间不打烊；请留意叫号，"
                             "过号请到服务台重新排队。办完事请为我们的服务“好差评”。")

    speaker = Speaker(RecorderBackend(seconds_per_char=0.0, chime_seconds=0.0))
    display, display_c = create_display(client("display"), speaker=speaker, clock=clock)
    display.resize(1920, 1080)
    display.show()
    caller, c = create_caller(client("caller", 1), 1, clock=clock)
    caller.show()
    await display_c.start()
    asyncio.ensure_future(c.start())
    await wait_until(lambda: c.hall is not None and c.connected)
    save(caller, out / "caller-login.png")

    await c.login("c001", "2580")
    await wait_until(lambda: c.logged_in and c.clerk_name)
    save(caller, out / "caller-idle.png")

    for _ in range(5):
        await other.call_next(2)
        clock.advance(minutes=3)
        await other.finish(2)
    await kiosk.issue_ticket(here[0], priority_reason="disabled",
                             holder={"name_masked": "王*华", "id_number": make_id_number("440303")})
    clock.advance(minutes=12)
    await c.call_next()  # the green-channel ticket goes first
    await c.serve()
    await wait_until(lambda: c.current and c.current["state"] == "serving")
    caller.render()
    save(caller, out / "caller-priority.png")

    await c.finish()
    for _ in range(3):
        await kiosk.issue_ticket(here[1])
    await wait_until(lambda: len(c.line) == 4)
    caller.render()
    caller.move_selection(1)
    caller.move_selection(1)
    save(caller, out / "caller-line.png")
    size = caller.size()
    caller.resize(640, 540)  # the demo's cell: a third of a 1080p screen's width, half its height
    await asyncio.sleep(0.05)
    save(caller, out / "caller-narrow.png")
    caller.resize(size)
    await asyncio.sleep(0.05)
    caller.trigger("call_ticket")
    save(caller, out / "caller-call-reason.png")
    caller.back_to_main()
    await c.pause("午休")
    await wait_until(lambda: c.paused)
    save(caller, out / "caller-paused.png")

    gongan = client("caller", 23)
    await gongan.login(23, "c003", "46213")  # a window of 公安 open, so its zone takes numbers
    for zone, n in (("renshe", 3), ("gongan", 2)):
        service = next(s["id"] for s in hall["services"] if s["zone"] == zone
                       and ({2, 23} & set(s["windows"])))
        for _ in range(n):
            await kiosk.issue_ticket(service)
    await other.call_next(2)
    await wait_until(lambda: len(display_c.calls) >= 7)
    display.flasher.stop()
    save(display, out / "display.png")

    screens = []
    for name, size, options in (("display-portrait", (1080, 1920), {}),
                                ("display-zones-A-G", (1920, 1080), {"zones": ["A", "G"]}),
                                ("display-window-2", (1366, 768), {"window": 2}),
                                ("display-window-1-paused", (800, 480), {"window": 1}),
                                ("display-zone-A", (1920, 1080), {"zone": "A"})):
        screen, screen_c = create_display(client("display"), clock=clock, **options)
        screen.resize(*size)
        screen.show()
        await screen_c.start()
        await wait_until(lambda: screen_c.connected and screen_c.zones
                         and (screen_c.mode != "zone" or screen_c.zone_windows()))
        screen.render()
        screens.append(screen_c)
        save(screen, out / f"{name}.png")

    await c.resume()
    srv.stop()
    await wait_until(lambda: not c.connected, 15)
    c.press("call_next")
    await wait_until(lambda: c.retrying, 15)
    save(caller, out / "caller-disconnected.png")
    await wait_until(lambda: not display_c.connected, 15)
    save(display, out / "display-offline.png")
    for cl in (kiosk, other, console):
        await cl.aclose()
    await c.aclose()
    await display_c.aclose()
    for screen_c in screens:
        await screen_c.aclose()
    speaker.close(drain=False)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0] if argv else "out/screens")
    out.mkdir(parents=True, exist_ok=True)
    import qasync
    from PySide6.QtWidgets import QApplication

    from hub.core.clock import ManualClock
    from hub.server import HubServer, build_service

    app = QApplication.instance() or QApplication(sys.argv[:1])
    clock = ManualClock(datetime(2026, 11, 23, 10, 15, tzinfo=ZoneInfo("Asia/Shanghai")))
    with tempfile.TemporaryDirectory(prefix="hallq-screens-") as tmp:
        srv = HubServer(build_service(Path(tmp) / "hall.db", None, clock)).start()
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        with loop:
            loop.run_until_complete(scenario(out, srv, clock))
    return 0


if __name__ == "__main__":
    sys.exit(main())
