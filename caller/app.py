"""`hallq caller [--pair CODE | --hub URL --token TOKEN] [--window N]`: the clerk's panel beside their own work."""
from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from hardware.fonts import register_qt_cjk_font
from hub.client import HubClient, add_connection_arguments, connect_or_exit
from hub.client.qtgc import collect_from_event_loop

from .controller import CallerController
from .view import CallerWindow

log = logging.getLogger("hallq.caller")


def create_caller(client: HubClient, window_id: int, *, clock=None, lang: str = "zh_CN",
                  on_top: bool = False, settings_role: str | None = None) -> tuple[CallerWindow, CallerController]:
    """The panel and its controller; call `await controller.start()` (or schedule it) inside the qasync loop.
    `settings_role`: the device settings that remember the panel's geometry (None: not remembered)."""
    from PySide6.QtCore import Qt

    register_qt_cjk_font()
    controller = CallerController(client, window_id, clock=clock, lang=lang)
    window = CallerWindow(controller, settings_role=settings_role)
    if on_top:
        window.setWindowFlag(Qt.WindowStaysOnTopHint, True)
    return window, controller


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="hallq caller", description="叫号器 — the clerk's caller panel")
    add_connection_arguments(p, "caller")
    p.add_argument("--window", type=int, help="the window (default: the one this caller was paired to)")
    p.add_argument("--lang", choices=["zh_CN", "en"], default="zh_CN")
    p.add_argument("--on-top", action="store_true", help="keep the panel above other windows")
    return p.parse_args(argv)


def paired_window(args, me: dict | None) -> int | None:
    """--window if given, else the window this device was paired to; None (with a message) if neither."""
    window_id = args.window or (me or {}).get("window_id")
    if window_id is None:
        print("请用 --window 指定窗口号 / pass --window N", file=sys.stderr)
    return window_id


def run_until_closed(build) -> int:
    """Runs a panel in Qt's loop until its last window closes; `build()` makes and shows the
    window and returns (window, controller) once the qasync loop exists."""
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])

    collect_from_event_loop(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    window, controller = build()
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    with loop:
        loop.create_task(controller.start())
        loop.run_until_complete(closed.wait())
        loop.run_until_complete(controller.aclose())
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    connection = connect_or_exit(args, "caller")
    me = connection.me
    window_id = paired_window(args, me)
    if window_id is None:
        return 2

    def build():
        window, controller = create_caller(connection.client(), window_id, lang=args.lang, on_top=args.on_top,
                                           settings_role="caller")
        window.show()
        return window, controller

    return run_until_closed(build)

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    sys.exit(main())
