"""`hallq caller --hub URL --token TOKEN --window N`: the clerk's panel beside their own work."""
from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from hardware.fonts import register_qt_cjk_font
from hub.client import HubClient

from .controller import CallerController
from .view import CallerWindow

log = logging.getLogger("hallq.caller")


def create_caller(client: HubClient, window_id: int, *, clock=None, lang: str = "zh_CN",
                  on_top: bool = False) -> tuple[CallerWindow, CallerController]:
    """The panel and its controller; call `await controller.start()` (or schedule it) inside the qasync loop."""
    from PySide6.QtCore import Qt

    register_qt_cjk_font()
    controller = CallerController(client, window_id, clock=clock, lang=lang)
    window = CallerWindow(controller)
    if on_top:
        window.setWindowFlag(Qt.WindowStaysOnTopHint, True)
    return window, controller


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="hallq caller", description="叫号器 — the clerk's caller panel")
    p.add_argument("--hub", required=True, help="the hub's address, e.g. http://10.0.0.5:8600")
    p.add_argument("--token", required=True, help="this caller's device token (hallq hub pair --role caller)")
    p.add_argument("--window", type=int, required=True, help="the window this caller is paired to")
    p.add_argument("--lang", choices=["zh_CN", "en"], default="zh_CN")
    p.add_argument("--on-top", action="store_true", help="keep the panel above other windows")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    client = HubClient(args.hub, args.token)
    window, controller = create_caller(client, args.window, lang=args.lang, on_top=args.on_top)
    window.show()
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    with loop:
        loop.create_task(controller.start())
        loop.run_until_complete(closed.wait())
        loop.run_until_complete(controller.aclose())
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    sys.exit(main())
