"""The kiosk's one window: header (hall, clock, language), a warning banner, the screens, a footer."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLayout, QScrollArea, QStackedWidget, QVBoxLayout, QWidget

from ..controller import (
    APPOINTMENT, CARD, HOME, LOADING, MESSAGE, PRIORITY, SENIOR, SERVICES, TICKET, UNREACHABLE, ZONES,
)
from .appointment import AppointmentPage
from .card import CardPage, SeniorPage
from .choose import PriorityPage, ServicesPage, ZonesPage
from .home import HomePage
from .message import MessagePage, UnreachablePage
from .style import TOUCH_MIN, stylesheet
from .ticket import TicketPage
from .widgets import COMPACT_HEIGHT, button, label, restyle

HEADER_HEIGHT, HEADER_HEIGHT_COMPACT = 140, 116
HEADER_MARGIN, HEADER_MARGIN_COMPACT = 8, 3
IDLE_HINT_FROM = 10  # seconds: the countdown is shown only near its end, so it does not hurry anyone


class _TouchWatcher(QObject):
    def __init__(self, controller):
        super().__init__()
        self.c = controller

    def eventFilter(self, obj, event) -> bool:
        if event.type() in (QEvent.MouseButtonPress, QEvent.TouchBegin, QEvent.KeyPress):
            self.c.touch()
        return False


class KioskWindow(QWidget):
    def __init__(self, controller):
        super().__init__()
        self.c = controller
        self.setObjectName("root")
        self.setAttribute(Qt.WA_StyledBackground, True)
        self._large = False
        self.setStyleSheet(stylesheet())
        self.setWindowTitle("HallQ 取号机")
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        root.setSizeConstraint(QLayout.SetNoConstraint)

        header = QFrame()
        header.setObjectName("header")
        header.setFixedHeight(HEADER_HEIGHT)
        self.header = header
        hbox = QHBoxLayout(header)
        hbox.setContentsMargins(36, HEADER_MARGIN, 24, HEADER_MARGIN)
        hbox.setSpacing(24)
        self.hall_name = label("", "hallName", align=Qt.AlignLeft | Qt.AlignVCenter)
        self.clock = label("", "clock", wrap=False, align=Qt.AlignRight | Qt.AlignVCenter)
        self.lang = button("", "lang", lambda: controller.set_lang(), role="header")
        self.lang.setFixedWidth(200)
        hbox.addWidget(self.hall_name, 1)
        hbox.addWidget(self.clock)
        hbox.addWidget(self.lang)
        root.addWidget(header)

        self.banner = QFrame()
        self.banner.setObjectName("banner")
        bbox = QHBoxLayout(self.banner)
        bbox.setContentsMargins(36, 14, 36, 14)
        self.banner_text = label("", "bannerText")
        bbox.addWidget(self.banner_text)
        root.addWidget(self.banner)

        self.stack = QStackedWidget()
        self.pages = {}
        self._frames: dict[int, QScrollArea] = {}
        unreachable = UnreachablePage(controller)
        for screen, page in ((HOME, HomePage(controller)), (ZONES, ZonesPage(controller)),
                             (SERVICES, ServicesPage(controller)), (CARD, CardPage(controller)),
                             (SENIOR, SeniorPage(controller)), (PRIORITY, PriorityPage(controller)),
                             (TICKET, TicketPage(controller)), (APPOINTMENT, AppointmentPage(controller)),
                             (MESSAGE, MessagePage(controller)), (UNREACHABLE, unreachable),
                             (LOADING, unreachable)):
            if id(page) not in self._frames:
                self._frames[id(page)] = frame = _scrolling(page)
                self.stack.addWidget(frame)
            self.pages[screen] = page
        root.addWidget(self.stack, 1)

        self.footer = QFrame()
        self.footer.setObjectName("footer")
        fbox = QHBoxLayout(self.footer)
        fbox.setContentsMargins(36, 10, 36, 10)
        fbox.setSpacing(24)
        self.back = button("", "back", controller.back, role="secondary")
        self.home = button("", "home", controller.home)
        self.back.setFixedWidth(300)
        self.home.setFixedWidth(300)
        self.idle = label("", "idleHint")
        fbox.addWidget(self.back)
        fbox.addWidget(self.idle, 1)
        fbox.addWidget(self.home)
        root.addWidget(self.footer)

        self._watcher = _TouchWatcher(controller)
        self.installEventFilter(self._watcher)
        from PySide6.QtWidgets import QApplication

        if QApplication.instance():
            QApplication.instance().installEventFilter(self._watcher)
        self._clock_timer = QTimer(self)
        self._clock_timer.setInterval(1000)
        self._clock_timer.timeout.connect(self._show_clock)
        self._clock_timer.start()
        controller.changed.connect(self.render)
        self.render()

    def closeEvent(self, event) -> None:
        from PySide6.QtWidgets import QApplication

        self._clock_timer.stop()
        if QApplication.instance():
            QApplication.instance().removeEventFilter(self._watcher)
        super().closeEvent(event)

    @property
    def page(self):
        return self.pages[self.c.state.screen]

    def _show_clock(self) -> None:
        self.clock.setText(self.c.now().strftime("%H:%M:%S"))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # a 1280x800 screen needs the height for the page; the hall's name still reads at 40 px
        compact = self.height() < COMPACT_HEIGHT
        self.header.setFixedHeight(HEADER_HEIGHT_COMPACT if compact else HEADER_HEIGHT)
        # the language button stays whole inside the header: at 1280x800 a little shorter (still 110 px)
        margin = HEADER_MARGIN_COMPACT if compact else HEADER_MARGIN
        self.header.layout().setContentsMargins(36, margin, 24, margin)
        self.lang.setFixedHeight(min(TOUCH_MIN, self.header.height() - 2 * margin))
        self.footer.layout().setContentsMargins(36, 4 if compact else 10, 36, 4 if compact else 10)
        self.banner.layout().setContentsMargins(36, 4 if compact else 14, 36, 4 if compact else 14)
        for page in set(self.pages.values()):
            page.orientation_changed()
        self.render()

    def render(self) -> None:
        c, s = self.c, self.c.state
        if s.large != self._large:
            self._large = s.large
            self.setStyleSheet(stylesheet(s.large))
            for page in set(self.pages.values()):
                page.large_changed()
        self.hall_name.setText(c.hall_name() or "HallQ")
        self._show_clock()
        self.lang.setText(c.text("lang_switch"))
        banner, alert = "", False
        if not s.connected and c.hall is not None and s.screen not in (UNREACHABLE, LOADING):
            banner, alert = c.text("unreachable"), True
        elif c.printer is not None and c.printer_fault and not (s.screen == TICKET and s.print_result in ("failed", "off")):
            # the ticket screen says it in its own red line: once is enough
            banner = c.text("printing_off")
        self.banner_text.setText(banner)
        self.banner.setVisible(bool(banner))
        if self.banner.property("alert") != alert:
            self.banner.setProperty("alert", alert)
            restyle(self.banner)
        self.footer.setVisible(s.screen not in (HOME, LOADING, TICKET))  # the ticket has its own big "done"
        self.back.setText(c.text("back"))
        self.home.setText(c.text("home"))
        self.back.setVisible(s.screen in (ZONES, SERVICES, CARD, SENIOR, PRIORITY, APPOINTMENT, MESSAGE))
        self.back.setEnabled(not s.busy)
        self.home.setEnabled(not s.busy)
        near_end = 0 < s.idle_left <= IDLE_HINT_FROM
        self.idle.setText(c.text("idle_hint", seconds=s.idle_left) if near_end else "")
        page = self.page
        page.render()
        frame = self._frames[id(page)]
        if self.stack.currentWidget() is not frame:
            self.stack.setCurrentWidget(frame)


def _scrolling(page: QWidget) -> QScrollArea:
    """On a screen smaller than the kiosk's (a laptop running the demo) a page scrolls rather
    than squeezing its big buttons until their text is cut off."""
    frame = QScrollArea()
    frame.setObjectName("pageFrame")
    frame.setWidget(page)
    frame.setWidgetResizable(True)
    frame.setFrameShape(QFrame.NoFrame)
    frame.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    return frame
