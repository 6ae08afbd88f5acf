"""`hallq display --hub URL --token TOKEN [--zones A,B] [--windowed] [--voice auto|pyttsx3|piper|sherpa-onnx|clips|recorder|none]
[--volume 0-100] [--repeat N] [--voice-id NAME] [--voice-model PATH] [--clips DIR]`."""
from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from hardware.fonts import register_qt_cjk_font
from hardware.voice.options import add_voice_arguments, speaker_from_arguments
from hub.client import HubClient, add_connection_arguments, connect_or_exit

from .controller import DisplayController
from .view import DisplayWindow

log = logging.getLogger("hallq.display")


def create_display(client: HubClient, *, speaker=None, clock=None, zones: list[str] | None = None,
                   lang: str = "zh_CN", repeat: int = 2) -> tuple[DisplayWindow, DisplayController]:
    """The wall display and its controller; `await controller.start()` inside the qasync loop."""
    register_qt_cjk_font()
    controller = DisplayController(client, speaker, clock=clock, zones=zones, lang=lang, repeat=repeat)
    return DisplayWindow(controller), controller


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="hallq display", description="叫号大屏 — the hall's wall display")
    add_connection_arguments(p, "display")
    p.add_argument("--zones", default="", help="zone ids or prefixes to show, e.g. A,B (default: all)")
    p.add_argument("--windowed", action="store_true", help="a 1920×1080 window instead of full screen")
    add_voice_arguments(p)
    p.add_argument("--lang", choices=["zh_CN", "en"], default="zh_CN")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    connection = connect_or_exit(args, "display")
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    speaker = speaker_from_arguments(args)
    client = connection.client()
    zones = [z for z in args.zones.split(",") if z.strip()]
    window, controller = create_display(client, speaker=speaker, zones=zones, lang=args.lang, repeat=args.repeat)
    if args.windowed:
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
