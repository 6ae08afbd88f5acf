"""The resident ID card reader: the frame codec (codec.py), the card's text block (text.py), a
pyserial driver that reads on past noise (driver.py), the kiosk's polling loop (polling.py), a
simulator on a pty (simulator.py), and CardHolder (holder.py), all that leaves the reader.

Only CardHolder (masked number + salted hash) leaves this package; the full ID number lives
in a local variable for the time of one read.
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
