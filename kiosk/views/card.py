"""The optional ID card step, and the question asked when the card shows a senior."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from .widgets import Page, button, label


class CardPage(Page):
    name = "card"

    def __init__(self, controller):
        super().__init__(controller)
        box = QVBoxLayout(self)
        box.setContentsMargins(60, 60, 60, 60)
        box.setSpacing(36)
        box.addStretch(1)
        self.title = label("", "title")
        self.sub = label("", "subtitle")
        self.problem = label("", "problem")
        self.wait = label("", "subtitle")
        for w in (self.title, self.sub, self.problem, self.wait):
            box.addWidget(w)
        box.addStretch(1)
        self.skip = button("", "card:skip", controller.skip_card, height=140)
        box.addWidget(self.skip)

    def render(self) -> None:
        s = self.c.state
        self.title.setText(self.t("card_title"))
        self.sub.setText(self.t("card_sub"))
        self.problem.setText(self.t(s.card_problem) if s.card_problem else "")
        self.problem.setVisible(bool(s.card_problem))
        self.wait.setText(self.t("please_wait") if s.busy else "")
        self.skip.setText(self.t("skip"))
        self.skip.setEnabled(not s.busy)


class SeniorPage(Page):
    name = "senior"

    def __init__(self, controller):
        super().__init__(controller)
        box = QVBoxLayout(self)
        box.setContentsMargins(60, 60, 60, 60)
        box.setSpacing(40)
        box.addStretch(1)
        self.title = label("", "title")
        self.title.setStyleSheet("font-size: 60px;")
        self.sub = label("", "subtitle")
        box.addWidget(self.title)
        box.addWidget(self.sub)
        box.addStretch(1)
        self.buttons = QHBoxLayout()
        self.flows.append(self.buttons)
        self.buttons.setSpacing(32)
        self.yes = button("", "senior:yes", lambda: controller.senior_answer(True), role="green", height=180)
        self.no = button("", "senior:no", lambda: controller.senior_answer(False), role="secondary", height=180)
        self.buttons.addWidget(self.yes)
        self.buttons.addWidget(self.no)
        box.addLayout(self.buttons)
        box.addStretch(1)

    def render(self) -> None:
        s = self.c.state
        self.set_flow(self.buttons)
        self.title.setText(self.t("senior_title"))
        senior = s.senior or {"name": "", "age": ""}
        self.sub.setText(self.t("senior_sub", name=senior["name"], age=senior["age"]))
        self.yes.setText(self.t("senior_yes"))
        self.no.setText(self.t("senior_no"))
        self.yes.setEnabled(not s.busy)
        self.no.setEnabled(not s.busy)
