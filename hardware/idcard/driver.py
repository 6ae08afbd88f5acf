"""Resident ID card reader over a serial port (pyserial).

Only CardHolder leaves this module: the masked number for show, the full number for the hub
(never in a repr or a log). A card counts as read only when two reads of it agree, since the
protocol's XOR checksum lets through some corrupted frames.
"""
from __future__ import annotations

import logging
import threading

import serial
from serial.serialutil import Timeout

from .codec import (
    FIND_CARD, READ_BASE_INFO, SELECT_CARD, STATUS_TEXT, SW_FIND_OK, SW_NO_CARD, SW_OK, Frame,
    FrameError, FrameParser, ReaderError, encode_command,
)
from .holder import CardHolder
from .text import CardDataError, parse_base_info

try:
    import termios
    _IO_ERRORS: tuple[type[BaseException], ...] = (serial.SerialException, OSError, termios.error)
except ImportError:  # Windows
    _IO_ERRORS = (serial.SerialException, OSError)

__all__ = ["IdCardReader"]

log = logging.getLogger(__name__)
_READ_SLICE = 0.05  # how long one serial read may block; bounds how late a timeout is noticed
MAX_READS = 4  # base-info reads per card before giving up on two that agree


class IdCardReader:
    """Blocking driver; call it from a worker thread, never from the GUI thread.

    `port` is anything pyserial's serial_for_url accepts: /dev/ttyUSB0, COM3,
    socket://host:port (a reader behind ser2net).
    """

    def __init__(self, port: str, baudrate: int = 115200, *, timeout: float = 2.0):
        self.port = str(port)
        self.baudrate = baudrate
        self.timeout = timeout
        self._serial: serial.SerialBase | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"IdCardReader({self.port!r}, open={self.is_open})"

    @property
    def is_open(self) -> bool:
        return self._serial is not None

    def close(self) -> None:
        with self._lock:
            self._drop_port()

    def __enter__(self) -> IdCardReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def read_card(self) -> CardHolder | None:
        """The card on the reader, or None if there is none. Raises ReaderError."""
        with self._lock:
            found = self._exchange(*FIND_CARD)
            if found.status == SW_NO_CARD:
                return None
            self._expect(found, SW_FIND_OK, "find card")
            try:
                self._expect(self._exchange(*SELECT_CARD), SW_OK, "select card")
                data = self._agreed_read()
            except ReaderError as e:
                # Taken off the reader between finding and reading it: no card, not a failed read.
                if e.code == "read_failed" and self._exchange(*FIND_CARD).status == SW_NO_CARD:
                    return None
                raise
            try:
                holder = CardHolder.from_card(parse_base_info(data))
            except CardDataError as e:
                log.warning("card refused: %s", e)
                raise
            log.info("card read: %s", holder.id_masked)
            return holder

    def _agreed_read(self) -> bytes:
        """The card's base info once two reads in a row give the same bytes (at most MAX_READS reads)."""
        last: bytes | None = None
        for _ in range(MAX_READS):
            response = self._exchange(*READ_BASE_INFO)
            self._expect(response, SW_OK, "read card")
            if response.data == last:
                return last
            if last is not None:
                log.warning("two reads of the card differ; reading again")
            last = response.data
        raise ReaderError(f"the card read differently {MAX_READS} times; place the card again", code="read_failed")

    @staticmethod
    def _expect(frame: Frame, status: int, step: str) -> None:
        if frame.status != status:
            text = STATUS_TEXT.get(frame.status, "unknown status")
            raise ReaderError(f"{step} failed: {text} (0x{frame.status:02X}); place the card again",
                              code="read_failed")

    def _open(self) -> serial.SerialBase:
        if self._serial is None:
            try:
                port = serial.serial_for_url(self.port, self.baudrate, timeout=_READ_SLICE,
                                             do_not_open=True)
                if hasattr(port, "exclusive"):
                    port.exclusive = True  # a second kiosk process must not steal our answers
                port.open()
            except _IO_ERRORS as e:
                log.debug("reader not connected at %s: %s", self.port, e)
                raise ReaderError(f"reader not connected at {self.port}: {e}", code="unplugged") from e
            log.info("reader opened at %s", self.port)
            self._serial = port
        return self._serial

    def _drop_port(self) -> None:
        if self._serial is not None:
            try:
                self._serial.close()
            except _IO_ERRORS:
                pass  # already gone; nothing left to release
            self._serial = None

    def _exchange(self, cmd: int, para: int) -> Frame:
        port = self._open()
        parser = FrameParser()
        try:
            # Leftovers of an earlier garbled or late answer must not pass for this one.
            port.reset_input_buffer()
            port.write(encode_command(cmd, para))
            deadline = Timeout(self.timeout)
            rejected: FrameError | None = None
            while not deadline.expired():
                for item in parser.feed(port.read(max(1, port.in_waiting))):
                    if isinstance(item, FrameError):
                        # Line noise or a false header may come before the answer: read on.
                        log.warning("reader frame rejected (%s): %s", item.reason, item)
                        rejected = item
                        continue
                    log.debug("reader answered 0x%02X%02X: status 0x%02X, %d data bytes",
                              cmd, para, item.status, len(item.data))
                    return item
        except _IO_ERRORS as e:
            self._drop_port()
            log.warning("reader at %s disconnected: %s", self.port, e)
            raise ReaderError("reader disconnected", code="unplugged") from e
        raise self._timeout_error(parser, cmd, para, rejected)

    def _timeout_error(self, parser: FrameParser, cmd: int, para: int,
                       rejected: FrameError | None) -> ReaderError:
        expected = parser.expected_bytes
        if rejected is not None and expected is None:
            error: ReaderError = rejected  # the answer came, but broken, and nothing good after it
        elif expected is not None:
            error = FrameError(
                f"short frame: got {parser.pending_bytes} of {expected} bytes within {self.timeout}s",
                reason="short")
        elif parser.skipped_bytes:
            error = FrameError(
                f"no frame within {self.timeout}s: skipped {parser.skipped_bytes} garbled bytes",
                reason="noise")
        else:
            error = ReaderError(f"reader did not answer command 0x{cmd:02X}{para:02X} "
                                f"within {self.timeout}s", code="timeout")
        log.warning("%s", error)
        return error
