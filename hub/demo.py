"""`hallq demo`: the whole hall on one machine — a hub, a kiosk, two callers and a wall display.

    hallq demo [--crowd-rate 6] [--no-crowd] [--db PATH] [--port N] [--seconds N] [--screenshots DIR]
               [--screen 1920x1080] [--voice ...]

The hall is always open: if it is outside the general zone's hours now, the demo's clock starts
at the next weekday 09:30 and runs on from there. A simulated crowd takes tickets so the
callers have someone to call; the clerks are you. The windows are tiled on the screen
(hub/demo_windows.py); Ctrl+C (or closing every window) stops the whole hall.
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import inspect
import logging
import random
import signal
import sys
import tempfile
from datetime import datetime, timedelta, time
from pathlib import Path

from .core.clock import OffsetClock, SystemClock
from .core.config import HallConfig, load_hall
from .demo_windows import tile, wall_preview
from .server import DEFAULT_HALL, HubServer, build_service

log = logging.getLogger("hallq.demo")


def opening_moment(config: HallConfig, now: datetime) -> datetime:
    """`now` if the general (first) zone is open, else the next working day's 09:30 in the hall's zone."""
    local = now.astimezone(config.tz)
    if config.zone_open(config.zones[0], local):
        return local
    day = local.date() + (timedelta(days=0) if local.time() < time(9, 30) else timedelta(days=1))
    while config.hours_weekday(day) in (None, 5, 6):  # a holiday, or a weekend day not worked
        day += timedelta(days=1)
    return datetime.combine(day, time(9, 30), tzinfo=config.tz)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="hallq demo", description="整个大厅：服务器、取号机、两个叫号器和大屏")
    p.add_argument("--crowd-rate", type=float, default=6.0, help="tickets the simulated crowd takes per minute")
    p.add_argument("--no-crowd", action="store_true", help="no simulated crowd; take tickets at the kiosk")
    p.add_argument("--db", type=Path, help="SQLite file (default: a temporary one)")
    p.add_argument("--port", type=int, help="hub port (default: a free one)")
    p.add_argument("--seconds", type=float, help="quit after this many seconds (for tests)")
    p.add_argument("--screenshots", type=Path, help="save a PNG of every window here before quitting")
    p.add_argument("--screen", type=_screen, help="lay the windows out for a screen of this size, e.g. 1920x1080 "
                                                 "(default: the screen's own)")
    from hardware.voice.options import add_voice_arguments

    add_voice_arguments(p)
    args = p.parse_args(argv)
    if args.crowd_rate <= 0 or args.crowd_rate > 600:
        p.error("--crowd-rate must be between 0 and 600 tickets per minute")
    if args.seconds is not None and args.seconds <= 0:
        p.error("--seconds must be positive")
    return args


def _screen(text: str) -> tuple[int, int]:
    try:
        w, h = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"screen size {text!r} is not WIDTHxHEIGHT, e.g. 1920x1080") from None
    if not (640 <= w <= 10000 and 480 <= h <= 10000):
        raise argparse.ArgumentTypeError(f"screen size {text!r} is out of range (640x480 and up)")
    return w, h


async def crowd(client, rate: float, issued: list[dict], rng: random.Random) -> None:
    """Citizens arriving at a steady rate, each for a random service that is open now."""
    first = True
    while True:
        try:
            hall = await client.hall()
            open_zones = {z["id"] for z in hall["zones"] if z["open_now"]}
            # only services an open window serves: the hub issues no ticket nobody could call
            staffed = {w["id"] for w in (await client.snapshot())["windows"] if w["state"] == "open"}
            services = [s["id"] for s in hall["services"]
                        if set(s["windows"]) & staffed and s["zone"] in open_zones]
            # a small morning queue at once, so the callers have someone to call straight away
            for _ in range(3 if first else 1):
                if services:
                    issued.append((await client.issue_ticket(rng.choice(services)))["ticket"])
            first = False
        except Exception as e:  # the crowd is decoration; it must never stop the demo
            log.warning("crowd could not take a ticket: %s", e)
        await asyncio.sleep(60.0 / rate)


def _kiosk_parts():
    """A simulated printer and ID reader (with a senior's card on it) for the kiosk, if available."""
    printer = reader = simulated = None
    try:
        from hardware.printer import TicketPrinter

        printer = TicketPrinter.from_config({"type": "simulator"})
    except Exception as e:
        log.warning("no simulated printer (%s); the kiosk shows numbers without printing", e)
    try:
        from datetime import date

        from hardware.idcard import IdCardReader
        from hardware.idcard.simulator import SimulatedReader

        simulated = SimulatedReader()
        simulated.insert("张三", "M", date(1950, 3, 2))
        port = simulated.port
        reader = IdCardReader(port)
    except Exception as e:
        log.warning("no simulated ID card reader (%s)", e)
    return printer, reader, simulated


DEMO_USER = "admin"
DEMO_PASSWORD = "hallq-demo"


async def run(args, srv: HubServer, config: HallConfig, clock, app, closed: asyncio.Event) -> int:
    from caller.app import create_caller
    from display.app import create_display
    from hardware.voice.options import speaker_from_arguments

    from .client import HubClient

    def client(role: str, name: str, window: int | None = None) -> HubClient:
        return srv.client(role, name, window)  # paired on the hub's machine, pinned to its hall CA

    clients: list[HubClient] = []
    closers = []
    windows: dict[str, object] = {}

    # one voice for the hall: the display's calls and, in its 适老化 mode, the kiosk's words
    speaker = speaker_from_arguments(args)
    kiosk_parts = None
    try:
        from kiosk.app import create_kiosk
    except ImportError as e:
        create_kiosk = None
        log.warning("kiosk app not available (%s); the demo runs without the kiosk window", e)
    if create_kiosk is not None:
        printer, reader, simulated = kiosk_parts = _kiosk_parts()
        kc = client("kiosk", "Demo kiosk")
        clients.append(kc)
        try:
            # the kiosk speaks once its 适老化 mode takes a speaker (issue 11, KIOSK's branch)
            voice = {"speaker": speaker} if "speaker" in inspect.signature(create_kiosk).parameters else {}
            kiosk_window, kiosk_controller = create_kiosk(kc, printer=printer, reader=reader,
                                                          clock=clock, **voice)
            kiosk_window.show()
            windows["kiosk"] = kiosk_window
            closers.append(kiosk_controller.aclose)
        except Exception:
            log.exception("the kiosk window could not start; going on without it")

    dc = client("display", "Demo display")
    clients.append(dc)
    display_window, display = create_display(dc, speaker=speaker, clock=clock, repeat=args.repeat)
    preview = wall_preview(display_window)
    preview.show()
    windows["display"] = preview
    closers.append(display.aclose)
    await display.start()

    callers = []
    for window_id, clerk in zip((1, 2), config.clerks[:2]):
        cc = client("caller", f"Demo caller {window_id}", window_id)
        clients.append(cc)
        panel, controller = create_caller(cc, window_id, clock=clock)
        panel.show()
        windows[f"caller-{window_id}"] = panel
        callers.append((controller, clerk))
        closers.append(controller.aclose)
    await tile(windows, app.primaryScreen(), args.screen)
    for controller, clerk in callers:
        await controller.start()
        await controller.login(clerk.id, clerk.pin)
        print(f"demo: {controller.window_label()} — {clerk.name} ({clerk.id}) logged in; "
              "F1 叫号 F2 重呼 F3 过号 F4 转移 F5 办结 F6 暂停", flush=True)

    issued: list[dict] = []
    crowd_task = None
    if not args.no_crowd:
        crowd_client = client("kiosk", "Demo crowd")
        clients.append(crowd_client)
        crowd_task = asyncio.ensure_future(crowd(crowd_client, args.crowd_rate, issued, random.Random()))

    print(f"demo: hub at {srv.url} — {config.hall.name}, hall clock {clock.now():%Y-%m-%d %H:%M}", flush=True)
    print(f"demo: hall CA fingerprint / 证书指纹 {srv.tls.fingerprint}; ticket pages on {srv.public_url}", flush=True)
    print(f"demo: a browser warns about the hall's own CA until it trusts {srv.tls.certfile.parent / 'hall-ca.pem'}",
          flush=True)
    print("demo: Ctrl+C stops the whole hall", flush=True)
    if not srv.service.has_console_password():
        # A demo only; in a hall: `hallq hub user add NAME --role admin` on the hub's machine.
        srv.service.add_user("hallq demo", DEMO_USER, "admin", DEMO_PASSWORD)
        print(f"demo: manager console {srv.url}/console — user {DEMO_USER}, password {DEMO_PASSWORD}", flush=True)
    else:
        print(f"demo: manager console {srv.url}/console", flush=True)
    app.lastWindowClosed.connect(closed.set)
    try:
        await asyncio.wait_for(closed.wait(), args.seconds)
    except asyncio.TimeoutError:
        pass
    if args.screenshots:
        args.screenshots.mkdir(parents=True, exist_ok=True)
        for name, widget in {**windows, "display": display_window}.items():
            path = args.screenshots / f"{name}.png"
            widget.grab().save(str(path))
            print(f"demo: saved {path}", flush=True)
    for w in [*windows.values(), display_window]:
        w.hide()  # gone at once; the rest of the shutdown happens behind them
    if crowd_task:
        crowd_task.cancel()
    # concurrently, so that Ctrl+C ends the demo within 2 s
    results = await asyncio.gather(*(close() for close in closers), return_exceptions=True)
    for r in results:
        if isinstance(r, Exception):
            log.error("closing failed: %s", r)
    await asyncio.gather(*(c.aclose() for c in clients), return_exceptions=True)
    for w in [*windows.values(), display_window]:
        w.close()
    if speaker is not None:
        speaker.close(drain=False, timeout=1)
    if kiosk_parts and kiosk_parts[2] is not None:
        kiosk_parts[2].close()
    tickets = srv.service.hall.state.tickets.values()
    called = sum(1 for t in tickets if t.called_at)
    print(f"demo: {len(tickets)} tickets issued ({len(issued)} by the crowd), {called} called", flush=True)
    return 0


def stop_on_signals(loop, closed: asyncio.Event, app) -> None:
    """Ctrl+C and SIGTERM end the demo like closing its windows: without a KeyboardInterrupt
    raised inside whichever Qt slot happens to run (a traceback, and the demo went on)."""
    from PySide6.QtCore import QTimer

    def handler(signum, frame):
        loop.call_soon_threadsafe(closed.set)

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, handler)
    # Python runs a signal handler only between bytecodes; while Qt waits in C++ nothing runs,
    # so a short timer lets the handler in within a tenth of a second.
    app._hallq_signal_timer = timer = QTimer()
    timer.start(100)
    timer.timeout.connect(lambda: None)


