"""The wall display: dark background, bright numbers, large enough to read from 10 metres."""
from __future__ import annotations

import logging

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from .controller import DisplayController

FONT_FAMILY = "Noto Sans CJK SC"
YELLOW, WHITE, DIM, BG, PANEL = "#ffd600", "#ffffff", "#9fb3c8", "#05080f", "#101a2c"
RECENT = 6  # calls shown under the latest one
log = logging.getLogger("hallq.display")

STYLE = f"""
QWidget {{ font-family: "{FONT_FAMILY}"; color: {WHITE}; }}
#display {{ background: {BG}; }}
#header {{ background: #0b2545; }}
#hall {{ font-size: 52px; font-weight: bold; }}
#clock {{ font-size: 44px; color: {DIM}; }}
#offline {{ font-size: 30px; color: white; background: #c62828; padding: 4px 16px; border-radius: 8px; }}
#callPanel {{ background: {PANEL}; border-bottom: 4px solid #1f3b63; }}
#callPanel[flash="true"] {{ background: {YELLOW}; }}
#bigCall {{ font-size: 190px; font-weight: bold; color: {YELLOW}; }}
#bigCall[flash="true"] {{ color: {BG}; }}
#please {{ font-size: 50px; color: {WHITE}; }}
#please[flash="true"] {{ color: {BG}; }}
#sectionTitle {{ font-size: 34px; color: {DIM}; font-weight: bold; }}
#recentCard {{ background: {PANEL}; border-radius: 14px; }}
#recentNumber {{ font-size: 80px; font-weight: bold; color: {YELLOW}; }}
#recentWindow {{ font-size: 48px; color: {WHITE}; }}
#zoneCell {{ background: {PANEL}; border-radius: 10px; }}
#zoneName {{ color: {WHITE}; }}
#zoneCount {{ color: {YELLOW}; font-weight: bold; }}
"""




