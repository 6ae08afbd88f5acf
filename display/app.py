"""`hallq display --hub URL --token TOKEN [--zones A,B | --window N | --zone G] [--windowed [--portrait]]
[--voice auto|pyttsx3|piper|sherpa-onnx|clips|recorder|none] [--volume 0-100] [--repeat N] [--voice-id NAME]
[--voice-model PATH] [--clips DIR]`: the hall's wall display, the small screen above one window, or a zone's screen."""
from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from hardware.fonts import register_qt_cjk_font
from hardware.voice.options import add_voice_arguments, speaker_from_arguments
from hub.client import HubClient, add_connection_arguments, connect_or_exit
from hub.client.qtgc import collect_from_event_loop

from .controller import DisplayController
from .view import DisplayWindow
from .window_screen import WindowScreen
from .zone_screen import ZoneScreen

log = logging.getLogger("hallq.display")


def create_display(client: HubClient, *, speaker=None, clock=None, zones: list[str] | None = None,
                   lang: str = "zh_CN", repeat: int = 2, window: int | None = None, zone: str | None = None):
    """The screen (the hall's, or one `window`'s, or one `zone`'s) and its controller;
    `await controller.start()` inside the qasync loop."""
    register_qt_cjk_font()
    controller = DisplayController(client, speaker, clock=clock, zones=zones, lang=lang, repeat=repeat,
                                   window=window, zone=zone)
    screen = {"window": WindowScreen, "zone": ZoneScreen}.get(controller.mode, DisplayWindow)
    return screen(controller), controller


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="hallq display", description="叫号大屏 — the hall's wall display")
    add_connection_arguments(p, "display")
    screen = p.add_mutually_exclusive_group()
    screen.add_argument("--zones", default="", help="zone ids or prefixes to show, e.g. A,B (default: all)")
    screen.add_argument("--window", type=int, help="the small screen above this window (窗口屏)")
    screen.add_argument("--zone", help="a zone's screen (id or letter): its windows and their numbers")
    p.add_argument("--windowed", action="store_true", help="a window instead of full screen")
    p.add_argument("--portrait", action="store_true", help="with --windowed: a 1080×1920 window (a rotated screen)")
    add_voice_arguments(p)
    p.add_argument("--lang", choices=["zh_CN", "en"], default="zh_CN")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    connection = connect_or_exit(args, "display")
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])

    collect_from_event_loop(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    speaker = speaker_from_arguments(args)
    client = connection.client()
    zones = [z for z in args.zones.split(",") if z.strip()]
    window, controller = create_display(client, speaker=speaker, zones=zones, lang=args.lang, repeat=args.repeat,
                                        window=args.window, zone=args.zone)
    if args.windowed:
        if args.portrait:
            window.resize(1080, 1920)
        window.show()
    else:
        window.showFullScreen()
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    with loop:
        loop.create_task(controller.start())
        loop.run_until_complete(closed.wait())
        loop.run_until_complete(controller.aclose())
    if speaker is not None:
        speaker.close(drain=False, timeout=5)
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    sys.exit(main())