def _quit_while_starting(signum, frame):
    raise SystemExit(0)  # quietly, through the `finally` that stops the hub; no traceback


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGINT, _quit_while_starting)  # until the windows' loop takes over
    import qasync
    from PySide6.QtWidgets import QApplication

    from .client.qtgc import collect_from_event_loop

    # The console address and password are printed last and must stay on screen: warnings only,
    # no line per request (httpx) and none per ID-card poll.
    logging.getLogger().setLevel(logging.WARNING)
    for name in ("httpx", "hardware.idcard"):
        logging.getLogger(name).setLevel(logging.WARNING)
    config = load_hall(DEFAULT_HALL)
    clock = OffsetClock(opening_moment(config, SystemClock(config.tz).now()))
    with tempfile.TemporaryDirectory(prefix="hallq-demo-") as tmp:
        db = args.db or Path(tmp) / "demo.db"
        # The demo serves as a hall does: HTTPS for devices and the console (a hall CA beside the
        # database), citizens' ticket pages on a listener of their own.
        srv = HubServer(build_service(db, config, clock), port=args.port, public_port=0).start()
        try:
            app = QApplication.instance() or QApplication(sys.argv[:1])
            collect_from_event_loop(app)
            app.setQuitOnLastWindowClosed(False)
            loop = qasync.QEventLoop(app)
            asyncio.set_event_loop(loop)
            closed = asyncio.Event()
            stop_on_signals(loop, closed, app)
            with loop:
                return loop.run_until_complete(run(args, srv, config, clock, app, closed))
        finally:
            srv.stop()
            # Everything is closed; what is left is memory the OS takes back at exit. Collecting
            # it object by object took seconds (the kiosk's pinyin tables, Qt wrappers), so
            # Ctrl+C overran its 2 s: keep the collector off it.
            gc.freeze()


if __name__ == "__main__":
    sys.exit(main())
