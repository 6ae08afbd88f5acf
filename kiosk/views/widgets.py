"""Building blocks shared by the screens: big tiles, a grid that re-flows for portrait/landscape."""
from __future__ import annotations

import re

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QBoxLayout, QFrame, QGridLayout, QLabel, QPushButton, QScrollArea, QScroller, QSizePolicy, QVBoxLayout,
    QWidget,
)

from .style import TOUCH_MIN

COMPACT_HEIGHT = 1000  # px: windows shorter than this get the compact layouts


def label(text: str = "", name: str = "body", *, wrap: bool = True, align=Qt.AlignCenter) -> QLabel:
    lab = QLabel(text)
    lab.setObjectName(name)
    lab.setWordWrap(wrap)
    lab.setAlignment(align)
    return lab


WORD_JOINER = "\u2060"
SHORT_WORD = re.compile(r"(?<![\u4e00-\u9fff])[\u4e00-\u9fff]{2,6}(?![\u4e00-\u9fff])")
HYPHENATED = re.compile(r"(?<=\w)-(?=\w)")


def keep_words(text: str) -> str:
    """Qt wraps Chinese between any two characters and English after a hyphen; in a tile a short
    run of characters (周六延时服务, 绿色通道) or check-in is one word, so it is kept on one line.
    Longer runs may still wrap, so nothing is ever wider than its tile."""
    text = SHORT_WORD.sub(lambda m: WORD_JOINER.join(m.group(0)), text)
    return HYPHENATED.sub("-" + WORD_JOINER, text)


class WordLabel(QLabel):
    """A tile's label that wraps between words only; text() gives back the words as set."""

    def setText(self, text: str) -> None:
        self._words = text
        super().setText(keep_words(text))

    def text(self) -> str:
        return getattr(self, "_words", super().text())


def word_label(text: str, name: str, align) -> QLabel:
    lab = WordLabel()
    lab.setText(text)
    lab.setObjectName(name)
    lab.setWordWrap(True)
    lab.setAlignment(align)
    return lab


def button(text: str, name: str, on_click, *, role: str | None = None, height: int = TOUCH_MIN) -> QPushButton:
    b = QPushButton(text)
    b.setObjectName(name)
    if role:
        b.setProperty("role", role)
    b.setMinimumHeight(height)
    b.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
    b.clicked.connect(on_click)
    return b


