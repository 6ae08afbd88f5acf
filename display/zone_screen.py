"""A zone's screen (`hallq display --zone G`): the zone's latest call, how many wait, and each of
its windows with the number it serves, for the screen at the zone's entrance (read from ~8 m)."""
from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from .controller import DisplayController
from .widgets import BG, DIM, FONT_FAMILY, HEADER, PANEL, WHITE, YELLOW, Flasher, Marquee, fit, label, restyle

STYLE = f"""
QWidget {{ font-family: "{FONT_FAMILY}"; color: {WHITE}; }}
#zoneScreen {{ background: {BG}; }}
#zoneHeader {{ background: {HEADER}; }}
#zoneTitle {{ font-size: 60px; font-weight: bold; }}
#zoneWaiting {{ font-size: 60px; color: {YELLOW}; font-weight: bold; }}
#offline {{ font-size: 30px; color: white; background: #c62828; padding: 4px 16px; border-radius: 8px; }}
#zoneCall {{ background: {PANEL}; font-weight: bold; color: {YELLOW}; }}
#zoneCall[flash="true"] {{ background: {YELLOW}; color: {BG}; }}
#winCell {{ background: {PANEL}; border-radius: 12px; }}
#winCellName {{ color: {WHITE}; }}
#winCellNumber {{ font-weight: bold; color: {YELLOW}; }}
#winCellNumber[state="paused"], #winCellNumber[state="closed"], #winCellNumber[state="open"] {{
    color: {DIM}; font-weight: normal; }}
"""
FIXED_HEIGHT = 110 + 220 + 80 + 48  # header, latest call, notice, the grid's margins


class ZoneScreen(QWidget):
    def __init__(self, controller: DisplayController):
        super().__init__()
        self.c = controller
        self.setObjectName("zoneScreen")
        self.setStyleSheet(STYLE)
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        header = QWidget()
        header.setObjectName("zoneHeader")
        header.setAttribute(Qt.WA_StyledBackground, True)
        header.setFixedHeight(110)
        head = QHBoxLayout(header)
        head.setContentsMargins(40, 0, 40, 0)
        self.title, self.waiting, self.offline = label("zoneTitle"), label("zoneWaiting"), label("offline")
        head.addWidget(self.title, 1)
        head.addWidget(self.offline)
        head.addSpacing(30)
        head.addWidget(self.waiting)
        root.addWidget(header)
        self.call = label("zoneCall")
        self.call.setAlignment(Qt.AlignCenter)
        self.call.setAttribute(Qt.WA_StyledBackground, True)
        root.addWidget(self.call)
        body = QWidget()
        self.grid = QGridLayout(body)
        self.grid.setContentsMargins(40, 24, 40, 24)
        self.grid.setSpacing(20)
        root.addWidget(body, 1)
        self.marquee = Marquee()
        root.addWidget(self.marquee)
        self.cells: list[tuple[QWidget, object, object]] = []
        self.flasher = Flasher(self, [self.call])
        self._seen_flashes = controller.flashes
        self.resize(1920, 1080)
        controller.on_change(self.render)
        self.render()

    def render(self) -> None:
        c, t = self.c, self.c.t
        zone = c.zone
        if zone is None:
            self.title.setText(t("zone_unknown", zone=",".join(c.zone_filter)) if c.mirror.zones else "")
            self.waiting.setText("")
        else:
            self.title.setText(f"{zone['prefix']}  {c.zone_name(zone)}")
            self.waiting.setText(t("zone_waiting", n=c.mirror.waiting_in_zone(zone["id"])))
        self.offline.setText(c.client.refusal(c.lang) or t("offline"))
        self.offline.setVisible(not c.connected)
        latest = c.latest
        self.call.setText(t("please", number=latest["number"], window=c.window_label(latest["window_id"]))
                          if latest else t("no_calls"))
        fit(self.call, 150, self.width() - 80, smallest=60, line=1.3)
        self._render_windows(c.zone_windows())
        self.marquee.set_text(c.notice)
        if c.flashes != self._seen_flashes:
            self._seen_flashes = c.flashes
            self.flasher.start()

    def _render_windows(self, windows: list[dict]) -> None:
        t = self.c.t
        while len(self.cells) < len(windows):
            cell = QWidget()
            cell.setObjectName("winCell")
            cell.setAttribute(Qt.WA_StyledBackground, True)
            lay = QVBoxLayout(cell)
            lay.setContentsMargins(12, 6, 12, 10)
            name, number = label("winCellName"), label("winCellNumber")
            for w in (name, number):
                w.setAlignment(Qt.AlignCenter)
                lay.addWidget(w)
            self.cells.append((cell, name, number))
        # as many columns as keep the cells wider than tall, and type as large as the rows allow
        columns = max(4, math.ceil(math.sqrt(len(windows) * 1.8)))
        rows = max(1, math.ceil(len(windows) / columns))
        row_height = (self.height() - FIXED_HEIGHT - 20 * (rows - 1)) / rows - 16
        room = (self.width() - 80 - 20 * (columns - 1)) // columns - 24
        for col in range(len(self.cells)):
            self.grid.setColumnStretch(col, 1 if col < columns else 0)
        for i, (cell, name, number) in enumerate(self.cells):
            self.grid.removeWidget(cell)
            if i >= len(windows):
                cell.hide()
                continue
            v = windows[i]
            self.grid.addWidget(cell, i // columns, i % columns)
            name.setText(v["label"])
            number.setText(v["number"] or {"paused": t("zone_paused"), "closed": t("zone_window_closed")}
                           .get(v["state"], t("zone_free")))
            restyle(number, state=v["state"])
            fit(name, min(44, int(row_height * 0.25)), room, smallest=14, bold=False, line=1.3)
            fit(number, min(110, int(row_height * 0.55)), room, smallest=16, line=1.15)
            cell.show()
