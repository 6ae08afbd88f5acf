"""The hall's wall display: the latest call, the recent calls and the waiting per zone, read from
across the hall, in landscape or portrait (chosen by the screen's shape).

Sizes, for a 55-inch 1080p screen (0.63 mm pixels) read from 15 m with elderly eyesight: a
character is legible from about 200-250 times its height, so the key lines need characters of
6-7.5 cm, i.e. >= ~100 px. A glyph of Noto Sans CJK fills ~0.9 of the font's pixel size (a Han
character) and ~0.73 (a digit), so the sizes below are font pixel sizes chosen for that:
  - the latest call: 200 px (digits ~146 px = 9 cm, ~20 m); shrunk only to fit a portrait width;
  - each recent call's number: 150 px (digits ~110 px = 7 cm) and its window: 104 px (Han ~94 px
    = 6 cm), so the recent calls read at 15 m; landscape has room for 4 of them, portrait for 6;
  - a zone's waiting count with its ticket letter ("G 12人"): 130 px (digits ~95 px, Han ~117 px):
    the letter is printed on the citizen's ticket, so letter and count are what must read from
    afar; the zone's name below it is 46 px (read from ~5 m, walking up). The zones show 4 at a
    time; more rotate every ZONE_PAGE_SECONDS (a display filtered with --zones shows its few at once);
  - the header, section titles and the notice (46-52 px, ~3 cm) are for the near half of the hall.
"""
from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from .controller import DisplayController
from .widgets import BG, DIM, FONT_FAMILY, HEADER, PANEL, WHITE, YELLOW, Flasher, Marquee, fit, label

log = logging.getLogger("hallq.display")

BIG_CALL_PX = 200
RECENT_NUMBER_PX, RECENT_WINDOW_PX = 150, 104
ZONE_KEY_PX, ZONE_NAME_PX = 130, 46
ZONE_PAGE_SECONDS = 8
# (recent calls shown, recent columns, zones per page, zone columns)
LANDSCAPE, PORTRAIT = (4, 4, 4, 4), (6, 2, 4, 2)
RECENT_MAX = 6

STYLE = f"""
QWidget {{ font-family: "{FONT_FAMILY}"; color: {WHITE}; }}
#display {{ background: {BG}; }}
#header {{ background: {HEADER}; }}
#hall {{ font-size: 48px; font-weight: bold; }}
#clock {{ font-size: 40px; color: {DIM}; }}
#offline {{ font-size: 30px; color: white; background: #c62828; padding: 4px 16px; border-radius: 8px; }}
#callPanel {{ background: {PANEL}; border-bottom: 4px solid #1f3b63; }}
#callPanel[flash="true"] {{ background: {YELLOW}; }}
#bigCall {{ font-weight: bold; color: {YELLOW}; }}
#bigCall[flash="true"] {{ color: {BG}; }}
#please {{ font-size: 52px; color: {WHITE}; max-height: 70px; }}
#please[flash="true"] {{ color: {BG}; }}
#sectionTitle {{ font-size: 36px; color: {DIM}; font-weight: bold; max-height: 46px; }}
#recentCard {{ background: {PANEL}; border-radius: 14px; }}
#recentNumber {{ font-weight: bold; color: {YELLOW}; }}
#recentWindow {{ color: {WHITE}; }}
#zoneCell {{ background: {PANEL}; border-radius: 10px; }}
#zoneName {{ color: {DIM}; max-height: {int(ZONE_NAME_PX * 1.3)}px; }}
#zoneCount {{ color: {YELLOW}; font-weight: bold; }}
#page {{ font-size: 30px; color: {DIM}; }}
"""


