"""The demo's windows side by side on one screen: the kiosk top left, the wall display under it,
the callers one above the other on the right, so a newcomer sees the whole hall at once (tiled,
never overlapping).

On a 1920x1080 screen: kiosk 1280x800 (the smallest screen it is laid out for), display 1280x280,
callers 640x540 each (window frames included; the clerk's panel needs about 640 px for its keys
beside its waiting list). The cells are fractions of the screen's free area, so other screens get the same layout.
The wall display is laid out for a whole 1920x1080 screen, so it runs unmapped at that size and a
window shows it scaled down, live (`WallPreview`).
"""
from __future__ import annotations

import asyncio

KIOSK_WIDTH = 1280 / 1920
KIOSK_HEIGHT = 800 / 1080

TITLES = {"kiosk": "HallQ 取号机 · kiosk", "display": "HallQ 叫号大屏 · hall display"}
WALL_SIZE = (1920, 1080)
PREVIEW_MS = 250  # four frames a second: the big call flashes visibly, at little CPU


def wall_preview(display):
    """Run `display` unmapped at 1920x1080 and return a window that shows it scaled, refreshed live."""
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QLabel

    class Preview(QLabel):
        def closeEvent(self, event):  # the wall goes with its preview, so closing every window ends the demo
            display.close()
            super().closeEvent(event)

    display.setAttribute(Qt.WA_DontShowOnScreen, True)  # laid out, painted, timers run; never mapped
    display.resize(*WALL_SIZE)
    display.show()
    view = Preview()
    view.setAlignment(Qt.AlignCenter)
    view.setStyleSheet("background: #000")
    view.setMinimumSize(320, 180)
    view.setWindowTitle(display.windowTitle() or TITLES["display"])

    def refresh():
        if view.isVisible() and view.width() > 0:
            view.setPixmap(display.grab().scaled(view.size(), Qt.KeepAspectRatio, Qt.SmoothTransformation))

    view._timer = timer = QTimer(view)
    timer.timeout.connect(refresh)
    timer.start(PREVIEW_MS)
    return view


def cells(x: int, y: int, width: int, height: int, callers: int = 2) -> dict[str, tuple[int, int, int, int]]:
    """Frame rectangles (x, y, w, h) for "kiosk", "display" and "caller-1".. "caller-N"."""
    kiosk_w, kiosk_h = round(width * KIOSK_WIDTH), round(height * KIOSK_HEIGHT)
    right_x, right_w = x + kiosk_w, width - kiosk_w
    out = {"kiosk": (x, y, kiosk_w, kiosk_h), "display": (x, y + kiosk_h, kiosk_w, height - kiosk_h)}
    for i in range(callers):
        top = y + height * i // callers
        out[f"caller-{i + 1}"] = (right_x, top, right_w, y + height * (i + 1) // callers - top)
    return out


async def tile(windows: dict, screen, size: tuple[int, int] | None = None) -> None:
    """Place each shown window in its cell, its frame (title bar, borders) inside the cell; `size`
    lays them out for a screen of that size instead of `screen`'s free area (offscreen screenshots).

    The window manager adds the frame after a window is mapped, so the frame is measured then."""
    for name, w in windows.items():
        if not w.windowTitle():
            w.setWindowTitle(TITLES.get(name, f"HallQ {name}"))
    await asyncio.sleep(0.3)  # let the window manager decorate the windows it has just mapped
    area = screen.availableGeometry()
    x, y, width, height = (0, 0, *size) if size else (area.x(), area.y(), area.width(), area.height())
    rects = cells(x, y, width, height, callers=sum(1 for n in windows if n.startswith("caller-")))
    for name, w in windows.items():
        x, y, width, height = rects[name]
        frame, inner = w.frameGeometry(), w.geometry()
        left, top = inner.x() - frame.x(), inner.y() - frame.y()
        extra_w, extra_h = frame.width() - inner.width(), frame.height() - inner.height()
        w.setGeometry(x + left, y + top, width - extra_w, height - extra_h)
