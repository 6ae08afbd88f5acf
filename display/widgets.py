"""What the display's screens share: colours, the font, labels named for the style sheet, the
scrolling notice, and fitting a line of text to the room it has."""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

FONT_FAMILY = "Noto Sans CJK SC"
YELLOW, WHITE, DIM, BG, PANEL, HEADER = "#ffd600", "#ffffff", "#9fb3c8", "#05080f", "#101a2c", "#0b2545"


def label(name: str, text: str = "") -> QLabel:
    widget = QLabel(text)
    widget.setObjectName(name)
    return widget


def restyle(widget: QWidget, **props) -> None:
    for key, value in props.items():
        widget.setProperty(key, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def fit(widget: QLabel, largest: int, room: int, smallest: int = 40, bold: bool = True, line: float | None = None) -> int:
    """Set the label's pixel size to `largest`, or less if its text would not fit `room` pixels wide
    (a text's width grows in step with its size, so one measure finds the size). `line`: the label's
    height as a multiple of the size; the CJK font's line box (~1.45 em) leaves a third empty, and the
    digits and characters sit in its middle em, so a wall screen can pack its lines tighter."""
    font = QFont(FONT_FAMILY)
    font.setBold(bold)
    font.setPixelSize(largest)
    width = QFontMetrics(font).horizontalAdvance(widget.text())
    size = largest if width <= room else max(smallest, int(largest * room / width))
    # the label is sized here to the room it has; its text's width must not widen the screen
    widget.setSizePolicy(QSizePolicy.Ignored, widget.sizePolicy().verticalPolicy())
    if widget.property("fitted") != size:  # a new style sheet costs a re-polish: only when it changes
        widget.setProperty("fitted", size)
        widget.setStyleSheet(f"font-size: {size}px;")
        if line:
            widget.setFixedHeight(int(size * line))
    return size


class Marquee(QWidget):
    """The hall's notice, scrolling right to left, round and round."""

    def __init__(self, parent=None, height: int = 80, size: int = 46):
        super().__init__(parent)
        self.text = ""
        self.offset = 0.0
        self.setFixedHeight(height)
        self.font_ = QFont(FONT_FAMILY)
        self.font_.setPixelSize(size)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._step)
        self.timer.start(30)

    def set_text(self, text: str) -> None:
        text = " ".join(text.split())
        if text != self.text:
            self.text, self.offset = text, 0.0
            self.update()

    def _step(self) -> None:
        if not self.text:
            return
        width = QFontMetrics(self.font_).horizontalAdvance(self.text)
        self.offset -= 3
        if self.offset < -width:
            self.offset = float(self.width())
        self.update()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(HEADER))
        p.setFont(self.font_)
        p.setPen(QColor("#ffe082"))
        p.drawText(QRectF(self.offset + 30, 0, 100_000, self.height()), Qt.AlignVCenter | Qt.AlignLeft, self.text)
        p.end()


class Flasher:
    """Flashes a few widgets (style property flash="true") some times after a call."""

    def __init__(self, owner: QWidget, widgets: list[QWidget], times: int = 4):
        self.widgets, self.times, self.left = widgets, times, 0
        self.timer = QTimer(owner)
        self.timer.timeout.connect(self.step)

    def start(self) -> None:
        self.left = self.times * 2
        self.timer.start(350)
        self.step()

    def stop(self) -> None:
        self.left = 0
        self.step()

    def step(self) -> None:
        if self.left <= 0:
            self.timer.stop()
            on = False
        else:
            self.left -= 1
            on = self.left % 2 == 1
        for w in self.widgets:
            restyle(w, flash="true" if on else "false")