class DisplayWindow(QWidget):
    def __init__(self, controller: DisplayController):
        super().__init__()
        self.c = controller
        self.setObjectName("display")
        self.setStyleSheet(STYLE)
        self.portrait = False
        self.zone_page = 0
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)

        header = QWidget()
        header.setObjectName("header")
        header.setAttribute(Qt.WA_StyledBackground, True)
        header.setFixedHeight(80)
        head = QHBoxLayout(header)
        head.setContentsMargins(40, 0, 40, 0)
        self.hall = label("hall")
        self.hall.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)  # the clock and the warning come first
        self.offline = label("offline")
        self.offline.hide()
        self.clock_label = label("clock")
        self.clock_label.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        head.addWidget(self.hall, 1)
        head.addWidget(self.offline, 0, Qt.AlignVCenter)
        head.addSpacing(30)
        head.addWidget(self.clock_label, 1)
        self.clock_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        root.addWidget(header)

        self.call_panel = QWidget()
        self.call_panel.setObjectName("callPanel")
        self.call_panel.setAttribute(Qt.WA_StyledBackground, True)
        call = QVBoxLayout(self.call_panel)
        call.setContentsMargins(30, 4, 30, 12)
        call.setSpacing(0)
        self.big = label("bigCall")
        self.big.setAlignment(Qt.AlignCenter)
        self.please = label("please")
        self.please.setAlignment(Qt.AlignCenter)
        self.please.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        call.addWidget(self.big, 1)
        call.addWidget(self.please)
        root.addWidget(self.call_panel)

        recent = QWidget()
        recent_lay = QVBoxLayout(recent)
        recent_lay.setContentsMargins(40, 4, 40, 0)
        recent_lay.setSpacing(4)
        self.recent_title = label("sectionTitle")
        recent_lay.addWidget(self.recent_title)
        self.recent_grid = QGridLayout()
        self.recent_grid.setSpacing(20)
        recent_lay.addLayout(self.recent_grid)
        self.recent_cells: list[tuple[QLabel, QLabel]] = []
        self.recent_cards: list[QWidget] = []
        for _ in range(RECENT_MAX):
            card = QWidget()
            card.setObjectName("recentCard")
            card.setAttribute(Qt.WA_StyledBackground, True)
            card_lay = QVBoxLayout(card)
            card_lay.setContentsMargins(8, 0, 8, 4)
            card_lay.setSpacing(0)
            number, window = label("recentNumber"), label("recentWindow")
            for w in (number, window):
                w.setAlignment(Qt.AlignCenter)
                card_lay.addWidget(w)
            policy = card.sizePolicy()
            policy.setRetainSizeWhenHidden(True)  # an empty slot keeps its place in the row
            card.setSizePolicy(policy)
            self.recent_cells.append((number, window))
            self.recent_cards.append(card)
        root.addWidget(recent)

        zone_panel = QWidget()
        zone_lay = QVBoxLayout(zone_panel)
        zone_lay.setContentsMargins(40, 4, 40, 6)
        zone_lay.setSpacing(4)
        title_row = QHBoxLayout()
        self.zone_title = label("sectionTitle")
        self.page_label = label("page")
        title_row.addWidget(self.zone_title, 1)
        title_row.addWidget(self.page_label)
        zone_lay.addLayout(title_row)
        self.zone_grid = QGridLayout()
        self.zone_grid.setHorizontalSpacing(20)
        self.zone_grid.setVerticalSpacing(12)
        zone_lay.addLayout(self.zone_grid)
        zone_lay.addStretch(1)
        self.zone_cells: list[tuple[QWidget, QLabel, QLabel]] = []
        root.addWidget(zone_panel, 1)

        self.marquee = Marquee(height=72)
        root.addWidget(self.marquee)

        self.flasher = Flasher(self, [self.call_panel, self.big, self.please])
        self._seen_flashes = controller.flashes
        self.clock_timer = QTimer(self)
        self.clock_timer.timeout.connect(self._tick)
        self.clock_timer.start(1000)
        self.page_timer = QTimer(self)
        self.page_timer.timeout.connect(self.next_zone_page)
        self.page_timer.start(ZONE_PAGE_SECONDS * 1000)
        self.resize(1920, 1080)
        self._place_recent()
        controller.on_change(self.render)
        self.render()

    # ---- shape ----------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, int, int, int]:
        return PORTRAIT if self.portrait else LANDSCAPE

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.render()

    def _check_shape(self) -> None:
        """Portrait on a screen taller than wide; asked on every render, as a hidden window is
        resized before it gets its first resize event."""
        portrait = self.height() > self.width()
        if portrait != self.portrait:
            self.portrait = portrait
            self._place_recent()

    def _place_recent(self) -> None:
        shown, columns = self.shape[0], self.shape[1]
        for card in self.recent_cards:
            self.recent_grid.removeWidget(card)
        for i, card in enumerate(self.recent_cards[:shown]):
            self.recent_grid.addWidget(card, i // columns, i % columns)
        for card in self.recent_cards[shown:]:
            card.hide()
        for col in range(RECENT_MAX):
            self.recent_grid.setColumnStretch(col, 1 if col < columns else 0)

    # ---- flashing the latest call ---------------------------------------------------------
    def flash(self) -> None:
        self.flasher.start()

    @property
    def flashing(self) -> bool:
        return self.flasher.left > 0

    # ---- showing the state ----------------------------------------------------------------
    def _tick(self) -> None:
        now = self.c.clock.now()
        days = self.c.t("weekday").split()
        if self.c.lang == "en":
            self.clock_label.setText(f"{now:%Y-%m-%d} {days[now.weekday()]} {now:%H:%M:%S}")
        elif self.portrait:
            self.clock_label.setText(f"{days[now.weekday()]} {now:%H:%M}")
        else:
            self.clock_label.setText(f"{now.year}年{now.month}月{now.day}日 {days[now.weekday()]} {now:%H:%M:%S}")

    def next_zone_page(self) -> None:
        self.zone_page += 1
        self._render_zones()

    def render(self) -> None:
        c, t = self.c, self.c.t
        self._check_shape()
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
        self.recent_title.setText(t("recent"))
        shown = self.shape[0]
        for i, (number, window) in enumerate(self.recent_cells[:shown]):
            ticket = c.calls[i + 1] if i + 1 < len(c.calls) else None
            number.setText(ticket["number"] if ticket else "")
            window.setText(c.window_label(ticket["window_id"]) if ticket else "")
            self.recent_cards[i].setVisible(ticket is not None)
        self._fit_calls()
        self._render_zones()
        self.marquee.set_text(c.notice)
        if c.flashes != self._seen_flashes:
            self._seen_flashes = c.flashes
            self.flash()

    def _fit_calls(self) -> None:
        fit(self.big, BIG_CALL_PX, self.width() - 60, smallest=100, line=1.12)
        shown, columns = self.shape[0], self.shape[1]
        card_room = (self.width() - 80 - 20 * (columns - 1)) // columns - 20
        for number, window in self.recent_cells[:shown]:
            fit(number, RECENT_NUMBER_PX, card_room, smallest=80, line=1.1)
            fit(window, RECENT_WINDOW_PX, card_room, smallest=60, bold=False, line=1.15)

    def _render_zones(self) -> None:
        c, t = self.c, self.c.t
        self.zone_title.setText(t("waiting"))
        counts = c.zone_counts()
        per_page, columns = self.shape[2], self.shape[3]
        pages = max(1, -(-len(counts) // per_page))
        self.zone_page %= pages
        page = counts[self.zone_page * per_page:(self.zone_page + 1) * per_page]
        self.page_label.setText(f"{self.zone_page + 1}/{pages}" if pages > 1 else "")
        while len(self.zone_cells) < per_page:
            cell = QWidget()
            cell.setObjectName("zoneCell")
            cell.setAttribute(Qt.WA_StyledBackground, True)
            lay = QVBoxLayout(cell)
            lay.setContentsMargins(16, 0, 16, 2)
            lay.setSpacing(0)
            count, name = label("zoneCount"), label("zoneName")
            for w in (count, name):
                w.setAlignment(Qt.AlignCenter)
                w.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)  # a long name never widens the screen
                lay.addWidget(w)
            self.zone_cells.append((cell, name, count))
        for col in range(4):
            self.zone_grid.setColumnStretch(col, 1 if col < columns else 0)
        room = (self.width() - 80 - 20 * (columns - 1)) // columns - 32
        for i, (cell, name, count) in enumerate(self.zone_cells):
            self.zone_grid.removeWidget(cell)
            if i >= len(page):
                cell.hide()
                continue
            zone, n = page[i]
            self.zone_grid.addWidget(cell, i // columns, i % columns)
            name.setText(c.zone_name(zone))
            open_ = zone.get("open", True) or n
            count.setText(t("zone_key", prefix=zone["prefix"], n=n) if open_ else
                          f"{zone['prefix']} {t('zone_closed')}")
            fit(count, ZONE_KEY_PX, room, smallest=70, line=1.1)
            fit(name, ZONE_NAME_PX, room, smallest=24, bold=False)  # a long name shrinks rather than being cut
            cell.show()
