"""Home: search by everyday words, today's most-taken services in one tap, the large-text
(适老化) switch, then the ways in by zone, appointment or green channel, and the hall's notice.

Everything fits the window without scrolling, 1280x800 to 1920x1080 and portrait 1080x1920:
the number of one-tap services follows the room left (fewer in large-text mode)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QVBoxLayout

from ..text import pick
from .widgets import FlowGrid, Page, Tile, button, label, restyle


class HomePage(Page):
    name = "home"

    def __init__(self, controller):
        super().__init__(controller)
        c = controller
        box = QVBoxLayout(self)
        box.setContentsMargins(36, 18, 36, 14)
        box.setSpacing(14)
        row = QBoxLayout(QBoxLayout.LeftToRight)  # portrait: the search full width, the switch under it
        self.flows.append(row)
        row.setSpacing(20)
        self.search = button("", "home:search", c.open_search, role="search", height=110)
        self.large = button("", "home:large", c.toggle_large, role="green", height=110)
        self.large.setCheckable(True)
        self.row = row
        row.addWidget(self.search, 3)
        row.addWidget(self.large, 1)
        box.addLayout(row)
        self.top_title = label("", "subtitle", align=Qt.AlignLeft | Qt.AlignVCenter)
        box.addWidget(self.top_title)
        self.top = FlowGrid(min_column=360, max_columns=3, spacing=16)
        box.addWidget(self.top)
        box.addStretch(1)
        self.actions = FlowGrid(min_column=300, max_columns=3, spacing=20)
        self.take = Tile("", [""], name="home:take", min_height=120, title_size=34, align=Qt.AlignCenter)
        self.appt = Tile("", [""], name="home:appointment", min_height=120, title_size=34, align=Qt.AlignCenter)
        self.prio = Tile("", [""], name="home:priority", min_height=120, title_size=34, align=Qt.AlignCenter)
        for tile in (self.take, self.appt, self.prio):
            tile.layout().setContentsMargins(12, 12, 12, 12)  # 特殊人群 · 绿色通道 on one line at 1280 px
            tile.lines[0].setObjectName("topSub")
            tile.layout().insertStretch(0, 1)  # title and line centred, also when the line is hidden
        self.prio.setProperty("role", "green")
        self.take.clicked.connect(c.take_number)
        self.appt.clicked.connect(c.appointment)
        self.prio.clicked.connect(c.start_priority)
        self.actions.set_items([self.take, self.appt, self.prio])
        box.addWidget(self.actions)
        self.notice = label("", "notice", align=Qt.AlignLeft | Qt.AlignVCenter)
        box.addWidget(self.notice)
        restyle(self.prio)

    def top_count(self) -> int:
        """One-tap services per screen: rows that fit times columns; fewer, larger, in 适老化."""
        large = self.c.state.large
        if self.is_portrait():
            return 4 if large else 8
        compact = self.is_compact()  # a 1280x800 screen has room for one row of one-tap services
        if large:
            return 2 if compact else 4
        return 3 if compact else 9

    def render(self) -> None:
        c, s = self.c, self.c.state
        lang = s.lang
        for tile, key, sub in ((self.take, "take_number", "by_zone"), (self.appt, "appointment", "appointment_sub"),
                               (self.prio, "priority", "priority_sub")):
            tile.title.setText(self.t(key))
            tile.title.setStyleSheet(f"font-size: {44 if s.large else 34}px;")
            tile.lines[0].setText(self.t(sub))
            tile.lines[0].setVisible(not s.large)
        self.search.setText("⌕  " + self.t("search_all" if s.large else "search_home"))
        # in large text the short forms: the screen has room for fewer words
        self.large.setText(self.t("large_off") if s.large else self.t("large_on") + "\n" + self.t("large_sub"))
        self.large.setChecked(s.large)
        self.top_title.setText(self.t("top_title"))
        hall = (c.hall or {}).get("hall", {})
        self.notice.setText(pick(hall, "notice", lang) if lang != "en" else "")
        self.notice.setVisible(bool(self.notice.text()))
        # the notice is for reading once, standing; large text goes to what is tapped
        self.notice.setStyleSheet("font-size: 28px;" if s.large else "")
        # large text: one column fewer, so each name fits on one or two lines
        portrait = self.is_portrait()
        self.top.set_max_columns((1 if portrait else 2) if s.large else (2 if portrait else 3))
        self.actions.set_max_columns(1 if portrait else 3)  # portrait: three wide buttons, one above another
        services = c.top_services()[:self.top_count()]
        signature = (lang, s.large, portrait, tuple((sv["id"], c.window_open_for(sv["id"])) for sv in services))
        banner = getattr(self.window(), "banner", None)
        crowded = self.is_compact() and (s.large or (banner is not None and banner.isVisible()))
        self.top_title.setVisible(bool(services) and not crowded)  # the tiles say it well enough
        if not self.changed(signature):
            return
        tiles = []
        for sv in services:
            zone = c.zone(sv["zone"]) or {}
            tall = 150 if portrait else 110  # portrait has the height to spare
            served = c.window_open_for(sv["id"])
            where = pick(zone, "name", lang) + ("" if served else " · " + self.t("no_window_tag"))
            tile = Tile(pick(sv, "name", lang), [where], name=f"top:{sv['id']}", min_height=tall)
            tile.setProperty("closed", not served)  # greyed: tapping it says why, no card asked for
            tile.title.setObjectName("topTitle")
            tile.lines[0].setObjectName("topSub")
            tile.layout().setContentsMargins(18, 12, 18, 12)
            tile.clicked.connect(lambda _=False, sid=sv["id"]: c.choose_service(sid))
            restyle(tile)
            tiles.append(tile)
        self.top.set_items(tiles)

    def orientation_changed(self) -> None:
        super().orientation_changed()
        self.large.setMaximumWidth(16777215 if self.is_portrait() else 420)
        compact = self.is_compact()  # 1280x800, perhaps with a warning banner: no room to spare
        self.layout().setContentsMargins(36, 12 if compact else 18, 36, 8 if compact else 14)
        self.layout().setSpacing(10 if compact else 14)
        self._signature = None  # the count of one-tap services depends on the window's size
