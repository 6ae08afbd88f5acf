"""The call queue: one worker thread says each call in turn, so calls never overlap."""
from __future__ import annotations

import logging
import queue
import threading
from typing import Callable, Protocol

from .speech import Announcement, SpokenCall, call_sentence, check_repeat, normalise_lang

log = logging.getLogger(__name__)


class Backend(Protocol):
    languages: tuple[str, ...]

    def open(self) -> None:
        """Runs in the worker thread before the first call (engines tied to a thread, COM)."""

    def speak_call(self, spoken: SpokenCall, repeat: int) -> None:
        """Chime, then the sentence `repeat` times; returns when the sound has finished."""

    def stop(self) -> None:
        """From another thread: cut short what is being said; nothing more will be asked."""

    def close(self) -> None: ...


_STOP = object()


class Speaker:
    """`say()` checks and enqueues; the worker speaks in order until `close()`."""

    def __init__(
        self,
        backend: Backend,
        on_error: Callable[[Announcement, Exception], None] | None = None,
    ):
        self.backend = backend
        self._on_error = on_error or _log_error
        self._queue: queue.Queue = queue.Queue()
        self._lock = threading.Condition()
        self._pending = 0
        self._closed = False
        self._abandon = False
        self._dropped: list[Announcement] = []
        self._startup_error: BaseException | None = None
        started = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(started,), name="hallq-tts", daemon=True
        )
        self._thread.start()
        started.wait()
        if self._startup_error is not None:
            self._thread.join()
            raise self._startup_error

    def say(self, announcement: Announcement) -> SpokenCall:
        """Raises ValueError (nothing queued) if the call cannot be read; RuntimeError once closed."""
        spoken = call_sentence(announcement.number, announcement.window, announcement.lang)
        check_repeat(announcement.repeat)
        if spoken.lang not in self.backend.languages:
            raise ValueError(
                f"{type(self.backend).__name__} cannot speak {spoken.lang!r} "
                f"(it speaks {', '.join(self.backend.languages)})"
            )
        with self._lock:
            if self._closed:
                raise RuntimeError("speaker is closed")
            self._pending += 1
            self._queue.put((announcement, spoken))
        return spoken

    def say_text(self, text: str, lang: str = "zh_CN", repeat: int = 1) -> SpokenCall:
        """Say a sentence that is not a call (the kiosk's "您的号码是…"), queued with the calls so
        the two never overlap. Raises ValueError (nothing queued) if it cannot be said."""
        text = " ".join(str(text).split())
        if not text:
            raise ValueError("nothing to say: the text is empty")
        lang = normalise_lang(lang)
        check_repeat(repeat)
        if lang not in self.backend.languages:
            raise ValueError(f"{type(self.backend).__name__} cannot speak {lang!r}")
        spoken = SpokenCall(display=text, speech=text, tokens=(), lang=lang)
        with self._lock:
            if self._closed:
                raise RuntimeError("speaker is closed")
            self._pending += 1
            self._queue.put((Announcement(text, "", repeat, lang), spoken))
        return spoken

    @property
    def pending(self) -> int:
        """Calls queued or being said."""
        with self._lock:
            return self._pending

    def wait_idle(self, timeout: float | None = None) -> bool:
        with self._lock:
            return self._lock.wait_for(lambda: self._pending == 0, timeout)

    def close(self, drain: bool = True, timeout: float | None = None) -> list[Announcement]:
        """Stop the worker; with drain=False cut the current call short and skip the rest.

        Returns the announcements that were never started, so the caller can tell the hub.
        """
        with self._lock:
            if self._closed:
                return []
            self._closed = True
            if not drain:
                self._abandon = True
            self._queue.put(_STOP)
        if not drain:
            self.backend.stop()
        self._thread.join(timeout)
        return list(self._dropped)

    def __enter__(self) -> "Speaker":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _report(self, announcement: Announcement, exc: Exception) -> None:
        try:
            self._on_error(announcement, exc)
        except Exception:
            log.exception("on_error handler failed")

    def _run(self, started: threading.Event) -> None:
        try:
            self.backend.open()
        except BaseException as exc:
            self._startup_error = exc
            return
        finally:
            started.set()
        try:
            while (item := self._queue.get()) is not _STOP:
                announcement, spoken = item
                if self._abandon:
                    self._dropped.append(announcement)
                else:
                    try:
                        self.backend.speak_call(spoken, announcement.repeat)
                    except Exception as exc:  # one broken call must not silence the hall
                        self._report(announcement, exc)
                with self._lock:
                    self._pending -= 1
                    self._lock.notify_all()
        finally:
            self.backend.close()


def _log_error(announcement: Announcement, exc: Exception) -> None:
    log.error("could not say %s at window %s: %s", announcement.number, announcement.window, exc)
