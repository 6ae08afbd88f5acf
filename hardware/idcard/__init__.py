"""The resident ID card reader: the frame codec (codec.py), the card's text block (text.py), a
pyserial driver that reads on past noise (driver.py), the kiosk's polling loop (polling.py), a
simulator on a pty (simulator.py), and CardHolder (holder.py), all that leaves the reader.

Only CardHolder leaves this package: the masked number for show and the full number, which the
kiosk sends to the hub only (never printed, shown or logged); a card counts once two reads agree.
"""
from __future__ import annotations

from .codec import FrameError, ReaderError
from .driver import IdCardReader
from .holder import CardHolder
from .polling import ReaderEvent, poll
from .text import CardDataError, make_id_number

__all__ = [
    "CardDataError", "CardHolder", "FrameError", "IdCardReader", "ReaderError", "ReaderEvent",
    "make_id_number", "poll",
]
