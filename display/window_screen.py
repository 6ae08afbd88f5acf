"""The small screen above one window (窗口屏, `hallq display --window 5`): the window's name, the
number at it, large, and what the window is doing. Everything scales with the screen's height,
so a 1366x768 LCD, a 800x480 panel or a wide LED strip each fill with the number."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

from .controller import DisplayController
from .widgets import BG, DIM, FONT_FAMILY, HEADER, PANEL, WHITE, YELLOW, Flasher, fit, label, restyle

STYLE = f"""
QWidget {{ font-family: "{FONT_FAMILY}"; color: {WHITE}; }}
#windowScreen {{ background: {BG}; }}
#winName {{ background: {HEADER}; font-weight: bold; }}
#winNumber {{ color: {YELLOW}; font-weight: bold; background: {PANEL}; }}
#winNumber[flash="true"] {{ color: {BG}; background: {YELLOW}; }}
#winNumber[state="open"] {{ color: {DIM}; }}
#winNumber[state="paused"], #winNumber[state="closed"] {{ color: #ffab91; }}
#winState {{ color: {WHITE}; }}
#winState[state="paused"], #winState[state="closed"] {{ color: #ffab91; }}
#winClerk {{ color: {DIM}; }}
#offline {{ color: white; background: #c62828; }}
"""


class WindowScreen(QWidget):
    def __init__(self, controller: DisplayController):
        super().__init__()
        self.c = controller
        self.setObjectName("windowScreen")
        self.setStyleSheet(STYLE)
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        self.name, self.number, self.state, self.clerk = (label(n) for n in ("winName", "winNumber", "winState",
                                                                              "winClerk"))
        self.offline = label("offline")
        for w in (self.name, self.number, self.state, self.clerk, self.offline):
            w.setAlignment(Qt.AlignCenter)
            w.setAttribute(Qt.WA_StyledBackground, True)
        # shares of the height, whatever the text's size: the screen never grows to fit its text
        for w, share in ((self.offline, 6), (self.name, 14), (self.number, 56), (self.state, 14), (self.clerk, 8)):
            w.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Ignored)
            root.addWidget(w, share)
        self.flasher = Flasher(self, [self.number])
        self._seen_flashes = controller.flashes
        self.resize(1366, 768)
        controller.on_change(self.render)
        self.render()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.render()

    def render(self) -> None:
        c, t = self.c, self.c.t
        v = c.window_view()
        h, room = max(self.height(), 200), self.width() - 40
        self.name.setText(f"{v['label']}  {v['name']}".strip())
        state = v["state"]
        # a paused or closed window says so in the big middle, not with a bare dash read as a grey bar
        self.number.setText({"paused": t("win_paused_big"), "closed": t("win_closed")}.get(state)
                            or v["number"] or t("win_idle_number"))
        self.state.setText({"called": t("win_called", number=v["number"]), "serving": t("win_serving"),
                            "paused": t("win_paused_reason", reason=v["reason"]) if v["reason"] else "",
                            "closed": ""}.get(state, t("win_free")))
        self.clerk.setText(t("win_clerk", name=v["clerk"]) if v["clerk"] and state != "closed" else "")
        self.clerk.setVisible(bool(self.clerk.text()))
        self.offline.setText(c.client.refusal(c.lang) or t("offline"))
        self.offline.setVisible(not c.connected)
        fit(self.number, int(h * 0.45), room, smallest=40)
        fit(self.name, int(h * 0.09), room, smallest=16)
        fit(self.state, int(h * 0.085), room, smallest=16, bold=False)
        fit(self.clerk, int(h * 0.05), room, smallest=14, bold=False)
        fit(self.offline, int(h * 0.045), room, smallest=14, bold=False)
        for w in (self.number, self.state):
            restyle(w, state=state)
        if c.flashes != self._seen_flashes:
            self._seen_flashes = c.flashes
            self.flasher.start()
