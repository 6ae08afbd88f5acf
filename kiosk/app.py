"""`hallq kiosk`: the full-screen self-service ticket machine.

    hallq kiosk --hub https://10.0.0.5:8600 --token T [--printer simulator|file:PATH|network:HOST[:PORT]|
                serial:PORT|usb:VID:PID|win32:NAME] [--reader PORT|simulator|none] [--lang zh_CN|en]
                [--paper 58|80] [--voice auto|pyttsx3|clips|recorder|none]
                [--windowed] [--portrait] [--idle 30]

--printer and --paper are kept in the kiosk's device settings: an installer gives them once.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys

from hub.client import HubClient, add_connection_arguments, connect_or_exit, device_settings_path
from hub.client.qtgc import collect_from_event_loop

from .controller import KioskController
from .text import LANGS

log = logging.getLogger("hallq.kiosk")
PAPERS = (58, 80)  # mm: hardware.printer.PAPER_DOTS


def create_kiosk(client: HubClient, *, printer, reader=None, clock=None, lang: str = "zh_CN",
                 idle_seconds: int = 30, printer_check_seconds: float = 5.0, speaker=None):
    """Builds the kiosk window and its controller on a running qasync loop and starts them.

    printer: a hardware.printer.TicketPrinter (or None: no printer, the number is shown only);
    reader: an hardware.idcard.IdCardReader (or None); speaker: a hardware.voice Speaker for
    the 适老化 mode's spoken help (or None)."""
    from .views.style import app_font, register_cjk_font
    from .views.window import KioskWindow

    from PySide6.QtWidgets import QApplication

    register_cjk_font()
    app = QApplication.instance()
    if app is not None:
        app.setFont(app_font())
    controller = KioskController(client, printer=printer, reader=reader, clock=clock, lang=lang,
                                 idle_seconds=idle_seconds, printer_check_seconds=printer_check_seconds,
                                 speaker=speaker)
    window = KioskWindow(controller)
    controller.start()
    return window, controller


def parse_printer(spec: str | None) -> dict | None:
    """--printer value -> a hardware.printer.open_printer config."""
    if not spec or spec == "none":
        return None
    kind, _, rest = spec.partition(":")
    if kind == "simulator":
        return {"type": "simulator"}
    if kind == "file" and rest:
        return {"type": "file", "path": rest}
    if kind == "network" and rest:
        host, _, port = rest.partition(":")
        return {"type": "network", "host": host, **({"port": int(port)} if port else {})}
    if kind == "serial" and rest:
        return {"type": "serial", "port": rest}
    if kind == "usb" and rest.count(":") == 1:
        vendor, product = rest.split(":")
        return {"type": "usb", "vendor": int(vendor, 16), "product": int(product, 16)}
    if kind == "win32" and rest:
        return {"type": "win32raw", "name": rest}
    raise argparse.ArgumentTypeError(
        f"打印机参数无效 / invalid --printer {spec!r}: simulator | file:PATH | network:HOST[:PORT] | "
        "serial:PORT | usb:VID:PID (hex) | win32:NAME | none")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hallq kiosk", description="自助取号机 / self-service ticket kiosk")
    add_connection_arguments(p, "kiosk")
    p.add_argument("--printer", default=None, help="saved; the first default is simulator. "
                   "simulator | file:PATH | network:HOST[:PORT] | "
                   "serial:PORT | usb:VID:PID | win32:NAME | none")
    p.add_argument("--paper", type=int, choices=PAPERS, default=None,
                   help="ticket paper width in mm (saved; first default 80)")
    p.add_argument("--voice", choices=["auto", "pyttsx3", "clips", "recorder", "none"], default="auto",
                   help="the voice of the large-text mode, as the hall display's")
    p.add_argument("--reader", default="none", help="ID card reader serial port, 'simulator' or 'none'")
    p.add_argument("--lang", default="zh_CN", choices=LANGS)
    p.add_argument("--windowed", action="store_true", help="a window instead of full screen")
    p.add_argument("--portrait", action="store_true", help="1080x1920 window (with --windowed)")
    p.add_argument("--idle", type=int, default=30, help="seconds without a touch before returning home")
    return p


def printer_settings(args) -> tuple[str, int]:
    """The printer and its paper width: as given now, else as saved in the device settings."""
    path = device_settings_path("kiosk")
    try:
        saved = json.loads(path.read_text(encoding="utf-8")).get("printer", {}) if path.exists() else {}
    except (OSError, ValueError, AttributeError):
        saved = {}
    spec = args.printer or saved.get("spec") or "simulator"
    paper = args.paper or saved.get("paper") or 80
    return spec, paper


def save_printer_settings(spec: str, paper: int) -> None:
    path = device_settings_path("kiosk")
    try:
        settings = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (OSError, ValueError):
        settings = {}
    settings["printer"] = {"spec": spec, "paper": paper}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(settings), encoding="utf-8")
    path.chmod(0o600)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    spec, paper = printer_settings(args)
    try:
        printer_config = parse_printer(spec)
    except argparse.ArgumentTypeError as e:
        print(e, file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    connection = connect_or_exit(args, "kiosk")
    save_printer_settings(spec, paper)  # after pairing wrote the file, so neither loses the other

    import qasync
    from PySide6.QtWidgets import QApplication

    from hardware.printer import PrinterConfigError, TicketPrinter

    try:
        printer = TicketPrinter.from_config({**printer_config, "paper": paper}) if printer_config else None
    except PrinterConfigError as e:
        print(e, file=sys.stderr)
        return 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    collect_from_event_loop(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    client = connection.client()
    reader, simulated = _reader(args.reader)
    from hardware.voice import make_speaker

    speaker = None if args.voice == "none" else make_speaker(args.voice)
    window, controller = create_kiosk(client, printer=printer, reader=reader,
                                      lang=args.lang, idle_seconds=args.idle, speaker=speaker)
    if args.windowed:
        window.resize(1080, 1920) if args.portrait else window.resize(1920, 1080)
        window.show()
    else:
        window.showFullScreen()
    with loop:
        try:
            loop.run_until_complete(_until_closed(app))
        finally:
            loop.run_until_complete(controller.aclose())
            loop.run_until_complete(client.aclose())
            if simulated is not None:
                simulated.close()
            if speaker is not None:
                speaker.close(drain=False, timeout=2)
    return 0


def _reader(spec: str):
    if not spec or spec == "none":
        return None, None
    from hardware.idcard import IdCardReader

    simulated = None
    port = spec
    if spec == "simulator":
        from datetime import date

        from hardware.idcard.simulator import SimulatedReader

        simulated = SimulatedReader()
        simulated.insert("张三", "M", date(1950, 3, 2))
        port = simulated.port
    return IdCardReader(port), simulated


async def _until_closed(app) -> None:
    done = asyncio.Event()
    app.lastWindowClosed.connect(done.set)
    app.aboutToQuit.connect(done.set)
    await done.wait()


if __name__ == "__main__":
    raise SystemExit(main())