def _label(name: str, text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    return label


def _restyle(widget: QWidget, **props) -> None:
    for key, value in props.items():
        widget.setProperty(key, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class Marquee(QWidget):
    """The hall's notice, scrolling right to left, round and round."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.text = ""
        self.offset = 0.0
        self.setFixedHeight(96)
        self.font_ = QFont(FONT_FAMILY)
        self.font_.setPixelSize(46)
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
        p.fillRect(self.rect(), QColor("#0b2545"))
        p.setFont(self.font_)
        p.setPen(QColor("#ffe082"))
        p.drawText(QRectF(self.offset + 30, 0, 100_000, self.height()), Qt.AlignVCenter | Qt.AlignLeft, self.text)
        p.end()


class DisplayWindow(QWidget):
    def __init__(self, controller: DisplayController):
        super().__init__()
        self.c = controller
        self.setObjectName("display")
        self.setStyleSheet(STYLE)
        self.resize(1920, 1080)
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)

        header = QWidget()
        header.setObjectName("header")
        header.setFixedHeight(100)
        head = QHBoxLayout(header)
        head.setContentsMargins(40, 0, 40, 0)
        self.hall = _label("hall")
        self.offline = _label("offline")
        self.offline.hide()
        self.clock_label = _label("clock")
        head.addWidget(self.hall, 1)
        head.addWidget(self.offline, 0, Qt.AlignVCenter)
        head.addSpacing(30)
        head.addWidget(self.clock_label)
        root.addWidget(header)

        self.call_panel = QWidget()
        self.call_panel.setObjectName("callPanel")
        self.call_panel.setAttribute(Qt.WA_StyledBackground, True)
        self.call_panel.setFixedHeight(340)
        call = QVBoxLayout(self.call_panel)
        call.setContentsMargins(40, 10, 40, 20)
        call.setSpacing(0)
        self.big = _label("bigCall")
        self.big.setAlignment(Qt.AlignCenter)
        self.please = _label("please")
        self.please.setAlignment(Qt.AlignCenter)
        call.addWidget(self.big, 1)
        call.addWidget(self.please)
        root.addWidget(self.call_panel)

        recent = QWidget()
        recent_lay = QVBoxLayout(recent)
        recent_lay.setContentsMargins(40, 14, 40, 6)
        recent_lay.setSpacing(4)
        self.recent_title = _label("sectionTitle")
        recent_lay.addWidget(self.recent_title)
        cards = QHBoxLayout()
        cards.setSpacing(20)
        self.recent_cells: list[tuple[QLabel, QLabel]] = []
        self.recent_cards: list[QWidget] = []
        for _ in range(RECENT):
            card = QWidget()
            card.setObjectName("recentCard")
            card.setAttribute(Qt.WA_StyledBackground, True)
            card_lay = QVBoxLayout(card)
            card_lay.setContentsMargins(8, 4, 8, 8)
            card_lay.setSpacing(0)
            number, window = _label("recentNumber"), _label("recentWindow")
            for w in (number, window):
                w.setAlignment(Qt.AlignCenter)
                card_lay.addWidget(w)
            policy = card.sizePolicy()
            policy.setRetainSizeWhenHidden(True)  # an empty slot keeps its place in the row
            card.setSizePolicy(policy)
            cards.addWidget(card, 1)
            self.recent_cells.append((number, window))
            self.recent_cards.append(card)
        recent_lay.addLayout(cards)
        root.addWidget(recent)

        zone_panel = QWidget()
        zone_panel.setObjectName("zonePanel")
        self.zone_layout = QVBoxLayout(zone_panel)
        self.zone_layout.setContentsMargins(40, 6, 40, 10)
        self.zone_layout.setSpacing(2)
        self.zone_title = _label("sectionTitle")
        self.zone_layout.addWidget(self.zone_title)
        self.zone_grid = QGridLayout()
        self.zone_grid.setHorizontalSpacing(24)
        self.zone_grid.setVerticalSpacing(6)
        self.zone_layout.addLayout(self.zone_grid)
        self.zone_layout.addStretch(1)
        self.zone_cells: list[tuple[QWidget, QLabel, QLabel]] = []
        root.addWidget(zone_panel, 1)

        self.marquee = Marquee()
        root.addWidget(self.marquee)

        self._flash_left = 0
        self._seen_flashes = controller.flashes
        self.flash_timer = QTimer(self)
        self.flash_timer.timeout.connect(self._flash_step)
        self.clock_timer = QTimer(self)
        self.clock_timer.timeout.connect(self._tick)
        self.clock_timer.start(1000)
        controller.on_change(self.render)
        self.render()

    # ---- flashing the latest call ---------------------------------------------------------
    def flash(self) -> None:
        self._flash_left = 8
        self.flash_timer.start(350)
        self._flash_step()

    @property
    def flashing(self) -> bool:
        return self._flash_left > 0

    def _flash_step(self) -> None:
        if self._flash_left <= 0:
            self.flash_timer.stop()
            on = False
        else:
            self._flash_left -= 1
            on = self._flash_left % 2 == 1
        for w in (self.call_panel, self.big, self.please):
            _restyle(w, flash="true" if on else "false")

    # ---- showing the state ----------------------------------------------------------------
    def _tick(self) -> None:
        now = self.c.clock.now()
        days = self.c.t("weekday").split()
        if self.c.lang == "en":
            self.clock_label.setText(f"{now:%Y-%m-%d} {days[now.weekday()]} {now:%H:%M:%S}")
        else:
            self.clock_label.setText(f"{now.year}年{now.month}月{now.day}日 {days[now.weekday()]} {now:%H:%M:%S}")

    def render(self) -> None:
        c, t = self.c, self.c.t
        self.hall.setText(c.hall_name)
        self.offline.setText(c.client.refusal(c.lang) or t("offline"))  # a refused certificate says so
        self.offline.setVisible(not c.connected)
        self._tick()
        latest = c.latest
        if latest is None:
            self.big.setText(t("no_calls"))
            self.please.setText("")
        else:
            self.big.setText(c.call_line(latest))
            self.please.setText(t("please", number=latest["number"], window=c.window_label(latest["window_id"])))
        self._fit(self.big, 190)
        self.recent_title.setText(t("recent"))
        for i, (number, window) in enumerate(self.recent_cells):
            ticket = c.calls[i + 1] if i + 1 < len(c.calls) else None
            number.setText(ticket["number"] if ticket else "")
            window.setText(c.window_label(ticket["window_id"]) if ticket else "")
            self.recent_cards[i].setVisible(ticket is not None)
        self._render_zones()
        self.marquee.set_text(c.notice)
        if c.flashes != self._seen_flashes:
            self._seen_flashes = c.flashes
            self.flash()

    def _fit(self, label: QLabel, largest: int) -> None:
        """Shrink the big line only when a long window name would not fit the screen's width."""
        font = QFont(FONT_FAMILY)
        font.setBold(True)
        size = largest
        room = max(self.width(), 1920) - 100
        while size > 60:
            font.setPixelSize(size)
            if QFontMetrics(font).horizontalAdvance(label.text()) <= room:
                break
            size -= 10
        label.setStyleSheet(f"font-size: {size}px;")

    def _render_zones(self) -> None:
        c, t = self.c, self.c.t
        self.zone_title.setText(t("waiting"))
        counts = c.zone_counts()
        # a hall shown whole has a dozen zones in a 4-column grid; a display for one or two
        # zones has room for much bigger type
        columns = 4 if len(counts) > 6 else max(1, min(3, len(counts)))
        size = 34 if len(counts) > 6 else 52
        while len(self.zone_cells) < len(counts):
            cell = QWidget()
            cell.setObjectName("zoneCell")
            cell.setAttribute(Qt.WA_StyledBackground, True)
            lay = QHBoxLayout(cell)
            lay.setContentsMargins(16, 2, 16, 2)
            name, count = _label("zoneName"), _label("zoneCount")
            count.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
            lay.addWidget(name, 1)
            lay.addWidget(count)
            self.zone_cells.append((cell, name, count))
        for col in range(4):
            self.zone_grid.setColumnStretch(col, 1 if col < columns else 0)
        for i, (cell, name, count) in enumerate(self.zone_cells):
            self.zone_grid.removeWidget(cell)
            if i >= len(counts):
                cell.hide()
                continue
            zone, n = counts[i]
            self.zone_grid.addWidget(cell, i // columns, i % columns)
            name.setText(c.zone_name(zone))
            count.setText(t("zone_count", n=n) if zone.get("open", True) or n else t("zone_closed"))
            name.setStyleSheet(f"font-size: {size}px;")
            count.setStyleSheet(f"font-size: {size + 4}px;")
            cell.show()
