"""Framing of the serial protocol spoken by 2nd-generation resident ID card readers.

Frame: ``AA AA AA 96 69`` | length (2 bytes, big-endian) | body | XOR checksum.
The length counts body + checksum. A command body is CMD PARA; a response body is
SW1 SW2 SW3 followed by data, SW3 being the status.
"""
from __future__ import annotations

from dataclasses import dataclass

HEADER = b"\xaa\xaa\xaa\x96\x69"
COMMAND_MIN_LENGTH = 3   # CMD PARA + checksum
RESPONSE_MIN_LENGTH = 4  # SW1 SW2 SW3 + checksum
# A base-info read is 1288; fingerprint reads ~2300. Anything near 64 KiB is garbage,
# and waiting for it would stall the kiosk for seconds.
MAX_LENGTH = 4096

FIND_CARD = (0x20, 0x01)
SELECT_CARD = (0x20, 0x02)
READ_BASE_INFO = (0x30, 0x01)

SW_OK = 0x90
SW_FIND_OK = 0x9F
SW_NO_CARD = 0x80
SW_SELECT_FAILED = 0x81
SW_READ_FAILED = 0x41
SW_BAD_CHECKSUM = 0x10
SW_BAD_LENGTH = 0x11
SW_UNKNOWN_COMMAND = 0x21

STATUS_TEXT = {
    SW_OK: "success",
    SW_FIND_OK: "card found",
    SW_NO_CARD: "no card on the reader",
    SW_SELECT_FAILED: "card could not be selected (moved away?)",
    SW_READ_FAILED: "reading the card failed",
    SW_BAD_CHECKSUM: "reader received a frame with a bad checksum",
    SW_BAD_LENGTH: "reader received a frame with a bad length",
    SW_UNKNOWN_COMMAND: "reader does not know the command",
    0x31: "card failed to authenticate the SAM",
    0x32: "SAM failed to authenticate the card",
    0x33: "card information failed verification",
    0x40: "unknown card type",
    0x60: "SAM self-check failed",
    0x66: "SAM is not authorised",
}


class ReaderError(Exception):
    """Anything the kiosk should show as "reader problem"; `code` is stable, the text is for people."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.code = code


class FrameError(ReaderError):
    """A frame was rejected; `reason` is one of short, undersized, oversized, checksum, noise."""

    def __init__(self, message: str, *, reason: str):
        super().__init__(message, code="frame")
        self.reason = reason


@dataclass(frozen=True, repr=False)
class Frame:
    body: bytes

    @property
    def command(self) -> tuple[int, int]:
        return self.body[0], self.body[1]

    @property
    def status(self) -> int:
        return self.body[2]

    @property
    def data(self) -> bytes:
        return self.body[3:]

    def __repr__(self) -> str:
        # The body of a card read holds the ID number, so it never goes into a repr.
        return f"Frame(length={len(self.body) + 1})"


def _xor(data: bytes) -> int:
    result = 0
    for b in data:
        result ^= b
    return result


def _frame(body: bytes) -> bytes:
    if len(body) + 1 > 0xFFFF:
        raise ValueError(f"frame body of {len(body)} bytes does not fit a 2-byte length")
    length = (len(body) + 1).to_bytes(2, "big")
    return HEADER + length + body + bytes([_xor(length + body)])


def _byte(value: int, what: str) -> int:
    if not isinstance(value, int) or not 0 <= value <= 0xFF:
        raise ValueError(f"{what} must be an int 0..255, got {value!r}")
    return value


def encode_command(cmd: int, para: int) -> bytes:
    return _frame(bytes([_byte(cmd, "cmd"), _byte(para, "para")]))


def build_response(sw: int | bytes, data: bytes = b"") -> bytes:
    """`sw` is SW3 (SW1 = SW2 = 0) or all three status bytes."""
    if isinstance(sw, int):
        sw_bytes = bytes([0, 0, _byte(sw, "sw")])
    elif len(sw) == 3:
        sw_bytes = bytes(sw)
    else:
        raise ValueError(f"sw must be an int or 3 bytes, got {len(sw)} bytes")
    return _frame(sw_bytes + bytes(data))


def _header_prefix_at_end(buf: bytearray) -> int:
    for k in range(min(len(HEADER) - 1, len(buf)), 0, -1):
        if buf.endswith(HEADER[:k]):
            return k
    return 0


class FrameParser:
    """Feed it bytes as they arrive; it returns complete frames and rejections in order.

    Rejections are returned as FrameError values (not raised) so one bad frame never
    loses the good frame right behind it. Bytes that are not part of any frame are
    dropped, and why is kept in `skipped`.
    """

    def __init__(self, *, min_length: int = RESPONSE_MIN_LENGTH, max_length: int = MAX_LENGTH):
        self.min_length = min_length
        self.max_length = max_length
        self.skipped: list[str] = []
        self.skipped_bytes = 0
        self._buf = bytearray()

    @property
    def pending_bytes(self) -> int:
        return len(self._buf)

    @property
    def expected_bytes(self) -> int | None:
        """Total size of the frame being assembled, once its length field has arrived."""
        if len(self._buf) >= 7 and self._buf.startswith(HEADER):
            return 7 + int.from_bytes(self._buf[5:7], "big")
        return None

    def _skip(self, n: int) -> None:
        # Only counts: skipped bytes may be pieces of a card frame, i.e. personal data.
        del self._buf[:n]
        self.skipped_bytes += n
        self.skipped.append(f"skipped {n} garbled byte(s) before a frame header")

    def _reject(self, message: str, reason: str) -> FrameError:
        # Drop only the header so a real frame hidden behind a false one is still found.
        del self._buf[: len(HEADER)]
        return FrameError(message, reason=reason)

    def feed(self, data: bytes) -> list[Frame | FrameError]:
        self._buf += data
        out: list[Frame | FrameError] = []
        while True:
            start = self._buf.find(HEADER)
            if start < 0:
                junk = len(self._buf) - _header_prefix_at_end(self._buf)
                if junk:
                    self._skip(junk)
                return out
            if start:
                self._skip(start)
            if len(self._buf) < 7:
                return out
            length = int.from_bytes(self._buf[5:7], "big")
            if length < self.min_length:
                out.append(self._reject(
                    f"frame length {length} is below the minimum of {self.min_length}", "undersized"))
                continue
            if length > self.max_length:
                out.append(self._reject(
                    f"frame length {length} exceeds the maximum of {self.max_length}", "oversized"))
                continue
            end = 7 + length
            if len(self._buf) < end:
                return out
            expected = _xor(self._buf[5:end - 1])
            got = self._buf[end - 1]
            if expected != got:
                out.append(self._reject(
                    f"frame checksum is 0x{got:02X}, expected 0x{expected:02X}", "checksum"))
                continue
            out.append(Frame(bytes(self._buf[7:end - 1])))
            del self._buf[:end]