def restyle(widget: QWidget) -> None:
    """Re-applies the stylesheet after a dynamic property (closed, role, alert) changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    for child in widget.findChildren(QWidget):
        child.style().unpolish(child)
        child.style().polish(child)


class Tile(QPushButton):
    """A big button with a title and smaller lines under it; the labels let clicks through."""

    def __init__(self, title: str, lines: list[str] = (), *, name: str = "", min_height: int = 160,
                 title_size: int | None = None, align=Qt.AlignLeft | Qt.AlignVCenter, note: str = ""):
        super().__init__()
        self.setObjectName(name)
        self.setProperty("kind", "tile")
        self._min_height = max(min_height, TOUCH_MIN)
        self.setMinimumHeight(self._min_height)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        box = QVBoxLayout(self)
        box.setContentsMargins(28, 18, 28, 18)
        box.setSpacing(6)
        self.title = word_label(title, "tileTitle", align=align)
        if title_size:
            self.title.setStyleSheet(f"font-size: {title_size}px;")
        box.addWidget(self.title)
        self.lines = []
        for line in lines:
            lab = word_label(line, "tileSub", align=align)
            box.addWidget(lab)
            self.lines.append(lab)
        self.note = label(note, "tileNote", align=align) if note else None  # what a zone handles
        if self.note:
            box.addWidget(self.note)
        box.addStretch(1)
        for lab in (self.title, *self.lines, *([self.note] if self.note else [])):
            lab.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.setAccessibleName(" ".join([title, *lines, *([note] if note else [])]))

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return max(self._min_height, self.layout().totalHeightForWidth(width))

    def sizeHint(self) -> QSize:
        hint = self.layout().totalSizeHint()
        return QSize(hint.width(), max(self._min_height, hint.height()))

    def minimumSizeHint(self) -> QSize:
        return QSize(200, self._min_height)


class Direction(QFrame):
    """Not a button: where to go for a task this kiosk does not issue numbers for."""

    def __init__(self, title: str, line: str, name: str = ""):
        super().__init__()
        self.setObjectName("direction")
        self.setProperty("service", name)
        box = QVBoxLayout(self)
        box.setContentsMargins(28, 18, 28, 18)
        box.addWidget(label(title, "tileTitle", align=Qt.AlignLeft))
        box.addWidget(label(line, "tileSub", align=Qt.AlignLeft))
        self.setMinimumHeight(TOUCH_MIN)


class FlowGrid(QWidget):
    """Lays its items out in as many columns as the width allows (portrait 1-2, landscape 2-3)."""

    def __init__(self, min_column: int = 480, max_columns: int = 3, spacing: int = 20):
        super().__init__()
        self.min_column, self.max_columns = min_column, max_columns
        self.grid = QGridLayout(self)
        self.grid.setSpacing(spacing)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.items: list[QWidget] = []
        self._columns = 0

    def set_items(self, items: list[QWidget]) -> None:
        for old in self.items:
            old.setParent(None)
            old.deleteLater()
        self.items = list(items)
        self._columns = 0
        self._relayout()

    def set_max_columns(self, columns: int) -> None:
        if columns != self.max_columns:
            self.max_columns, self._columns = columns, 0
            self._relayout()

    def columns_for(self, width: int) -> int:
        return max(1, min(self.max_columns, width // self.min_column))

    def _relayout(self) -> None:
        columns = self.columns_for(self.width() or self.min_column)
        if columns == self._columns:
            return
        self._columns = columns
        for item in self.items:
            self.grid.removeWidget(item)
        for i, item in enumerate(self.items):
            self.grid.addWidget(item, i // columns, i % columns)
        for c in range(max(self.max_columns, self.grid.columnCount())):  # max_columns may have shrunk
            self.grid.setColumnStretch(c, 1 if c < columns else 0)
        self.grid.setRowStretch(len(self.items) // columns + 1, 1)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._relayout()


def scroller(inner: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    area.setWidget(inner)
    inner.setObjectName("page")
    # A finger drags the list (touch screens send touch events, so mouse clicks stay clicks).
    QScroller.grabGesture(area.viewport(), QScroller.TouchGesture)
    return area


class Page(QWidget):
    """One screen. `render(controller)` redraws it from the controller's state."""

    name = ""

    def __init__(self, controller):
        super().__init__()
        self.c = controller
        self.setObjectName("page")
        self.setAttribute(Qt.WA_StyledBackground, True)
        self._signature = None
        self.flows: list[QBoxLayout] = []
        self._roomy = None  # the layout's own margins and spacing, for screens tall enough
        # hidden screens must not make the window taller than the screen it is on
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Ignored)

    def t(self, key: str, **values) -> str:
        return self.c.text(key, **values)

    def render(self) -> None:  # pragma: no cover - each page overrides
        raise NotImplementedError

    def changed(self, signature) -> bool:
        """True once per distinct signature: pages rebuild tiles only when what they show changed."""
        if signature == self._signature:
            return False
        self._signature = signature
        return True

    def is_compact(self) -> bool:
        """A short screen (1280x800 laptops and kiosks): pages drop spacing to fit without scrolling."""
        return self.window().height() < COMPACT_HEIGHT

    def is_portrait(self) -> bool:
        window = self.window()
        return window.height() >= window.width()

    def set_flow(self, box: QBoxLayout) -> None:
        """Stacks a layout's two halves in portrait, puts them side by side in landscape."""
        if box not in self.flows:
            self.flows.append(box)
        box.setDirection(QBoxLayout.TopToBottom if self.is_portrait() else QBoxLayout.LeftToRight)

    def orientation_changed(self) -> None:
        for box in self.flows:
            self.set_flow(box)
        self._fit_height()

    def _fit_height(self) -> None:
        """On a short screen the roomy margins and gaps go first, before anything scrolls."""
        box = self.layout()
        if box is None:
            return
        if self._roomy is None:
            self._roomy = box.contentsMargins(), box.spacing()
        margins, spacing = self._roomy
        if self.is_compact():
            box.setContentsMargins(margins.left(), min(margins.top(), 12), margins.right(), min(margins.bottom(), 12))
            box.setSpacing(min(spacing, 14))
        else:
            box.setContentsMargins(margins)
            box.setSpacing(spacing)

    def large_changed(self) -> None:
        """适老化 switched: tiles are rebuilt, since their number per screen depends on it."""
        self._signature = None
