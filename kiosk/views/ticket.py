"""The issued number, as large as the screen allows, and what happens next."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QBoxLayout, QVBoxLayout

from ..text import pick, wait_text
from .widgets import Page, button, label

NUMBER_PX = 220


class TicketPage(Page):
    name = "ticket"

    def __init__(self, controller):
        super().__init__(controller)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(48, 36, 48, 36)
        outer.setSpacing(24)
        self.flow = QBoxLayout(QBoxLayout.TopToBottom)
        self.flows.append(self.flow)
        self.flow.setSpacing(24)
        left, right = QVBoxLayout(), QVBoxLayout()
        left.setSpacing(8)
        right.setSpacing(18)
        self.caption = label("", "subtitle")
        self.number = label("", "bigNumber", wrap=False)
        font = QFont(self.font())
        font.setPixelSize(NUMBER_PX)
        font.setBold(True)
        self.number.setFont(font)
        self.number.setStyleSheet(f"font-size: {NUMBER_PX}px;")
        self.tag = label("", "tag", wrap=False)
        left.addStretch(1)
        left.addWidget(self.caption)
        left.addWidget(self.number)
        left.addWidget(self.tag, 0, Qt.AlignHCenter)
        left.addStretch(1)
        self.service = label("", "title")
        self.ahead = label("", "body")
        self.wait = label("", "body")
        self.printing = label("", "problem")
        self.hint = label("", "subtitle")
        right.addStretch(1)
        for w in (self.service, self.ahead, self.wait, self.printing, self.hint):
            right.addWidget(w)
        right.addStretch(1)
        self.flow.addLayout(left, 1)
        self.flow.addLayout(right, 1)
        outer.addLayout(self.flow, 1)
        self.done = button("", "ticket:done", controller.home, height=140)
        outer.addWidget(self.done)
        self.outer = outer

    def orientation_changed(self) -> None:
        super().orientation_changed()
        margin = 10 if self.is_compact() else 36  # 1280x800: the number and "done" without scrolling
        self.outer.setContentsMargins(48, margin, 48, margin)
        self.outer.setSpacing(8 if self.is_compact() else 24)

    def render(self) -> None:
        c, s, lang = self.c, self.c.state, self.c.state.lang
        self.set_flow(self.flow)
        t = s.ticket or {}
        self.caption.setText(self.t("your_number"))
        self.number.setText(t.get("number", ""))
        tags = []
        if t.get("priority"):
            tags.append(self.t("print_priority"))  # 绿色通道, as the printed ticket says
        if t.get("appointment_id"):
            tags.append(self.t("appointment_ticket"))
        self.tag.setText(" · ".join(tags))
        self.tag.setVisible(bool(tags))
        service = s.ticket_service or {}
        zone = c.zone(t.get("zone_id")) or {}
        name = pick(service, "name", lang) or t.get("service_name", "")
        zone_name = pick(zone, "name", lang) or t.get("zone_name", "")
        self.service.setText(f"{name}\n{zone_name}" if zone_name else name)
        ahead = int(t.get("ahead") or 0)
        self.ahead.setText(self.t("ahead", n=ahead) if ahead else self.t("ahead_none"))
        wait = wait_text(t, lang)
        self.wait.setText(wait)
        self.wait.setVisible(bool(wait))
        note = {"printed": "printed", "failed": "print_failed", "off": "printing_off"}.get(s.print_result or "")
        self.printing.setText(self.t(note) if note else "")
        self.printing.setVisible(bool(note))
        self.printing.setObjectName("subtitle" if note == "printed" else "problem")
        self.printing.style().unpolish(self.printing)
        self.printing.style().polish(self.printing)
        # 1280x800 in large text or with a printer fault: the number, the place, the fault and
        # "done" come first; the hint in its short form, on one line
        squeezed = self.is_compact() and (s.large or note in ("print_failed", "printing_off"))
        self.hint.setText(self.t("ticket_hint_short" if squeezed else "ticket_hint"))
        self.service.setStyleSheet("font-size: 52px;" if squeezed and s.large else "")
        self.done.setText(self.t("done"))
