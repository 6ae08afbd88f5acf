"""A printer in software, just another connection: it takes ESC/POS like a real one, keeps every
job's bytes, and answers DLE EOT status queries from its state, so TicketPrinter runs the same
code against it."""
from __future__ import annotations

from escpos.constants import RT_STATUS
from escpos.printer import Dummy

from ..status import COVER_OPEN, FIXED_BITS, NEAR_END, OFFLINE, PAPER_END, PAPER_END_STOP

__all__ = ["SimulatedPrinter"]

REQUIRED: set[str] = set()
OPTIONAL = {"paper_out", "paper_low", "cover_open", "offline"}


class SimulatedPrinter(Dummy):
    """States: paper_out, paper_low, cover_open (the printer answers, and says why it is
    offline) and offline (switched off or unplugged: every write fails, nothing answers)."""

    def __init__(self, *, paper_out: bool = False, paper_low: bool = False,
                 cover_open: bool = False, offline: bool = False, profile=None):
        super().__init__(profile=profile)
        self.paper_out, self.paper_low = paper_out, paper_low
        self.cover_open, self.offline = cover_open, offline
        self.jobs: list[bytes] = []  # every write but status queries; one ticket is one write
        self.queries: list[int] = []  # the n of each DLE EOT n received
        self._replies: list[bytes] = []

    def status_reply(self, n: int) -> bytes:
        """The byte a real printer sends back for DLE EOT n in the current state."""
        b = FIXED_BITS
        if n == 1 and (self.cover_open or self.paper_out):
            b |= OFFLINE
        elif n == 2:
            b |= (COVER_OPEN if self.cover_open else 0) | (PAPER_END_STOP if self.paper_out else 0)
        elif n == 4:
            b |= (NEAR_END if self.paper_low or self.paper_out else 0) | (PAPER_END if self.paper_out else 0)
        return bytes([b])

    def _raw(self, msg: bytes) -> None:
        if self.offline:
            raise ConnectionError("模拟打印机已离线 / simulated printer is offline")
        msg = bytes(msg)
        if len(msg) == 3 and msg.startswith(RT_STATUS) and msg[2] in (1, 2, 3, 4):
            self.queries.append(msg[2])
            self._replies.append(self.status_reply(msg[2]))
            return
        self.jobs.append(msg)
        super()._raw(msg)

    def _read(self) -> bytes:
        return self._replies.pop(0) if self._replies else b""

    @property
    def last_job(self) -> bytes:
        if not self.jobs:
            raise LookupError("the simulated printer has printed nothing")
        return self.jobs[-1]

    def clear(self) -> None:
        super().clear()
        self.jobs.clear()
        self.queries.clear()


def connect(config: dict, profile, options: dict) -> SimulatedPrinter:
    return SimulatedPrinter(profile=profile, **{k: bool(v) for k, v in options.items()})
