"""Appointment check-in: a 6-digit code or phone number on a big numeric keypad, or the ID card."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from ..controller import APPT_LENGTH
from .widgets import Page, button, label

KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "del")


class AppointmentPage(Page):
    name = "appointment"

    def __init__(self, controller):
        super().__init__(controller)
        c = controller
        outer = QVBoxLayout(self)
        outer.setContentsMargins(48, 12, 48, 12)
        outer.setSpacing(14)
        self.title = label("", "title")
        outer.addWidget(self.title)
        self.tab_row = QWidget()
        tabs = QHBoxLayout(self.tab_row)
        tabs.setContentsMargins(0, 0, 0, 0)
        tabs.setSpacing(16)
        self.tabs = {}
        for mode in ("code", "phone", "card"):
            b = button("", f"appt:{mode}", lambda _=False, m=mode: c.appt_mode(m), role="secondary")
            b.setCheckable(True)
            tabs.addWidget(b)
            self.tabs[mode] = b
        outer.addWidget(self.tab_row)
        self.flow = QBoxLayout(QBoxLayout.TopToBottom)
        self.flows.append(self.flow)
        self.flow.setSpacing(28)
        left = QVBoxLayout()
        left.setSpacing(20)
        self.prompt = label("", "subtitle")
        self.entry = label("", "entry", wrap=False)
        self.status = label("", "problem")
        self.confirm = button("", "appt:confirm", c.appt_confirm, role="green", height=140)
        left.addStretch(1)
        for w in (self.prompt, self.entry, self.status):
            left.addWidget(w)
        left.addStretch(1)
        self.left = left
        self.outer = outer
        self.pad = QWidget()
        grid = QGridLayout(self.pad)
        grid.setSpacing(12)
        grid.setContentsMargins(0, 0, 0, 0)
        self.keys = {}
        for i, key in enumerate(KEYS):
            b = button(key, f"appt:key:{key}", lambda _=False, k=key: c.appt_key(k),
                       role="key" if key.isdigit() else "secondary", height=130)
            b.setMinimumHeight(120)
            grid.addWidget(b, i // 3, i % 3)
            self.keys[key] = b
        self.flow.addLayout(left, 1)
        self.flow.addWidget(self.pad, 1)
        outer.addLayout(self.flow, 1)
        self.orientation_changed()

    def orientation_changed(self) -> None:
        # confirm comes after the keys: below them in portrait, under the entry in landscape
        super().orientation_changed()
        portrait = self.is_portrait()
        target = self.outer if portrait else self.left
        if self.confirm.parent() is None or target.indexOf(self.confirm) < 0:
            for layout in (self.outer, self.left):
                layout.removeWidget(self.confirm)
            target.addWidget(self.confirm)
        # 1280x800: the keypad takes the whole height on the right, the tabs go above the entry
        # 1280x800: the title heads the left column, beside the keypad, so the keypad keeps its height
        compact = not portrait and self.is_compact()
        places = ((self.title, *((self.left, 0) if compact else (self.outer, 0))),
                  (self.tab_row, *((self.left, 1) if compact else (self.outer, 1))))
        for widget, home, at in places:
            if home.indexOf(widget) != at:
                for layout in (self.outer, self.left):
                    layout.removeWidget(widget)
                home.insertWidget(at, widget)
        self.title.setStyleSheet("font-size: 32px;" if compact else "")
        self.title.setAlignment(Qt.AlignLeft | Qt.AlignVCenter if compact else Qt.AlignCenter)
        self.left.setSpacing(10 if compact else 20)
        margin = 4 if self.is_compact() else 12
        self.outer.setContentsMargins(48, margin, 48, margin)

    def render(self) -> None:
        s = self.c.state
        self.set_flow(self.flow)
        self.title.setText(self.t("appt_title"))
        for mode, b in self.tabs.items():
            b.setText(self.t(f"appt_by_{mode}"))
            b.setChecked(mode == s.appt_mode)
            b.setEnabled(not s.busy)
        card = s.appt_mode == "card"
        self.pad.setVisible(not card)
        self.entry.setVisible(not card)
        self.confirm.setVisible(not card)
        if card:
            self.prompt.setText(self.t("appt_card_prompt" if self.c.has_reader else "appt_no_reader"))
        else:
            self.prompt.setText(self.t("appt_code_prompt" if s.appt_mode == "code" else "appt_phone_prompt"))
            width = APPT_LENGTH[s.appt_mode]
            shown = s.appt_input + "_" * (width - len(s.appt_input))
            self.entry.setText(" ".join(shown) if s.appt_mode == "code" else shown)
            self.entry.setAlignment(Qt.AlignCenter)
        problem = s.card_problem if card else None
        self.status.setText(self.t("please_wait") if s.busy else (self.t(problem) if problem else ""))
        self.status.setVisible(bool(s.busy or problem))
        self.keys["del"].setText(self.t("delete"))
        self.keys["clear"].setText(self.t("clear"))
        self.confirm.setText(self.t("confirm"))
        self.confirm.setEnabled(self.c.appt_ready() and not s.busy)
