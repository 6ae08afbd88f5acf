"""Home: three big choices, nothing else to read first."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout

from ..text import pick
from .widgets import FlowGrid, Page, Tile, label, restyle


class HomePage(Page):
    name = "home"

    def __init__(self, controller):
        super().__init__(controller)
        box = QVBoxLayout(self)
        box.setContentsMargins(48, 40, 48, 40)
        box.setSpacing(28)
        self.welcome = label("", "title")
        self.date = label("", "subtitle")
        box.addWidget(self.welcome)
        box.addWidget(self.date)
        box.addStretch(1)
        self.grid = FlowGrid(min_column=560, max_columns=3, spacing=32)
        c = controller
        self.take = Tile("", [""], name="home:take", min_height=300, title_size=64, align=Qt.AlignCenter)
        self.appt = Tile("", [""], name="home:appointment", min_height=300, title_size=52, align=Qt.AlignCenter)
        self.prio = Tile("", [""], name="home:priority", min_height=300, title_size=46, align=Qt.AlignCenter)
        self.prio.setProperty("role", "green")
        self.take.clicked.connect(c.take_number)
        self.appt.clicked.connect(c.appointment)
        self.prio.clicked.connect(c.start_priority)
        self.grid.set_items([self.take, self.appt, self.prio])
        box.addWidget(self.grid)
        box.addStretch(1)
        self.notice = label("", "notice")
        box.addWidget(self.notice)
        restyle(self.prio)

    def render(self) -> None:
        c = self.c
        for tile, key in ((self.take, "take_number"), (self.appt, "appointment"), (self.prio, "priority")):
            tile.title.setText(self.t(key))
            tile.lines[0].setText(self.t(key + "_sub"))
        self.welcome.setText(self.t("welcome"))
        now = c.now()
        weekday = ("一", "二", "三", "四", "五", "六", "日")[now.weekday()]
        self.date.setText(now.strftime("%A, %d %B %Y") if c.state.lang == "en"
                          else f"{now.year}年{now.month}月{now.day}日 星期{weekday}")
        hall = (c.hall or {}).get("hall", {})
        self.notice.setText(pick(hall, "notice", c.state.lang) if c.state.lang != "en" else "")
