"""Printer status read with DLE EOT n (ESC/POS real-time status), and the fault it raises.

Each reply is one byte whose bits 1 and 4 are always 1 and bits 0 and 7 always 0; a byte that
breaks that rule is not a status reply and the printer is treated as not answering.
  n=1 printer: bit 3 offline
  n=2 offline cause: bit 2 cover open, bit 5 stopped for paper end, bit 6 error
  n=4 roll paper sensor: bits 2-3 paper near its end, bits 5-6 paper end
"""
from __future__ import annotations

from dataclasses import dataclass

from escpos.constants import RT_STATUS
from escpos.escpos import Escpos
from escpos.exceptions import Error as EscposError

__all__ = ["MESSAGES", "PrinterFault", "PrinterStatus", "read_status", "status_byte"]

MESSAGES = {
    "ok": ("打印机就绪", "Printer ready"),
    "paper_low": ("打印纸即将用完，请及时更换纸卷", "Paper is running low; replace the roll soon"),
    "paper_out": ("打印机缺纸，请更换纸卷", "Printer is out of paper; load a new roll"),
    "cover_open": ("打印机盖未关好，请合上盖子", "Printer cover is open; close it"),
    "offline": ("打印机未连接或无响应", "Printer is offline or not responding"),
}
OFFLINE, COVER_OPEN, PAPER_END_STOP, ERROR = 0x08, 0x04, 0x20, 0x40
NEAR_END, PAPER_END = 0x0C, 0x60
_FIXED_MASK, FIXED_BITS = 0x93, 0x12
# Errors a connection raises when the printer is gone: OSError covers socket, pyserial and pyusb.
IO_ERRORS = (OSError, EscposError, AssertionError)


@dataclass(frozen=True)
class PrinterStatus:
    ok: bool
    paper_out: bool = False
    paper_low: bool = False
    cover_open: bool = False
    offline: bool = False
    reported: bool = True  # False: the connection cannot answer (file, Windows spooler)
    detail: str = ""  # technical detail for the log

    @property
    def code(self) -> str:
        for code in ("offline", "cover_open", "paper_out", "paper_low"):
            if getattr(self, code):
                return code
        return "ok"

    @property
    def message_zh(self) -> str:
        return MESSAGES[self.code][0]

    @property
    def message_en(self) -> str:
        return MESSAGES[self.code][1]

    def message(self, lang: str = "zh_CN") -> str:
        return self.message_en if lang.lower().startswith("en") else self.message_zh


class PrinterFault(Exception):
    """The printer cannot print now; nothing of the ticket was sent."""

    def __init__(self, status: PrinterStatus):
        self.status = status
        self.code = status.code
        self.message_zh, self.message_en = status.message_zh, status.message_en
        super().__init__(f"{self.code}: {self.message_zh} / {self.message_en}"
                         + (f" ({status.detail})" if status.detail else ""))


def status_byte(reply) -> int | None:
    if reply is None or len(reply) == 0:
        return None
    b = reply[-1]  # a late reply to an earlier query may sit in front; the newest is last
    return b if b & _FIXED_MASK == FIXED_BITS else None


def can_query(conn: Escpos) -> bool:
    return type(conn)._read is not Escpos._read


def read_status(conn: Escpos) -> PrinterStatus:
    """Ask the printer; never raises for a printer that is gone, it reports offline instead."""
    if not can_query(conn):
        return PrinterStatus(ok=True, reported=False, detail="connection cannot read status")

    def ask(n: int) -> int | None:
        return status_byte(conn.query_status(RT_STATUS + bytes([n])))

    try:
        printer = ask(1)
        if printer is None:
            return PrinterStatus(ok=False, offline=True, detail="no valid reply to DLE EOT 1")
        paper = ask(4)
        paper_out = paper is not None and paper & PAPER_END == PAPER_END
        paper_low = paper is not None and bool(paper & NEAR_END)
        if not printer & OFFLINE:
            return PrinterStatus(ok=not paper_out, paper_out=paper_out, paper_low=paper_low)
        cause = ask(2) or 0
        if cause & COVER_OPEN:
            return PrinterStatus(ok=False, cover_open=True, paper_out=paper_out, paper_low=paper_low)
        if cause & PAPER_END_STOP or paper_out:
            return PrinterStatus(ok=False, paper_out=True, paper_low=paper_low)
        return PrinterStatus(ok=False, offline=True, detail=f"offline, cause byte {cause:#04x}")
    except NotImplementedError:
        return PrinterStatus(ok=True, reported=False, detail="connection cannot read status")
    except IO_ERRORS as e:
        return PrinterStatus(ok=False, offline=True, detail=f"{type(e).__name__}: {e}")
