"""Printer and ID card reader work, off the GUI thread so the touch screen never freezes.

The printer gets one worker thread of its own (jobs and status reads never interleave on
the wire); the reader is polled by a daemon thread whose events are handed to the Qt/asyncio
loop with call_soon_threadsafe.
"""
from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

log = logging.getLogger("hallq.kiosk.hardware")

ReaderCallback = Callable[..., None]


class HardwareWorker:
    def __init__(self, *, printer=None, reader_port=None, poll_interval: float = 0.3):
        self.printer = printer
        self.reader = reader_port  # an hardware.idcard.IdCardReader, or None
        self.poll_interval = poll_interval
        self._printer_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-printer")
        self._stop = threading.Event()
        self._reader_thread: threading.Thread | None = None

    # ---- printer ------------------------------------------------------------------------------
    async def print_ticket(self, job) -> None:
        """Raises hardware.printer.PrinterFault when the printer cannot print (status read first)."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._printer_thread, self.printer.print_ticket, job)

    async def printer_fault(self) -> str | None:
        """The printer's fault code now (paper_out, cover_open, offline), or None when it can print."""
        if self.printer is None:
            return None
        loop = asyncio.get_running_loop()
        try:
            status = await loop.run_in_executor(self._printer_thread, self.printer.status)
        except Exception as e:  # a driver that raises instead of answering is as good as offline
            log.warning("printer status failed: %s", e)
            return "offline"
        return None if status.ok else status.code

    # ---- ID card reader -----------------------------------------------------------------------
    def start(self, loop: asyncio.AbstractEventLoop, on_event: ReaderCallback) -> None:
        if self.reader is None or self._reader_thread is not None:
            return
        self._stop.clear()
        self._reader_thread = threading.Thread(target=self._poll, args=(loop, on_event),
                                               name="kiosk-idcard", daemon=True)
        self._reader_thread.start()

    def _poll(self, loop: asyncio.AbstractEventLoop, on_event: ReaderCallback) -> None:
        from hardware.idcard import poll

        def deliver(*args) -> None:
            try:
                loop.call_soon_threadsafe(on_event, *args)
            except RuntimeError:  # the loop closed while we were reading: nobody to tell
                self._stop.set()

        try:
            for event in poll(self.reader, self._stop, interval=self.poll_interval, retry_after=1.0):
                code = getattr(event.error, "code", None) if event.error else None
                log.info("reader: %s %s", event.kind, code or "")
                deliver(event.kind, event.holder, code)
        except Exception:
            log.exception("reader polling stopped")
            deliver("error", None, "unplugged")

    def stop(self) -> None:
        self._stop.set()
        if self._reader_thread is not None:
            self._reader_thread.join(timeout=3)
            self._reader_thread = None
        if self.reader is not None:
            try:
                self.reader.close()
            except Exception:
                pass
        self._printer_thread.shutdown(wait=False, cancel_futures=True)
