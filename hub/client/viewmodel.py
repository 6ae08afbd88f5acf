"""What a device controller shares with its Qt view: change listeners and the language."""
from __future__ import annotations

import logging
from typing import Callable

log = logging.getLogger("hallq.client")


class ViewModel:
    """Subclasses set `self.lang` and `translate` (their catalogue's `tr(key, lang, **values)`)."""

    translate: Callable[..., str]
    lang: str = "zh_CN"

    def on_change(self, listener: Callable[[], None]) -> None:
        self.__dict__.setdefault("_view_listeners", []).append(listener)

    def _changed(self) -> None:
        for listener in list(self.__dict__.get("_view_listeners", [])):
            try:
                listener()
            except Exception:
                log.exception("%s: view update failed", type(self).__name__)

    def t(self, key: str, **values) -> str:
        return type(self).translate(key, self.lang, **values)

    def set_lang(self, lang: str) -> None:
        self.lang = lang
        self._changed()
