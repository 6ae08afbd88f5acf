"""Plain-words screens: a refusal or closed zone, and "the hub cannot be reached"."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from ..controller import LOADING
from .widgets import Page, button, label


class MessagePage(Page):
    name = "message"

    def __init__(self, controller):
        super().__init__(controller)
        box = QVBoxLayout(self)
        box.setContentsMargins(60, 60, 60, 60)
        box.setSpacing(36)
        box.addStretch(1)
        self.title = label("", "title")
        self.body = label("", "body")
        self.hint = label("", "subtitle")
        for w in (self.title, self.body, self.hint):
            box.addWidget(w)
        box.addStretch(1)
        self.action = button("", "message:take_normal", controller.take_number, role="green", height=140)
        box.addWidget(self.action)

    def render(self) -> None:
        s = self.c.state
        title, body, hint = s.message or ("", "", "")
        self.title.setText(title)
        self.body.setText(body)
        self.hint.setText(hint)
        self.hint.setVisible(bool(hint))
        self.action.setText(self.t("take_normal"))
        self.action.setVisible(s.message_action == "take_normal")


class UnreachablePage(Page):
    name = "unreachable"

    def __init__(self, controller):
        super().__init__(controller)
        box = QVBoxLayout(self)
        box.setContentsMargins(60, 60, 60, 60)
        box.setSpacing(36)
        box.addStretch(1)
        self.title = label("", "title")
        self.sub = label("", "subtitle")
        box.addWidget(self.title)
        box.addWidget(self.sub)
        box.addStretch(1)
        row = QHBoxLayout()
        row.setSpacing(28)
        self.retry = button("", "unreachable:retry", controller.retry, height=140)
        row.addWidget(self.retry)
        box.addLayout(row)

    def render(self) -> None:
        s = self.c.state
        if s.screen == LOADING:
            failed = self.c.hall_failed
            self.title.setText(self.t("unreachable") if failed else self.t("loading"))
            self.sub.setText((self.c.client.refusal(self.c.state.lang) or self.t("unreachable_sub")) if failed else "")
            self.retry.setVisible(False)
            return
        self.title.setText(self.t("unreachable"))
        self.sub.setText(self.t("reconnected") if s.connected
                         else self.c.client.refusal(self.c.state.lang) or self.t("unreachable_sub"))
        self.retry.setText(self.t("retry"))
        self.retry.setVisible(self.c.pending is not None)
        self.retry.setEnabled(not s.busy)
