"""The ticket printer: a layout (ticket.py) rendered to ESC/POS, one core (core.py) over any
python-escpos connection (connections/, the simulator among them), the status read before each
ticket (status.py), and the bytes read back (decode.py) or drawn as a PNG (preview.py)."""
from __future__ import annotations

from .connections import PrinterConfigError, SerialPrinter, SimulatedPrinter, open_printer
from .core import TicketPrinter
from .decode import EscposDecodeError, decode_escpos
from .status import PrinterFault, PrinterStatus
from .ticket import LABELS_EN, LABELS_ZH, PAPER_DOTS, TicketPrint, render_ticket

__all__ = [
    "LABELS_EN", "LABELS_ZH", "PAPER_DOTS", "EscposDecodeError", "PrinterConfigError", "PrinterFault",
    "PrinterStatus", "SerialPrinter", "SimulatedPrinter", "TicketPrint", "TicketPrinter", "decode_escpos",
    "open_printer", "render_ticket",
]
