"""Look of the kiosk: calm deep blue and white, large type, high contrast, big touch targets."""
from __future__ import annotations

import logging
import re

from hardware.fonts import register_qt_cjk_font
from PySide6.QtGui import QFont

log = logging.getLogger("hallq.kiosk")

FAMILY = "Noto Sans CJK SC"
BLUE, BLUE_DARK, BLUE_LIGHT = "#0B4EA2", "#08326B", "#E6EEF8"
INK, INK_SOFT, PAPER, WHITE = "#17202E", "#3A4656", "#F3F6FA", "#FFFFFF"
GREEN, GREEN_DARK = "#1E7B4A", "#135C36"
WARN_BG, WARN_INK, ALERT_BG = "#FFF1C2", "#5A3B00", "#B3261E"
GREY_BG, GREY_INK = "#DDE2E8", "#3E4A59"
TOUCH_MIN = 120  # px: a finger, also an unsteady one, hits this without aiming
LARGE_SCALE = 1.3  # 适老化: every font this much larger (30 px body text becomes 39 px)

def register_cjk_font() -> str:
    """The family the whole UI uses, loaded into Qt once."""
    return register_qt_cjk_font(FAMILY)


def app_font() -> QFont:
    font = QFont(register_cjk_font())
    font.setPixelSize(30)
    return font


def stylesheet(large: bool = False) -> str:
    sheet = _stylesheet()
    if not large:
        return sheet
    return re.sub(r"font-size: (\d+)px", lambda m: f"font-size: {round(int(m.group(1)) * LARGE_SCALE)}px", sheet)


def _stylesheet() -> str:
    family = register_cjk_font()
    return f"""
    QWidget {{ font-family: "{family}"; color: {INK}; font-size: 30px; }}
    #root, #page {{ background: {PAPER}; }}
    #header {{ background: {BLUE_DARK}; }}
    #header QLabel {{ color: {WHITE}; }}
    #hallName {{ font-size: 40px; font-weight: bold; }}
    #clock {{ font-size: 34px; }}
    #banner {{ background: {WARN_BG}; }}
    #banner QLabel {{ color: {WARN_INK}; font-size: 32px; font-weight: bold; }}
    #banner[alert="true"] {{ background: {ALERT_BG}; }}
    #banner[alert="true"] QLabel {{ color: {WHITE}; }}
    #footer {{ background: {WHITE}; border-top: 2px solid {GREY_BG}; }}
    #idleHint {{ color: {INK_SOFT}; font-size: 28px; }}
    QLabel#title {{ font-size: 48px; font-weight: bold; color: {BLUE_DARK}; }}
    QLabel#subtitle {{ font-size: 34px; color: {INK_SOFT}; }}
    QLabel#body {{ font-size: 36px; color: {INK}; }}
    QLabel#problem {{ font-size: 38px; font-weight: bold; color: {ALERT_BG}; }}
    QLabel#notice {{ font-size: 28px; color: {INK_SOFT}; }}
    QLabel#tag {{ font-size: 34px; font-weight: bold; color: {WHITE}; background: {GREEN};
                 border-radius: 10px; padding: 6px 18px; }}
    QPushButton {{ background: {BLUE}; color: {WHITE}; border: none; border-radius: 18px;
                  font-size: 36px; font-weight: bold; padding: 4px 24px; min-height: {TOUCH_MIN - 8}px; }}
    QPushButton:pressed {{ background: {BLUE_DARK}; }}
    QPushButton:disabled {{ background: {GREY_BG}; color: {GREY_INK}; }}
    QPushButton[role="secondary"] {{ background: {WHITE}; color: {BLUE_DARK}; border: 3px solid {BLUE}; }}
    QPushButton[role="secondary"]:checked {{ background: {BLUE}; color: {WHITE}; }}
    QPushButton[role="green"] {{ background: {GREEN}; }}
    QPushButton[role="green"]:pressed {{ background: {GREEN_DARK}; }}
    QPushButton[role="green"]:disabled {{ background: {GREY_BG}; color: {GREY_INK}; }}
    QPushButton[role="key"] {{ background: {WHITE}; color: {INK}; border: 3px solid {GREY_BG};
                              font-size: 48px; padding: 0px; min-height: {TOUCH_MIN - 6}px; }}
    QPushButton[role="key"]:pressed {{ background: {BLUE_LIGHT}; }}
    QPushButton[role="header"] {{ background: {BLUE}; border: 2px solid {WHITE}; font-size: 32px;
                                 min-height: {TOUCH_MIN - 20}px; }}
    QPushButton[kind="tile"] QLabel {{ color: {WHITE}; background: transparent; }}
    QPushButton[kind="tile"][closed="true"] {{ background: {GREY_BG}; }}
    QPushButton[kind="tile"][closed="true"] QLabel {{ color: {GREY_INK}; }}
    QPushButton[kind="tile"][role="green"] QLabel {{ color: {WHITE}; }}
    QLabel#tileTitle {{ font-size: 40px; font-weight: bold; }}
    QLabel#tileSub {{ font-size: 30px; }}
    QLabel#tileNote {{ font-size: 24px; }}
    QLabel#topTitle {{ font-size: 31px; font-weight: bold; }}
    QLabel#topSub {{ font-size: 26px; }}
    QPushButton[role="search"] {{ background: {WHITE}; color: {INK_SOFT}; border: 3px solid {BLUE};
                                 border-radius: 14px; font-size: 32px; font-weight: normal; text-align: left;
                                 padding-left: 28px; }}
    QPushButton[role="green"]:checked {{ background: {BLUE_DARK}; border: 4px solid {WARN_BG}; }}
    QFrame#direction {{ background: {WHITE}; border: 3px dashed {GREY_INK}; border-radius: 18px; }}
    QFrame#direction QLabel {{ color: {INK}; }}
    QLineEdit {{ background: {WHITE}; border: 3px solid {BLUE}; border-radius: 14px; font-size: 36px;
                padding: 10px 18px; min-height: 90px; }}
    QLabel#bigNumber {{ color: {BLUE_DARK}; font-weight: bold; }}
    QLabel#entry {{ background: {WHITE}; border: 3px solid {BLUE}; border-radius: 14px; font-size: 64px;
                   font-weight: bold; letter-spacing: 12px; min-height: 120px; }}
    QScrollArea {{ border: none; background: transparent; }}
    QScrollBar:vertical {{ width: 28px; background: {GREY_BG}; border-radius: 14px; }}
    QScrollBar::handle:vertical {{ background: {BLUE}; border-radius: 14px; min-height: 80px; }}
    QScrollBar::add-line, QScrollBar::sub-line {{ height: 0; }}
    """
