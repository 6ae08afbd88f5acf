"""`hallq evaluator --hub URL --token TOKEN --window N`: the 好差评 screen facing the citizen at a window.

Widgets only draw the controller's state and pass taps on; the rules live in
EvaluatorController. Pair it as a caller of its window (it may rate that window's tickets only).
"""
from __future__ import annotations

import argparse
import logging
import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hardware.fonts import register_qt_cjk_font
from hub.client import HubClient, add_connection_arguments, connect_or_exit

from .app import paired_window, run_until_closed
from .evaluator_controller import (
    IDLE,
    RATING,
    REASONS,
    SENDING,
    THANKS,
    EvaluatorController,
)

log = logging.getLogger("hallq.evaluator")

STYLE = """
QWidget#EvaluatorWindow { background: #eef2f7; }
QWidget { font-family: "Noto Sans CJK SC"; color: #1d2330; }
QLabel#head { font-size: 18px; color: #ffffff; background: #0c3d86; padding: 8px 16px; }
QLabel#offline { font-size: 16px; color: #ffffff; background: #c62828; padding: 4px 16px; }
QLabel#welcome { font-size: 44px; font-weight: 800; color: #0c3d86; }
QLabel#clerk { font-size: 24px; color: #1d2330; }
QLabel#hint { font-size: 20px; color: #5b6474; }
QLabel#title { font-size: 34px; font-weight: 800; color: #0c3d86; }
QLabel#ticket { font-size: 20px; color: #5b6474; }
QLabel#chosen { font-size: 28px; font-weight: 800; }
QLabel#message { font-size: 18px; color: #c62828; }
QLabel#countdown { font-size: 16px; color: #5b6474; }
QLabel#thanks { font-size: 46px; font-weight: 800; color: #1b7f3b; }
QLabel#thanksDetail { font-size: 24px; color: #1d2330; }
QPushButton { font-size: 20px; border-radius: 12px; border: 2px solid #dde3ec; background: #ffffff; padding: 8px; }
QPushButton[score="good"] { font-size: 22px; font-weight: 700; border-color: #9bbbe8; color: #0c3d86; }
QPushButton[score="bad"] { font-size: 22px; font-weight: 700; border-color: #eaa2a2; color: #c62828; }
QPushButton[score="good"]:pressed { background: #e8f0fd; }
QPushButton[score="bad"]:pressed { background: #fdecec; }
QPushButton#reason { font-size: 19px; border-radius: 22px; padding: 8px 16px; background: #f6f8fb; }
QPushButton#reason:checked { background: #1456b8; color: #ffffff; border-color: #1456b8; }
QPushButton#submit { background: #1456b8; color: #ffffff; border-color: #1456b8; font-size: 24px; font-weight: 700; }
QPushButton#back { font-size: 18px; }
QPushButton#lang { font-size: 14px; border-radius: 12px; padding: 2px 10px; background: transparent;
                   color: #ffffff; border: 1px solid #9bbbe8; }
"""

STARS = {5: "★★★★★", 4: "★★★★☆", 3: "★★★☆☆", 2: "★★☆☆☆", 1: "★☆☆☆☆"}


def _label(name: str, text: str = "", align=Qt.AlignCenter) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setAlignment(align)
    label.setWordWrap(True)
    return label


