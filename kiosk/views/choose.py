"""Choosing what to do: zones, the services of a zone (with search), and the priority reason."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from hub.protocol import HAND_PRIORITY_REASONS
from ..text import hours_lines, pick
from .widgets import Direction, FlowGrid, Page, Tile, button, label, restyle, scroller

KEY_ROWS = ("QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")


class ZonesPage(Page):
    name = "zones"

    def __init__(self, controller):
        super().__init__(controller)
        box = QVBoxLayout(self)
        box.setContentsMargins(40, 28, 40, 20)
        box.setSpacing(20)
        top = QHBoxLayout()
        self.title = label("", "title", align=Qt.AlignLeft | Qt.AlignVCenter)
        self.search = button("", "zones:search", controller.search_all, role="secondary")
        self.search.setMaximumWidth(360)
        top.addWidget(self.title, 1)
        top.addWidget(self.search)
        box.addLayout(top)
        self.mode = label("", "tag", wrap=False)
        box.addWidget(self.mode, 0, Qt.AlignLeft)
        self.grid = FlowGrid(min_column=520, max_columns=3)  # portrait: one wide column, hours unbroken
        box.addWidget(scroller(self.grid), 1)

    def render(self) -> None:
        c, lang = self.c, self.c.state.lang
        self.title.setText(self.t("zones_title"))
        self.search.setText(self.t("search_all"))
        reason = c.state.priority_reason
        self.mode.setVisible(bool(reason))
        if reason:
            self.mode.setText(self.t("priority_mode", reason=self.t(f"reason_{reason}")))
        zones = c.zones()
        self.grid.set_max_columns(2 if c.state.large else 3)  # 适老化: fewer, larger tiles
        signature = (lang, c.state.large, tuple((z["id"], c.zone_open(z), c.zone_stats.get(z["id"], {}).get("waiting"),
                                                 c.zone_without_window(z["id"])) for z in zones))
        if not self.changed(signature):
            return
        tiles = []
        for z in zones:
            is_open = c.zone_open(z)
            waiting = c.zone_stats.get(z["id"], {}).get("waiting")
            unserved = is_open and c.zone_without_window(z["id"])
            if not is_open:
                status = self.t("zone_closed")
            elif unserved:
                status = self.t("no_window_tag")
            elif waiting is not None:
                status = self.t("zone_waiting", n=waiting)
            else:
                status = ""
            lines = [*hours_lines(z, lang), status] if status else hours_lines(z, lang)
            handles = pick(z, "description", lang)
            tile = Tile(f"{z['prefix']}  {pick(z, 'name', lang)}", lines, name=f"zone:{z['id']}", min_height=200,
                        note=handles)
            tile.setProperty("closed", not is_open or unserved)
            tile.clicked.connect(lambda _=False, zid=z["id"]: c.choose_zone(zid))
            restyle(tile)
            tiles.append(tile)
        self.grid.set_items(tiles)


class Keyboard(QWidget):
    """Letters for pinyin initials: a touch kiosk has no Chinese input method."""

    def __init__(self, on_key):
        super().__init__()
        grid = QGridLayout(self)
        grid.setSpacing(10)
        grid.setContentsMargins(0, 0, 0, 0)
        self.keys = {}
        for r, row in enumerate(KEY_ROWS):
            for i, ch in enumerate(row):
                b = button(ch, f"key:{ch}", lambda _=False, ch=ch: on_key(ch), role="key")
                grid.addWidget(b, r, i)
                self.keys[ch] = b
        self.delete = button("", "key:del", lambda: on_key("del"), role="secondary")
        grid.addWidget(self.delete, 2, 7, 1, 3)


class ServicesPage(Page):
    name = "services"

    def __init__(self, controller):
        super().__init__(controller)
        c = controller
        box = QVBoxLayout(self)
        box.setContentsMargins(40, 16, 40, 16)
        box.setSpacing(12)
        self.top_row = QWidget()
        top = QHBoxLayout(self.top_row)
        top.setContentsMargins(0, 0, 0, 0)
        self.title = label("", "title", align=Qt.AlignLeft | Qt.AlignVCenter)
        self.priority = button("", "services:priority", c.start_priority, role="green")
        self.priority.setMaximumWidth(420)
        top.addWidget(self.title, 1)
        top.addWidget(self.priority)
        box.addWidget(self.top_row)
        self.mode = label("", "tag", wrap=False)
        box.addWidget(self.mode, 0, Qt.AlignLeft)
        # portrait: search, keyboard and results stacked; landscape with the keyboard open:
        # search and keyboard on the left, results on the right, so no key is squeezed
        self.flow = QBoxLayout(QBoxLayout.TopToBottom)
        self.flow.setSpacing(18)
        left = QVBoxLayout()
        left.setSpacing(18)
        self.search_row = QWidget()
        row = QHBoxLayout(self.search_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.textChanged.connect(c.search)
        self.kb_toggle = button("", "services:keyboard", self._toggle_keyboard, role="secondary")
        self.kb_toggle.setMaximumWidth(300)
        self.clear = button("", "search:clear", lambda: self._key("clear"), role="secondary")
        self.clear.setMaximumWidth(200)
        row.addWidget(self.search, 1)
        row.addWidget(self.clear)
        row.addWidget(self.kb_toggle)
        left.addWidget(self.search_row)
        self.keyboard = Keyboard(self._key)
        self.keyboard.setVisible(False)
        left.addWidget(self.keyboard)
        self.empty = label("", "subtitle")
        left.addWidget(self.empty)
        self.left_stretch = QWidget()
        left.addWidget(self.left_stretch, 1)
        self.grid = FlowGrid(min_column=640, max_columns=2)
        self.left, self.right = left, QVBoxLayout()
        self.right.setSpacing(18)
        self.right.addWidget(scroller(self.grid), 1)
        self.flow.addLayout(left)
        self.flow.addLayout(self.right, 1)
        box.addLayout(self.flow, 1)
        self.box = box
        self._zone_shown: str | None = None

    def orientation_changed(self) -> None:
        side_by_side = not self.is_portrait() and self.keyboard.isVisible()
        self.flow.setDirection(QBoxLayout.LeftToRight if side_by_side else QBoxLayout.TopToBottom)
        self.flow.setStretch(0, 1 if side_by_side else 0)
        self.left_stretch.setVisible(side_by_side)
        # 1280x800: the keyboard alone fills the left; title and search go above the results
        compact = side_by_side and self.is_compact()
        for widget, home, at in ((self.top_row, self.box, 0), (self.search_row, self.left, 0)):
            target, index = (self.right, 0 if widget is self.top_row else 1) if compact else (home, at)
            if target.indexOf(widget) != index:
                for layout in (self.box, self.left, self.right):
                    layout.removeWidget(widget)
                target.insertWidget(index, widget)
        self.title.setStyleSheet("font-size: 34px;" if compact else "")  # beside the priority button
        self.box.setContentsMargins(40, 8 if self.is_compact() else 16, 40, 8 if self.is_compact() else 16)
        self.keyboard.layout().setSpacing(6 if self.is_compact() else 10)
        self.box.setSpacing(6 if self.is_compact() else 12)

    def _toggle_keyboard(self) -> None:
        self.keyboard.setVisible(not self.keyboard.isVisible())
        self.orientation_changed()
        self.c.touch()

    def _key(self, key: str) -> None:
        text = self.search.text()
        text = text[:-1] if key == "del" else "" if key == "clear" else text + key.lower()
        self.search.setText(text)

    def render(self) -> None:
        c, s, lang = self.c, self.c.state, self.c.state.lang
        zone = c.zone(s.zone_id)
        self.title.setText(self.t("search_results") if s.query.strip() or zone is None
                           else pick(zone, "name", lang))
        self.priority.setText(self.t("priority"))
        services = c.services_shown()
        # a self-service zone issues no numbers: no green channel to offer there
        self.priority.setVisible(not s.priority_reason and (zone is None or any(sv.get("windows") for sv in services)))
        self.mode.setVisible(bool(s.priority_reason))
        if s.priority_reason:
            self.mode.setText(self.t("priority_mode", reason=self.t(f"reason_{s.priority_reason}")))
        self.search.setPlaceholderText(self.t("search_placeholder"))
        if self.search.text() != s.query:
            self.search.blockSignals(True)
            self.search.setText(s.query)
            self.search.blockSignals(False)
        if not s.query and zone is None and not self.keyboard.isVisible():
            self.keyboard.setVisible(True)  # "search all" was chosen: typing is the next step
        if zone is not None and s.zone_id != self._zone_shown and not s.query:
            self.keyboard.setVisible(False)  # a zone's own list is short: tapping beats typing
        self._zone_shown = s.zone_id
        self.orientation_changed()
        self.kb_toggle.setText(self.t("keyboard"))
        self.keyboard.delete.setText(self.t("delete"))
        self.clear.setText(self.t("clear"))
        self.clear.setVisible(bool(s.query))
        self.grid.set_max_columns(1 if s.large else 2)  # 适老化: one long name per row
        self.empty.setText(self.t("no_results") if s.query.strip() and not services else "")
        self.empty.setVisible(bool(s.query.strip() and not services))
        signature = (lang, s.large, s.zone_id, s.query,
                     tuple((sv["id"], c.window_open_for(sv["id"])) for sv in services))
        if not self.changed(signature):
            return
        tiles = []
        for sv in services:
            name = pick(sv, "name", lang)
            if not sv.get("windows"):
                tiles.append(Direction(name, self.t("self_service_go"), name=sv["id"]))
                continue
            lines = []
            if sv.get("bundle"):
                lines.append("【" + self.t("bundle_tag") + "】" if lang != "en" else self.t("bundle_tag"))
            if s.query.strip() and sv["zone"] != s.zone_id:
                z = c.zone(sv["zone"])
                if z:
                    lines.append(pick(z, "name", lang))
            served = c.window_open_for(sv["id"])
            if not served:
                lines.append(self.t("no_window_tag"))
            tile = Tile(name, lines, name=f"service:{sv['id']}", min_height=130)
            tile.setProperty("closed", not served)  # greyed: tapping it says why, no card asked for
            restyle(tile)
            tile.clicked.connect(lambda _=False, sid=sv["id"]: c.choose_service(sid))
            tiles.append(tile)
        self.grid.set_items(tiles)


class PriorityPage(Page):
    name = "priority"

    def __init__(self, controller):
        super().__init__(controller)
        box = QVBoxLayout(self)
        box.setContentsMargins(48, 40, 48, 40)
        box.setSpacing(28)
        self.title = label("", "title")
        box.addWidget(self.title)
        box.addStretch(1)
        self.grid = FlowGrid(min_column=480, max_columns=2, spacing=28)
        self.tiles = {}
        for reason in HAND_PRIORITY_REASONS:
            tile = Tile("", [], name=f"reason:{reason}", min_height=220, title_size=48, align=Qt.AlignCenter)
            tile.setProperty("role", "green")
            tile.clicked.connect(lambda _=False, r=reason: controller.choose_reason(r))
            restyle(tile)
            self.tiles[reason] = tile
        self.grid.set_items(list(self.tiles.values()))
        box.addWidget(self.grid)
        self.note = label("", "subtitle")
        box.addWidget(self.note)
        box.addStretch(1)

    def render(self) -> None:
        self.title.setText(self.t("priority_title"))
        self.note.setText(self.t("priority_note"))
        for reason, tile in self.tiles.items():
            tile.title.setText(self.t(f"reason_{reason}"))
