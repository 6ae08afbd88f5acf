"""Playing a WAV file to the hall's speakers, swappable so tests need no sound card.

A player has `play(path)` (blocks until the sound has finished) and `stop()` (called from
any thread when a speaker shuts down: cuts short the sound playing now, plays no more).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


class PlaybackError(RuntimeError):
    pass


class NoAudioOutputError(RuntimeError):
    """No way to play sound on this machine."""


class Player(Protocol):
    def play(self, path: Path) -> None: ...

    def stop(self) -> None: ...


# first one found wins; quiet flags keep the display's log clean
LINUX_COMMANDS = (("aplay", "-q"), ("paplay",), ("play", "-q"))


class CommandPlayer:
    def __init__(self, argv: tuple[str, ...] | list[str]):
        self.argv = list(argv)
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._stopped = False

    def play(self, path: Path) -> None:
        with self._lock:
            if self._stopped:
                return
            self._proc = subprocess.Popen(
                [*self.argv, str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
        _, err = self._proc.communicate()
        code = self._proc.returncode
        with self._lock:
            self._proc = None
            if self._stopped:
                return
        if code != 0:
            tail = err.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
            raise PlaybackError(f"{self.argv[0]} failed ({code}) playing {path.name}: {tail[0]}")

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            if self._proc is not None:
                self._proc.terminate()


class WinsoundPlayer:
    def play(self, path: Path) -> None:
        import winsound

        winsound.PlaySound(str(path), winsound.SND_FILENAME)

    def stop(self) -> None:
        import winsound

        winsound.PlaySound(None, 0)


@dataclass(frozen=True)
class PlayedSound:
    framerate: int
    nchannels: int
    sampwidth: int
    frames: bytes

    @property
    def nframes(self) -> int:
        return len(self.frames) // (self.sampwidth * self.nchannels)

    @property
    def seconds(self) -> float:
        return self.nframes / self.framerate


class MemoryPlayer:
    """Keeps what it was asked to play instead of playing it (simulator, tests)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._played: list[PlayedSound] = []

    @property
    def played(self) -> list[PlayedSound]:
        with self._lock:
            return list(self._played)

    def play(self, path: Path) -> None:
        with wave.open(str(path), "rb") as w:
            sound = PlayedSound(
                w.getframerate(), w.getnchannels(), w.getsampwidth(), w.readframes(w.getnframes())
            )
        with self._lock:
            self._played.append(sound)

    def stop(self) -> None:
        pass


def find_player() -> Player:
    if sys.platform == "win32":
        return WinsoundPlayer()
    for argv in LINUX_COMMANDS:
        if shutil.which(argv[0]):
            return CommandPlayer(argv)
    names = ", ".join(a[0] for a in LINUX_COMMANDS)
    raise NoAudioOutputError(f"no sound player found; install one of: {names}")
