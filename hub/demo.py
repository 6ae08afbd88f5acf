"""`hallq demo`: the whole hall on one machine — a hub, a kiosk, two callers and a wall display.

    hallq demo [--crowd-rate 6] [--no-crowd] [--db PATH] [--port N] [--seconds N] [--screenshots DIR]

The hall is always open: if it is outside the general zone's hours now, the demo's clock starts
at the next weekday 09:30 and runs on from there. A simulated crowd takes tickets so the
callers have someone to call; the clerks are you.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import random
import sys
import tempfile
from datetime import datetime, timedelta, time
from pathlib import Path

from .core.clock import OffsetClock, SystemClock
from .core.config import HallConfig, load_hall
from .server import DEFAULT_HALL, HubServer, build_service

log = logging.getLogger("hallq.demo")


def opening_moment(config: HallConfig, now: datetime) -> datetime:
    """`now` if the general (first) zone is open, else the next weekday 09:30 in the hall's zone."""
    local = now.astimezone(config.tz)
    if config.zones[0].is_open(local):
        return local
    day = local.date() + (timedelta(days=0) if local.time() < time(9, 30) else timedelta(days=1))
    while day.weekday() >= 5:
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
    p.add_argument("--voice", choices=["auto", "pyttsx3", "clips", "recorder"], default="auto")
    args = p.parse_args(argv)
    if args.crowd_rate <= 0 or args.crowd_rate > 600:
        p.error("--crowd-rate must be between 0 and 600 tickets per minute")
    if args.seconds is not None and args.seconds <= 0:
        p.error("--seconds must be positive")
    return args


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


async def run(args, srv: HubServer, config: HallConfig, clock, app) -> int:
    from caller.app import create_caller
    from display.app import create_display
    from hardware.voice import make_speaker

    from .client import HubClient

    def client(role: str, name: str, window: int | None = None) -> HubClient:
        return srv.client(role, name, window)  # paired on the hub's machine, pinned to its hall CA

    clients: list[HubClient] = []
    closers = []
    windows: dict[str, object] = {}

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
            kiosk_window, kiosk_controller = create_kiosk(kc, printer=printer, reader=reader,
                                                          clock=clock)
            kiosk_window.resize(1280, 800)
            kiosk_window.show()
            windows["kiosk"] = kiosk_window
            closers.append(kiosk_controller.aclose)
        except Exception:
            log.exception("the kiosk window could not start; going on without it")

    speaker = make_speaker(args.voice)
    dc = client("display", "Demo display")
    clients.append(dc)
    display_window, display = create_display(dc, speaker=speaker, clock=clock)
    display_window.resize(1920, 1080)
    display_window.show()
    windows["display"] = display_window
    await display.start()

    callers = []
    for window_id, clerk in zip((1, 2), config.clerks[:2]):
        cc = client("caller", f"Demo caller {window_id}", window_id)
        clients.append(cc)
        panel, controller = create_caller(cc, window_id, clock=clock)
        panel.move(40 + 440 * (window_id - 1), 60)
        panel.show()
        windows[f"caller-{window_id}"] = panel
        callers.append((controller, clerk))
        closers.append(controller.aclose)
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
    if not srv.service.has_console_password():
        # A demo only; in a hall: `hallq hub user add NAME --role admin` on the hub's machine.
        srv.service.add_user("hallq demo", DEMO_USER, "admin", DEMO_PASSWORD)
        print(f"demo: manager console {srv.url}/console — user {DEMO_USER}, password {DEMO_PASSWORD}", flush=True)
    else:
        print(f"demo: manager console {srv.url}/console", flush=True)
    closed = asyncio.Event()
    app.lastWindowClosed.connect(closed.set)
    try:
        await asyncio.wait_for(closed.wait(), args.seconds)
    except asyncio.TimeoutError:
        pass
    if args.screenshots:
        args.screenshots.mkdir(parents=True, exist_ok=True)
        for name, widget in windows.items():
            path = args.screenshots / f"{name}.png"
            widget.grab().save(str(path))
            print(f"demo: saved {path}", flush=True)
    if crowd_task:
        crowd_task.cancel()
    for close in closers:
        try:
            await close()
        except Exception:
            log.exception("closing failed")
    for c in clients:
        await c.aclose()
    for w in windows.values():
        w.close()
    speaker.close(drain=False, timeout=5)
    if kiosk_parts and kiosk_parts[2] is not None:
        kiosk_parts[2].close()
    tickets = srv.service.hall.state.tickets.values()
    called = sum(1 for t in tickets if t.called_at)
    print(f"demo: {len(tickets)} tickets issued ({len(issued)} by the crowd), {called} called", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import qasync
    from PySide6.QtWidgets import QApplication

    # a demo card lies on the simulated reader the whole time; one log line per poll is noise
    logging.getLogger("hardware.idcard").setLevel(logging.WARNING)
    config = load_hall(DEFAULT_HALL)
    clock = OffsetClock(opening_moment(config, SystemClock(config.tz).now()))
    with tempfile.TemporaryDirectory(prefix="hallq-demo-") as tmp:
        db = args.db or Path(tmp) / "demo.db"
        # The demo serves as a hall does: HTTPS for devices and the console (a hall CA beside the
        # database), citizens' ticket pages on a listener of their own.
        srv = HubServer(build_service(db, config, clock), port=args.port, public_port=0).start()
        try:
            app = QApplication.instance() or QApplication(sys.argv[:1])
            app.setQuitOnLastWindowClosed(False)
            loop = qasync.QEventLoop(app)
            asyncio.set_event_loop(loop)
            with loop:
                return loop.run_until_complete(run(args, srv, config, clock, app))
        finally:
            srv.stop()


if __name__ == "__main__":
    sys.exit(main())
