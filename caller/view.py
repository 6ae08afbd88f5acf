"""The caller panel's widgets: they show the controller's state and pass on the clerk's presses."""
from __future__ import annotations

import logging

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (QAbstractItemView, QBoxLayout, QGridLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QMessageBox, QPushButton, QSizePolicy, QStackedWidget, QTableWidget,
                               QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from hub.client import device_preference, remember_device_preference

from .controller import CallerController
from .text import PAUSE_REASONS, tr

log = logging.getLogger("hallq.caller")

FONT_FAMILY = "Noto Sans CJK SC"

STYLE = f"""
QWidget {{ font-family: "{FONT_FAMILY}"; font-size: 18px; color: #1d2733; }}
#caller {{ background: #eef2f6; }}
#banner {{ background: #c62828; color: white; font-weight: bold; padding: 6px; border-radius: 4px; }}
#header {{ font-size: 20px; font-weight: bold; }}
#chip {{ border-radius: 12px; padding: 2px 12px; color: white; background: #2e7d32; }}
#chip[state="paused"] {{ background: #ef6c00; }}
#chip[state="closed"] {{ background: #78909c; }}
#chip[state="offline"] {{ background: #c62828; }}
#card {{ background: white; border: 1px solid #cfd8dc; border-radius: 8px; }}
#number {{ font-size: 64px; font-weight: bold; color: #0d47a1; }}
#number[idle="true"] {{ font-size: 26px; color: #90a4ae; font-weight: normal; }}
#mark {{ border-radius: 4px; padding: 1px 8px; color: white; font-weight: bold; }}
#mark[kind="priority"] {{ background: #2e7d32; }}
#mark[kind="appointment"] {{ background: #6a1b9a; }}
#service {{ font-size: 20px; font-weight: bold; }}
#detail {{ color: #455a64; }}
#stat {{ color: #263238; }}
#stat[alert="true"] {{ color: #c62828; font-weight: bold; }}
#hint {{ color: #607d8b; }}
#grace {{ color: #e65100; }}
#message {{ color: #37474f; }}
#message[error="true"] {{ color: #c62828; font-weight: bold; }}
QPushButton {{ min-height: 40px; border-radius: 6px; background: #ffffff; border: 1px solid #90a4ae; padding: 0 8px; }}
QPushButton:disabled {{ color: #b0bec5; background: #f5f7f8; border-color: #dde3e6; }}
QPushButton#primary {{ background: #1565c0; color: white; font-size: 21px; font-weight: bold; min-height: 48px;
                       border: none; }}
QPushButton#primary:disabled {{ background: #b0c4de; color: #eef2f6; }}
QLineEdit {{ min-height: 38px; font-size: 20px; padding: 0 6px; }}
QListWidget {{ font-size: 20px; }}
QTableWidget {{ font-size: 20px; background: white; selection-background-color: #1565c0; selection-color: white; }}
QHeaderView::section {{ font-size: 18px; padding: 4px; background: #dfe6ec; border: none; }}
"""




def _label(name: str, text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    return label


def _restyle(widget: QWidget, **props) -> None:
    for key, value in props.items():
        widget.setProperty(key, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


GEOMETRY_KEY = "caller_geometry"  # in the device settings (hub.client), beside the hub and token
NARROW_WIDTH = 600  # below it the panel stacks its two columns


class CallerWindow(QWidget):
    KEYS = {Qt.Key_F1: "call_next", Qt.Key_F2: "recall", Qt.Key_F3: "no_show", Qt.Key_F4: "transfer",
            Qt.Key_F5: "finish", Qt.Key_F6: "pause_or_resume", Qt.Key_F7: "serve", Qt.Key_F8: "finish_and_next",
            Qt.Key_F9: "call_ticket"}

    def __init__(self, controller: CallerController, *, settings_role: str | None = None):
        """`settings_role`: remember where the clerk puts and how large they make the panel, in that
        role's device settings (None: not remembered, e.g. in tests and screenshots)."""
        super().__init__()
        self.c = controller
        self.settings_role = settings_role
        self.setObjectName("caller")
        self.setStyleSheet(STYLE)
        self.resize(900, 640)
        self.setMinimumSize(440, 480)
        if settings_role:
            saved = device_preference(settings_role, GEOMETRY_KEY)
            if saved:
                self.restoreGeometry(QByteArray.fromHex(saved.encode()))
        self._save_timer = QTimer(self)  # save once the clerk stops dragging, not on every pixel
        self._save_timer.setSingleShot(True)
        self._save_timer.timeout.connect(self.save_geometry)
        self.selected_id: int | None = None  # the waiting ticket chosen in the list
        self.call_choice: dict | None = None  # the ticket being called out of turn, while its reason is asked
        root = QVBoxLayout(self)
        root.setContentsMargins(12, 10, 12, 10)
        self.banner = _label("banner")
        self.banner.setAlignment(Qt.AlignCenter)
        self.banner.hide()
        root.addWidget(self.banner)
        head = QHBoxLayout()
        self.header = _label("header")
        self.chip = _label("chip")
        self.header.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)  # the state chip never gets cut
        head.addWidget(self.header, 1)
        head.addWidget(self.chip)
        root.addLayout(head)
        self.pages = QStackedWidget()
        root.addWidget(self.pages, 1)
        self.message = _label("message")
        self.message.setWordWrap(True)
        root.addWidget(self.message)
        self._build_login()
        self._build_main()
        self._build_pause()
        self._build_transfer()
        self._build_call()
        # the wait time moves with the clock even when nothing else happens
        self.ticker = QTimer(self)
        self.ticker.timeout.connect(self.render)
        self.ticker.start(20_000)
        controller.on_change(self.render)
        self.render()

    # ---- pages ----------------------------------------------------------------------------
    def _build_login(self) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.addStretch(1)
        self.login_title = _label("service")
        self.login_title.setAlignment(Qt.AlignCenter)
        lay.addWidget(self.login_title)
        self.clerk_label, self.pin_label = QLabel(), QLabel()
        self.clerk_edit, self.pin_edit = QLineEdit(), QLineEdit()
        self.pin_edit.setEchoMode(QLineEdit.Password)
        self.clerk_edit.setMaxLength(32)
        self.pin_edit.setMaxLength(16)
        for label, edit in ((self.clerk_label, self.clerk_edit), (self.pin_label, self.pin_edit)):
            lay.addWidget(label)
            lay.addWidget(edit)
        self.login_button = QPushButton()
        self.login_button.setObjectName("primary")
        self.login_button.clicked.connect(self.do_login)
        self.pin_edit.returnPressed.connect(self.do_login)
        self.clerk_edit.returnPressed.connect(self.pin_edit.setFocus)
        lay.addSpacing(8)
        lay.addWidget(self.login_button)
        lay.addStretch(2)
        self.login_page = page
        self.pages.addWidget(page)

    def _build_main(self) -> None:
        page = QWidget()
        outer = self.columns = QBoxLayout(QBoxLayout.LeftToRight, page)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(14)
        left = QVBoxLayout()
        card = QWidget()
        card.setObjectName("card")
        card_lay = QVBoxLayout(card)
        card_lay.setSpacing(2)
        top = QHBoxLayout()
        self.number = _label("number")
        top.addWidget(self.number, 1)
        marks = QVBoxLayout()
        self.marks = {k: _label("mark") for k in ("priority", "appointment")}
        for kind, mark in self.marks.items():
            _restyle(mark, kind=kind)
            mark.setAlignment(Qt.AlignCenter)
            marks.addWidget(mark)
        marks.addStretch(1)
        top.addLayout(marks)
        card_lay.addLayout(top)
        self.service = _label("service")
        self.service.setWordWrap(True)
        self.detail = _label("detail")
        self.holder = _label("detail")
        for w in (self.service, self.detail, self.holder):
            card_lay.addWidget(w)
        left.addWidget(card)
        self.buttons: dict[str, QPushButton] = {}
        for action in ("call_next", "finish_and_next"):
            self.buttons[action] = QPushButton()
            self.buttons[action].setObjectName("primary")
            left.addWidget(self.buttons[action])
        grid = QGridLayout()
        order = ("recall", "no_show", "serve", "finish", "transfer", "pause_or_resume", "logout")
        for i, action in enumerate(order):
            self.buttons[action] = QPushButton()
            grid.addWidget(self.buttons[action], i // 3, i % 3)
        left.addLayout(grid)
        left.addStretch(1)
        outer.addLayout(left, 5)

        right = QVBoxLayout()
        self.line_title = _label("service")
        right.addWidget(self.line_title)
        self.line_table = QTableWidget(0, 4)
        self.line_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.line_table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.line_table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.line_table.setFocusPolicy(Qt.NoFocus)  # ↑↓ and the F-keys stay with the panel
        self.line_table.verticalHeader().hide()
        self.line_table.verticalHeader().setDefaultSectionSize(36)
        header = self.line_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.Stretch)
        self.line_table.itemSelectionChanged.connect(self._selection_changed)
        self.line_table.cellDoubleClicked.connect(lambda _row, _col: self.trigger("call_ticket"))
        right.addWidget(self.line_table, 1)
        self.buttons["call_ticket"] = QPushButton()
        right.addWidget(self.buttons["call_ticket"])
        stats = QGridLayout()
        self.waiting, self.longest, self.served, self.average = (_label("stat") for _ in range(4))
        for i, w in enumerate((self.waiting, self.longest, self.served, self.average)):
            stats.addWidget(w, i // 2, i % 2)
        right.addLayout(stats)
        self.grace = _label("grace")  # 过号 tickets in their grace (issue 10)
        self.grace.setWordWrap(True)
        right.addWidget(self.grace)
        self.hint = _label("hint")
        self.hint.setWordWrap(True)
        right.addWidget(self.hint)
        outer.addLayout(right, 6)
        for action, button in self.buttons.items():
            button.setFocusPolicy(Qt.NoFocus)  # keep F-keys with the panel, not a button
            button.clicked.connect(lambda _=False, a=action: self.trigger(a))
        self.main_page = page
        self.pages.addWidget(page)

    def _build_call(self) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        self.call_title = _label("service")
        lay.addWidget(self.call_title)
        self.call_reasons = QListWidget()
        self.call_reasons.itemDoubleClicked.connect(lambda _item: self.confirm_call())
        lay.addWidget(self.call_reasons, 1)
        row = QHBoxLayout()
        self.call_ok, self.call_cancel = QPushButton(), QPushButton()
        self.call_ok.setObjectName("primary")
        self.call_ok.clicked.connect(self.confirm_call)
        self.call_cancel.clicked.connect(self.back_to_main)
        row.addWidget(self.call_cancel)
        row.addWidget(self.call_ok)
        lay.addLayout(row)
        self.call_page = page
        self.pages.addWidget(page)

    def _build_pause(self) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        self.pause_title = _label("service")
        lay.addWidget(self.pause_title)
        self.reasons = QListWidget()
        for key in PAUSE_REASONS:
            item = QListWidgetItem()
            item.setData(Qt.UserRole, key)
            self.reasons.addItem(item)
        self.reasons.setCurrentRow(0)
        self.reasons.itemDoubleClicked.connect(lambda _item: self.confirm_pause())
        lay.addWidget(self.reasons, 1)
        row = QHBoxLayout()
        self.pause_ok, self.pause_cancel = QPushButton(), QPushButton()
        self.pause_ok.setObjectName("primary")
        self.pause_ok.clicked.connect(self.confirm_pause)
        self.pause_cancel.clicked.connect(self.back_to_main)
        row.addWidget(self.pause_cancel)
        row.addWidget(self.pause_ok)
        lay.addLayout(row)
        self.pause_page = page
        self.pages.addWidget(page)

    def _build_transfer(self) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        self.transfer_title = _label("service")
        lay.addWidget(self.transfer_title)
        self.transfer_tabs = QTabWidget()
        self.service_filter, self.window_filter = QLineEdit(), QLineEdit()
        self.service_list, self.window_list = QListWidget(), QListWidget()
        for flt, lst in ((self.service_filter, self.service_list), (self.window_filter, self.window_list)):
            tab = QWidget()
            tab_lay = QVBoxLayout(tab)
            tab_lay.addWidget(flt)
            tab_lay.addWidget(lst, 1)
            flt.textChanged.connect(lambda text, lst=lst: self._filter(lst, text))
            lst.itemDoubleClicked.connect(lambda _item: self.confirm_transfer())
            self.transfer_tabs.addTab(tab, "")
        lay.addWidget(self.transfer_tabs, 1)
        self.transfer_hint = _label("hint")
        lay.addWidget(self.transfer_hint)
        row = QHBoxLayout()
        self.transfer_ok, self.transfer_cancel = QPushButton(), QPushButton()
        self.transfer_ok.setObjectName("primary")
        self.transfer_ok.clicked.connect(self.confirm_transfer)
        self.transfer_cancel.clicked.connect(self.back_to_main)
        row.addWidget(self.transfer_cancel)
        row.addWidget(self.transfer_ok)
        lay.addLayout(row)
        self.transfer_page = page
        self.pages.addWidget(page)

    @staticmethod
    def _filter(lst: QListWidget, text: str) -> None:
        text = text.strip().lower()
        for i in range(lst.count()):
            item = lst.item(i)
            item.setHidden(bool(text) and text not in item.text().lower())

    # ---- intents --------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        page, key = self.pages.currentWidget(), event.key()
        action = self.KEYS.get(key)
        if page is self.main_page and action:
            self.trigger(action)
        elif page is self.main_page and key in (Qt.Key_Up, Qt.Key_Down):
            self.move_selection(-1 if key == Qt.Key_Up else 1)
        elif page is self.main_page and key in (Qt.Key_Return, Qt.Key_Enter) and self.selected_id is not None:
            self.trigger("call_ticket")
        elif page in (self.pause_page, self.transfer_page, self.call_page) and key == Qt.Key_Escape:
            self.back_to_main()
        elif page is self.pause_page and key in (Qt.Key_Return, Qt.Key_Enter):
            self.confirm_pause()
        elif page is self.call_page and key in (Qt.Key_Return, Qt.Key_Enter):
            self.confirm_call()
        elif page is self.transfer_page and key in (Qt.Key_Return, Qt.Key_Enter):
            self.confirm_transfer()
        elif page is self.transfer_page and key in (Qt.Key_Up, Qt.Key_Down):
            self.move_transfer_choice(-1 if key == Qt.Key_Up else 1)
        elif page is self.transfer_page and key == Qt.Key_F4:  # F4 again: services <-> windows
            self.transfer_tabs.setCurrentIndex(1 - self.transfer_tabs.currentIndex())
            (self.window_filter if self.transfer_tabs.currentIndex() else self.service_filter).setFocus()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def move_selection(self, step: int) -> None:
        rows = self.line_table.rowCount()
        if not rows:
            return
        current = self.line_table.currentRow() if self.line_table.selectedItems() else (-1 if step > 0 else rows)
        self.line_table.selectRow(max(0, min(rows - 1, current + step)))

    def _selection_changed(self) -> None:
        items = self.line_table.selectedItems()
        self.selected_id = items[0].data(Qt.UserRole) if items else None

    def trigger(self, action: str) -> None:
        c = self.c
        if action == "pause_or_resume":
            action = "resume" if c.paused else "pause"
        if not c.enabled(action):
            return
        if action == "pause":
            self.reasons.setCurrentRow(0)
            self.pages.setCurrentWidget(self.pause_page)
            self.reasons.setFocus()
        elif action == "transfer":
            self._fill_transfer()
            self.pages.setCurrentWidget(self.transfer_page)
            self.service_filter.setFocus()
        elif action == "call_ticket":
            chosen = next((r for r in c.line_rows() if r["id"] == self.selected_id), None)
            if chosen is None:
                c.note(c.t("choose_first"), error=True)
                return
            self.call_choice = chosen
            self.call_reasons.clear()
            for code, label in c.call_reasons():
                item = QListWidgetItem(label)
                item.setData(Qt.UserRole, code)
                self.call_reasons.addItem(item)
            self.call_reasons.setCurrentRow(0)
            self.call_title.setText(c.t("call_title", number=chosen["number"]))
            self.pages.setCurrentWidget(self.call_page)
            self.call_reasons.setFocus()
        else:
            c.press(action)

    def confirm_call(self) -> None:
        item, chosen = self.call_reasons.currentItem(), self.call_choice
        if item is None or chosen is None or self.pages.currentWidget() is not self.call_page:
            return
        self.back_to_main()
        self.c.press("call_ticket", ticket_id=chosen["id"], reason=item.data(Qt.UserRole))

    def do_login(self) -> None:
        if self.c.enabled("login"):
            self.c.press("login", clerk_id=self.clerk_edit.text(), pin=self.pin_edit.text())

    def confirm_pause(self) -> None:
        item = self.reasons.currentItem()
        if item is None or self.pages.currentWidget() is not self.pause_page:
            return
        self.back_to_main()
        # the hall's records are in Chinese whatever language the panel shows
        self.c.press("pause", reason=tr(item.data(Qt.UserRole), "zh_CN"))

    def _fill_transfer(self) -> None:
        services, windows = self.c.transfer_targets()
        for lst, flt, entries in ((self.service_list, self.service_filter, services),
                                  (self.window_list, self.window_filter, windows)):
            lst.clear()
            flt.clear()
            for key, label in entries:
                item = QListWidgetItem(label)
                item.setData(Qt.UserRole, key)
                lst.addItem(item)

    def _transfer_list(self) -> QListWidget:
        return self.service_list if self.transfer_tabs.currentIndex() == 0 else self.window_list

    def move_transfer_choice(self, step: int) -> None:
        """↑↓ while typing in the search: move among the matches shown."""
        lst = self._transfer_list()
        shown = [i for i in range(lst.count()) if not lst.item(i).isHidden()]
        if not shown:
            return
        now = lst.currentRow()
        later = [i for i in shown if (i > now if step > 0 else i < now)]
        lst.setCurrentRow((later[0] if step > 0 else later[-1]) if later else (shown[0] if now not in shown else now))

    def confirm_transfer(self) -> None:
        if self.pages.currentWidget() is not self.transfer_page:
            return
        to_service = self.transfer_tabs.currentIndex() == 0
        lst = self._transfer_list()
        item = lst.currentItem()
        if item is None or item.isHidden():  # Enter right after typing: the first match
            item = next((lst.item(i) for i in range(lst.count()) if not lst.item(i).isHidden()), None)
        if item is None:
            return
        self.back_to_main()
        key = item.data(Qt.UserRole)
        self.c.press("transfer", **({"service_id": key} if to_service else {"to_window": int(key)}))

    def back_to_main(self) -> None:
        self.call_choice = None
        self.pages.setCurrentWidget(self.main_page if self.c.logged_in else self.login_page)
        self.setFocus()

    # ---- remembering the geometry ---------------------------------------------------------
    def save_geometry(self) -> None:
        if self.settings_role:
            remember_device_preference(self.settings_role, GEOMETRY_KEY, bytes(self.saveGeometry().toHex()).decode())

    def moveEvent(self, event) -> None:
        super().moveEvent(event)
        self._save_timer.start(1000)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # Narrow (a corner of a shared screen): the waiting list goes under the keys instead of beside them.
        self.columns.setDirection(QBoxLayout.TopToBottom if self.width() < NARROW_WIDTH else QBoxLayout.LeftToRight)
        self._save_timer.start(1000)

    def closeEvent(self, event) -> None:
        self.save_geometry()
        super().closeEvent(event)

    # ---- showing the state ----------------------------------------------------------------
    def render(self) -> None:
        c, t = self.c, self.c.t
        self.setWindowTitle(t("title", window=c.window_label()))
        if not c.connected or c.retrying:
            self.banner.setText(c.client.refusal(c.lang) or t("offline") + ("  " + t("retrying") if c.retrying else ""))
            self.banner.show()
        else:
            self.banner.hide()
        header = c.window_label()
        if c.logged_in and c.window.get("clerk_id"):
            header += " · " + t("clerk", name=c.clerk_name or "", id=c.window["clerk_id"]).lstrip()
        self.header.setText(header)
        state = c.window.get("state", "closed")
        # the reason is shown large in the ticket card; the chip only names the state
        if not c.connected:  # the hub's last word may be stale: the chip must not say 受理中 while cut off
            state = "offline"
            self.chip.setText(t("state_reconnecting" if c.retrying else "state_offline"))
        else:
            self.chip.setText(t({"paused": "state_paused_short", "open": "state_open"}.get(state, "state_closed")))
        self.chip.setMinimumWidth(self.chip.fontMetrics().horizontalAdvance(self.chip.text()) + 28)
        _restyle(self.chip, state=state)
        current_page = self.pages.currentWidget()
        if not c.logged_in:
            self.pages.setCurrentWidget(self.login_page)
        elif current_page is self.login_page or (current_page is self.transfer_page and not c.enabled("transfer")) \
                or (current_page is self.pause_page and not c.enabled("pause") and not c.pending) \
                or (current_page is self.call_page and not c.enabled("call_ticket") and not c.pending):
            self.pages.setCurrentWidget(self.main_page)
        self._render_login()
        self._render_main()
        message = t("working") if c.pending and not c.retrying else c.message
        self.message.setText(message)
        _restyle(self.message, error="true" if c.message_is_error and not c.pending else "false")

    def _ask_strand(self) -> None:
        """WOULD_STRAND: the hub's question (naming the tickets) in a box; going anyway alerts the console."""
        c, t = self.c, self.c.t
        if c.strand_question is None or getattr(self, "strand_box", None) is not None:
            return
        box = self.strand_box = QMessageBox(QMessageBox.Warning, t("strand_title"), c.strand_question[2],
                                            QMessageBox.NoButton, self)
        box.setObjectName("strand_box")
        go = box.addButton(t("strand_go"), QMessageBox.DestructiveRole)
        go.setObjectName("strand_go")
        box.addButton(t("strand_stay"), QMessageBox.RejectRole).setObjectName("strand_stay")

        def answered(button) -> None:
            self.strand_box = None
            c.press("answer_strand_question", go=button is go)

        box.buttonClicked.connect(answered)
        box.open()

    def _render_login(self) -> None:
        t = self.c.t
        self.login_title.setText(t("login_title"))
        self.clerk_label.setText(t("clerk_id"))
        self.pin_label.setText(t("pin"))
        self.login_button.setText(t("login"))
        self.login_button.setEnabled(self.c.enabled("login"))
        if self.c.logged_in:
            self.pin_edit.clear()

    def _render_main(self) -> None:
        c, t = self.c, self.c.t
        view = c.ticket_view()
        if view is None:
            self.number.setText(t("state_paused", reason=c.window.get("pause_reason") or "") if c.paused
                                else t("no_ticket"))
            _restyle(self.number, idle="true")
            for mark in self.marks.values():
                mark.hide()
            self.service.setText("")
            self.detail.setText("")
            self.holder.setText("")
        else:
            self.number.setText(view["number"])
            _restyle(self.number, idle="false")
            for kind, mark in self.marks.items():
                mark.setText(t(kind))
                mark.setVisible(view[kind])
            self.service.setText(view["service"])
            parts = [t("waited", minutes=view["wait_minutes"]), t(view["state"])]
            if view["recalls"]:
                parts.append(t("recalls", n=view["recalls"]))
            self.detail.setText(" · ".join(parts))
            self.holder.setText(view["holder"])
            self.holder.setVisible(bool(view["holder"]))
        self.waiting.setText(t("waiting_here", n=c.waiting_here()))
        self.grace.setText(c.grace_note())
        self.grace.setVisible(bool(self.grace.text()))
        self._ask_strand()
        longest = c.longest_wait()
        self.longest.setText(t("longest_none") if longest is None else t("longest_wait", minutes=longest))
        self.served.setText(t("served_today", n=c.served_today))
        average = c.average_service_minutes
        self.average.setText(t("average_none") if average is None else t("average_service", minutes=average))
        self._render_line()
        for action, button in self.buttons.items():
            if action == "pause_or_resume":
                action = "resume" if c.paused else "pause"
            button.setText(t(action))
            button.setEnabled(c.enabled(action))
        self.hint.setText(t("keys_hint"))
        self.call_ok.setText(t("ok"))
        self.call_cancel.setText(t("cancel"))
        self.pause_title.setText(t("pause_title"))
        for i in range(self.reasons.count()):
            item = self.reasons.item(i)
            item.setText(t(item.data(Qt.UserRole)))
        self.pause_ok.setText(t("ok"))
        self.pause_cancel.setText(t("cancel"))
        self.transfer_hint.setText(t("transfer_hint"))
        self.transfer_ok.setText(t("ok"))
        self.transfer_cancel.setText(t("cancel"))
        self.transfer_title.setText(t("transfer_title", number=view["number"] if view else ""))
        self.transfer_tabs.setTabText(0, t("to_service"))
        self.transfer_tabs.setTabText(1, t("to_window"))
        self.service_filter.setPlaceholderText(t("filter"))
        self.window_filter.setPlaceholderText(t("filter"))

    def _render_line(self) -> None:
        c, t = self.c, self.c.t
        self.line_title.setText(t("line_title"))
        self.line_table.setHorizontalHeaderLabels([t("col_number"), t("col_service"), t("col_waited"), t("col_marks")])
        rows = c.line_rows()
        table = self.line_table
        table.blockSignals(True)
        table.clearSelection()
        table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            cells = (row["number"], row["service"], t("minutes", n=row["wait_minutes"]),
                     " ".join(t(m) for m in row["marks"]))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.UserRole, row["id"])
                if row["marks"] and col == 3:
                    item.setForeground(QColor("#2e7d32" if "priority" in row["marks"] else "#6a1b9a"))
                table.setItem(i, col, item)
            if row["id"] == self.selected_id:
                table.selectRow(i)
        table.blockSignals(False)
        if self.selected_id is not None and not any(r["id"] == self.selected_id for r in rows):
            self.selected_id = None  # called elsewhere, transferred or cancelled: nothing stays chosen