class EvaluatorWindow(QWidget):
    def __init__(self, controller: EvaluatorController):
        super().__init__()
        self.controller = controller
        self.setObjectName("EvaluatorWindow")
        self.setAttribute(Qt.WA_StyledBackground, True)
        self.setStyleSheet(STYLE)
        self.resize(800, 480)

        self.head = _label("head", align=Qt.AlignLeft | Qt.AlignVCenter)
        self.lang_button = QPushButton()
        self.lang_button.setObjectName("lang")
        self.lang_button.clicked.connect(self._toggle_lang)
        head_box = QWidget()
        head_box.setStyleSheet("background: #0c3d86;")
        head_layout = QHBoxLayout(head_box)
        head_layout.setContentsMargins(0, 0, 12, 0)
        head_layout.addWidget(self.head, 1)
        head_layout.addWidget(self.lang_button)
        self.offline = _label("offline")

        self.stack = QStackedWidget()
        self.pages = {IDLE: self._idle_page(), RATING: self._rating_page(), REASONS: self._reasons_page(),
                      THANKS: self._thanks_page()}
        for page in self.pages.values():
            self.stack.addWidget(page)

        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        root.addWidget(head_box)
        root.addWidget(self.offline)
        root.addWidget(self.stack, 1)
        controller.on_change(self.refresh)
        self.refresh()

    # ---- pages ----------------------------------------------------------------------------
    def _idle_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.addStretch(2)
        self.welcome = _label("welcome")
        self.clerk = _label("clerk")
        self.idle_hint = _label("hint")
        for w in (self.welcome, self.clerk, self.idle_hint):
            lay.addWidget(w)
            lay.addSpacing(10)
        lay.addStretch(3)
        return page

    def _rating_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(24, 18, 24, 24)
        self.rate_title = _label("title")
        self.rate_ticket = _label("ticket")
        lay.addWidget(self.rate_title)
        lay.addWidget(self.rate_ticket)
        lay.addStretch(1)
        row = QHBoxLayout()
        row.setSpacing(10)
        self.score_buttons: dict[int, QPushButton] = {}
        for score in (5, 4, 3, 2, 1):
            b = QPushButton()
            b.setObjectName(f"score_{score}")
            b.setProperty("score", "bad" if score <= 2 else "good")
            b.setMinimumSize(138, 190)
            b.clicked.connect(lambda _=False, s=score: self.controller.choose(s))
            row.addWidget(b)
            self.score_buttons[score] = b
        lay.addLayout(row)
        lay.addStretch(1)
        return page

    def _reasons_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(24, 14, 24, 18)
        self.chosen = _label("chosen")
        self.reasons_hint = _label("hint")
        lay.addWidget(self.chosen)
        lay.addWidget(self.reasons_hint)
        self.chips_box = QWidget()
        self.chips = QGridLayout(self.chips_box)
        self.chips.setSpacing(10)
        lay.addWidget(self.chips_box)
        lay.addStretch(1)
        self.message = _label("message")
        lay.addWidget(self.message)
        row = QHBoxLayout()
        self.back_button = QPushButton()
        self.back_button.setObjectName("back")
        self.back_button.setMinimumHeight(64)
        self.back_button.clicked.connect(self.controller.back)
        self.submit_button = QPushButton()
        self.submit_button.setObjectName("submit")
        self.submit_button.setMinimumHeight(64)
        self.submit_button.clicked.connect(self.controller.submit)
        row.addWidget(self.back_button, 1)
        row.addWidget(self.submit_button, 2)
        lay.addLayout(row)
        self.countdown = _label("countdown")
        lay.addWidget(self.countdown)
        self._chip_buttons: dict[str, QPushButton] = {}
        self._chip_key: tuple = ()
        return page

    def _thanks_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.addStretch(2)
        self.thanks = _label("thanks")
        self.thanks_detail = _label("thanksDetail")
        lay.addWidget(self.thanks)
        lay.addSpacing(12)
        lay.addWidget(self.thanks_detail)
        lay.addStretch(3)
        return page

    # ---- drawing the controller's state ---------------------------------------------------
    def _toggle_lang(self) -> None:
        self.controller.set_lang("en" if self.controller.lang == "zh_CN" else "zh_CN")

    def _rebuild_chips(self) -> None:
        c = self.controller
        choices = c.reason_choices()
        key = (c.lang, tuple(code for code, _ in choices))
        if key != self._chip_key:
            while self.chips.count():
                item = self.chips.takeAt(0)
                if item.widget():
                    item.widget().deleteLater()
            self._chip_buttons = {}
            for i, (code, label) in enumerate(choices):
                b = QPushButton(label)
                b.setObjectName("reason")
                b.setProperty("code", code)
                b.setCheckable(True)
                b.setMinimumHeight(52)
                b.clicked.connect(lambda _=False, k=code: self.controller.toggle(k))
                self.chips.addWidget(b, i // 3, i % 3)
                self._chip_buttons[code] = b
            self._chip_key = key
        for code, b in self._chip_buttons.items():
            b.setChecked(code in c.reasons)

    def refresh(self) -> None:
        c = self.controller
        t = c.t
        self.setWindowTitle(t("title", window=c.window_label()))
        self.head.setText(c.window_label())
        self.lang_button.setText(t("lang"))
        self.offline.setText(c.client.refusal(c.lang) or t("offline"))
        self.offline.setVisible(c.started and not c.connected)
        self.welcome.setText(t("welcome"))
        self.clerk.setText(t("clerk", name=c.clerk_name) if c.clerk_name else t("no_clerk"))
        self.idle_hint.setText(t("idle_hint"))
        self.rate_title.setText(t("rate_title"))
        if c.ticket:
            self.rate_ticket.setText(t("rate_ticket", number=c.ticket["number"],
                                       service=c.service_name(c.ticket["service_id"])))
        for score, b in self.score_buttons.items():
            b.setText(f"{STARS[score]}\n\n{c.score_label(score)}")
        if c.score is not None:
            self.chosen.setText(f"{STARS[c.score]}  {c.score_label(c.score)}")
            self.chosen.setStyleSheet(f"color: {'#c62828' if c.score <= 2 else '#1456b8'};")
            self.reasons_hint.setText(t("reasons_bad" if c.score <= 2 else "reasons_good"))
            self._rebuild_chips()
        sending = c.mode == SENDING
        self.submit_button.setText(t("sending") if sending else t("submit"))
        self.submit_button.setEnabled(not sending)
        self.back_button.setText(t("back"))
        self.back_button.setEnabled(not sending)
        self.message.setText(c.message if c.mode in (REASONS, SENDING) else "")
        self.countdown.setText(t("auto_submit", s=c.countdown) if c.mode == REASONS and c.countdown > 0 else "")
        self.thanks.setText(t("thanks"))
        self.thanks_detail.setText(c.message if c.mode == THANKS else "")
        page = REASONS if c.mode == SENDING else c.mode
        self.stack.setCurrentWidget(self.pages[page])


def create_evaluator(client: HubClient, window_id: int, *, lang: str = "zh_CN",
                     **timing) -> tuple[EvaluatorWindow, EvaluatorController]:
    """The screen and its controller; call `await controller.start()` inside the qasync loop."""
    register_qt_cjk_font()
    controller = EvaluatorController(client, window_id, lang=lang, **timing)
    return EvaluatorWindow(controller), controller


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="hallq evaluator", description="好差评 评价器 — the citizen's rating screen")
    add_connection_arguments(p, "evaluator")  # paired as a caller of its window
    p.add_argument("--window", type=int, help="the window this screen faces (default: the paired window)")
    p.add_argument("--lang", choices=["zh_CN", "en"], default="zh_CN")
    p.add_argument("--fullscreen", action="store_true")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    connection = connect_or_exit(args, "evaluator", roles=("caller", "console"))
    me = connection.me
    window_id = paired_window(args, me)
    if window_id is None:
        return 2

    def build():
        window, controller = create_evaluator(connection.client(), window_id, lang=args.lang)
        window.showFullScreen() if args.fullscreen else window.show()
        return window, controller

    return run_until_closed(build)

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    sys.exit(main())
