"""The error every connection raises for a config that cannot work."""
from __future__ import annotations

__all__ = ["PrinterConfigError", "needs"]


class PrinterConfigError(ValueError):
    """The printer config cannot work; the message says what to change, in Chinese and English."""

    def __init__(self, zh: str, en: str):
        self.message_zh, self.message_en = zh, en
        super().__init__(f"{zh} / {en}")


def needs(usable: bool, zh: str, en: str) -> None:
    """Refuse a connection whose library is missing, naming what to install."""
    if not usable:
        raise PrinterConfigError(zh, en)
