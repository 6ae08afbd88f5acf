"""The ticket printer: any python-escpos connection, status read before every ticket, and the
ticket sent in one write so a fault never leaves half a ticket on paper.

Blocking: kiosks call it from a worker thread, never from the GUI thread.
"""
from __future__ import annotations

import threading
from typing import Any

from escpos.escpos import Escpos

from .connections import PrinterConfigError, open_printer
from .status import IO_ERRORS, PrinterFault, PrinterStatus, read_status
from .ticket import PAPER_DOTS, TicketPrint, render_ticket

__all__ = ["TicketPrinter"]


def paper_dots(config: dict[str, Any]) -> int:
    paper = config.get("paper", 80) if isinstance(config, dict) else 80
    if isinstance(paper, bool) or paper not in PAPER_DOTS:
        raise PrinterConfigError(f"纸宽 paper 应为 {' 或 '.join(map(str, PAPER_DOTS))}（毫米），而不是 {paper!r}",
                                 f"paper must be {' or '.join(map(str, PAPER_DOTS))} (mm), not {paper!r}")
    return PAPER_DOTS[paper]


class TicketPrinter:
    def __init__(self, connection: Escpos, paper_dots: int = PAPER_DOTS[80]):
        self.connection = connection
        self.paper_dots = paper_dots
        self._lock = threading.Lock()  # status and ticket must not interleave with another ticket

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "TicketPrinter":
        """config: a connection (see connections/) and optionally "paper": 58 or 80 (mm, default 80)."""
        dots = paper_dots(config)
        return cls(open_printer(config), dots)

    def status(self) -> PrinterStatus:
        with self._lock:
            return self._read_status()

    def _read_status(self) -> PrinterStatus:
        status = read_status(self.connection)
        if status.offline:
            self._forget_connection()
        return status

    def _forget_connection(self) -> None:
        # python-escpos never retries a connection that failed to open; marking it unopened
        # makes the next ticket reconnect, so a printer switched back on is found again.
        try:
            self.connection.close()
        except IO_ERRORS:
            pass
        self.connection.device = False

    def print_ticket(self, t: TicketPrint) -> None:
        """Raises PrinterFault (nothing sent) when the printer reports it cannot print."""
        if not isinstance(t, TicketPrint):
            raise TypeError(f"print_ticket needs a TicketPrint, got {type(t).__name__}")
        data = render_ticket(t, self.connection.profile, paper_dots=self.paper_dots)
        with self._lock:
            status = self._read_status()
            if not status.ok:
                raise PrinterFault(status)
            try:
                self.connection._raw(data)
            except IO_ERRORS as e:
                self._forget_connection()
                raise PrinterFault(PrinterStatus(
                    ok=False, offline=True, detail=f"sending failed: {type(e).__name__}: {e}")) from e

    def close(self) -> None:
        with self._lock:
            self.connection.close()
