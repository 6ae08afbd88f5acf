"""A simulated ID card reader on a pseudo-terminal, answering like a real SAM module.

The driver opens `sim.port` with pyserial exactly as it would open /dev/ttyUSB0.
Give `link=` a path to get a stable name (like /dev/serial/by-id/...) that survives
unplug()/replug(), the way udev keeps a reader's name across re-plugging.

    python -m hardware.idcard.simulator   # prints the port; a demo card lies on the reader
"""
from __future__ import annotations

import os
import random
import select
import threading
import tty
from datetime import date
from pathlib import Path

from .codec import (
    COMMAND_MIN_LENGTH, FIND_CARD, HEADER, READ_BASE_INFO, SELECT_CARD, SW_BAD_CHECKSUM,
    SW_FIND_OK, SW_NO_CARD, SW_OK, SW_READ_FAILED, SW_SELECT_FAILED, SW_UNKNOWN_COMMAND, Frame,
    FrameParser, build_response,
)
from .text import build_base_info, make_id_number

GARBLE_KINDS = ("checksum", "short", "noise", "oversized")  # damage the codec sees
UNDETECTED = "undetected"  # damage the XOR checksum cannot see
_TARGETS = {"any": None, "find": FIND_CARD, "select": SELECT_CARD, "read": READ_BASE_INFO}


class _Pty:
    """One plug-in of the reader: a pty pair and the thread answering on it."""

    def __init__(self, answer):
        self.master, self.slave = os.openpty()
        # Raw, so nothing is echoed back or translated before pyserial configures the port;
        # the slave stays open here so the master never reads EIO while the driver reconnects.
        tty.setraw(self.slave)
        self.path = os.ttyname(self.slave)
        self._answer = answer
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"idcard-sim {self.path}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        parser = FrameParser(min_length=COMMAND_MIN_LENGTH)
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(self.master, 4096)
            except OSError:
                self._stop.wait(0.02)
                continue
            for item in parser.feed(data):
                reply, hang_up = self._answer(item)
                view = memoryview(reply)
                while view:
                    view = view[os.write(self.master, view):]
                if hang_up:
                    self._stop.set()
        os.close(self.master)
        os.close(self.slave)

    def close(self) -> None:
        self._stop.set()
        if threading.current_thread() is not self._thread:
            self._thread.join()


class SimulatedReader:
    def __init__(self, link: str | os.PathLike | None = None, *, seed: int = 0):
        self._link = Path(link) if link is not None else None
        self._lock = threading.Lock()
        self._card: bytes | None = None
        self._garbles: list[tuple[str, tuple[int, int] | None, bool]] = []
        self._unplugs: list[tuple[int, int] | None] = []
        self._removals: list[tuple[int, int] | None] = []
        self._rng = random.Random(seed)
        self.commands: list[tuple[int, int]] = []  # every command received, for tests
        self._pty: _Pty | None = None
        self.replug()

    @property
    def port(self) -> str:
        if self._link is not None:
            return str(self._link)
        if self._pty is None:
            raise RuntimeError("simulated reader is unplugged")
        return self._pty.path

    @property
    def plugged(self) -> bool:
        return self._pty is not None and not self._pty._stop.is_set()

    def insert(self, name: str, sex: str, birth_date: date, id_number: str | None = None,
               **fields) -> str:
        """Place a card; returns its ID number (made up from birth date and sex when not given)."""
        id_number = id_number or make_id_number(birth=birth_date, sex=sex)
        fields.setdefault("address", "北京市东城区正义路1号")
        fields.setdefault("issuer", "北京市公安局东城分局")
        data = build_base_info(name=name, sex=sex, birth_date=birth_date, id_number=id_number, **fields)
        with self._lock:
            self._card = data
        return id_number

    def remove(self) -> None:
        with self._lock:
            self._card = None

    def garble_next(self, kind: str, on: str = "any", *, then_answer: bool = False) -> None:
        """Corrupt the next answer (to command `on`: any, find, select, read); with
        then_answer, send the corrupted copy and then the good answer, as a noisy line does."""
        if kind not in GARBLE_KINDS + (UNDETECTED,):
            raise ValueError(f"garble kind must be one of {GARBLE_KINDS}, got {kind!r}")
        with self._lock:
            self._garbles.append((kind, _TARGETS[on], then_answer))

    def remove_after_next(self, on: str = "find") -> None:
        """Take the card away right after answering the next `on` command (a citizen in a hurry)."""
        with self._lock:
            self._removals.append(_TARGETS[on])

    def unplug_on_next(self, on: str = "read") -> None:
        """Pull the cable half-way through the next answer to `on`."""
        with self._lock:
            self._unplugs.append(_TARGETS[on])

    def unplug(self) -> None:
        if self._pty is not None:
            self._pty.close()
            self._pty = None
        if self._link is not None and self._link.is_symlink():
            self._link.unlink()

    def replug(self) -> None:
        """Plug in again: a new pty (new /dev/pts/N), `link` pointed at it; the card stays."""
        self.unplug()
        self._pty = _Pty(self._answer)
        if self._link is not None:
            tmp = self._link.with_name(self._link.name + ".new")
            tmp.unlink(missing_ok=True)
            tmp.symlink_to(self._pty.path)
            os.replace(tmp, self._link)

    close = unplug

    def __enter__(self) -> SimulatedReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _answer(self, item) -> tuple[bytes, bool]:
        if not isinstance(item, Frame):
            return build_response(SW_BAD_CHECKSUM), False
        command = item.command
        with self._lock:
            self.commands.append(command)
            reply = self._reply(command)
            if self._removals and self._removals[0] in (None, command):
                self._removals.pop(0)
                self._card = None
            garble = next((g for g in self._garbles if g[1] in (None, command)), None)
            if garble:
                self._garbles.remove(garble)
                kind, _, then_answer = garble
                reply = self._garble(reply, kind) + (reply if then_answer else b"")
            if self._unplugs and self._unplugs[0] in (None, command):
                self._unplugs.pop(0)
                return reply[: len(reply) // 2], True
        return reply, False

    def _reply(self, command: tuple[int, int]) -> bytes:
        card = self._card
        if command == FIND_CARD:
            return build_response(SW_FIND_OK, bytes(4)) if card else build_response(SW_NO_CARD)
        if command == SELECT_CARD:
            return build_response(SW_OK, bytes(8)) if card else build_response(SW_SELECT_FAILED)
        if command == READ_BASE_INFO:
            return build_response(SW_OK, card) if card else build_response(SW_READ_FAILED)
        return build_response(SW_UNKNOWN_COMMAND)

    def _garble(self, frame: bytes, kind: str) -> bytes:
        if kind == "checksum":
            return frame[:-1] + bytes([frame[-1] ^ 0xFF])
        if kind == "short":
            return frame[: max(8, len(frame) // 2)]
        if kind == "oversized":
            return HEADER + b"\xff\xff" + frame[7:12]
        if kind == UNDETECTED and len(frame) > 17:
            # The same bits flipped in two bytes leave the XOR checksum right: with a card's answer, the
            # first two characters of the name change (what random line noise did 7,277 times in 1M frames).
            damaged, bits = bytearray(frame), self._rng.randrange(1, 256)
            damaged[14] ^= bits
            damaged[16] ^= bits
            return bytes(damaged)
        # noise without 0xAA can never be mistaken for a header
        return bytes(b for b in self._rng.randbytes(64) if b != 0xAA)


def main() -> None:
    with SimulatedReader() as sim:
        sim.insert("张三", "M", date(1955, 3, 2))
        print(f"simulated ID card reader on {sim.port} (Ctrl-C to stop)")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
