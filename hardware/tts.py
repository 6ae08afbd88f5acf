"""The voice for calls: `make_speaker()` for the display, `render_wav()` for files and tests.

    speaker = make_speaker()
    speaker.say(Announcement("A001", "5"))   # chime, then "请 A零零一 号 到 五 号窗口 办理" twice
    speaker.close()
"""
from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Callable

from .backends import (
    ClipBackend,
    NoVoiceError,
    Pyttsx3Backend,
    RecorderBackend,
    Utterance,
    pick_voice,
)
from .clips import CHIME, PAUSE_SECONDS, call_parts, clip_call_parts, clip_path, join_wavs
from .players import MemoryPlayer, NoAudioOutputError, PlaybackError, Player, find_player
from .speaker import Backend, Speaker
from .speech_text import Announcement, SpokenCall, call_sentence, check_repeat

__all__ = [
    "Announcement", "SpokenCall", "call_sentence", "Speaker", "Backend", "Utterance",
    "Pyttsx3Backend", "ClipBackend", "RecorderBackend", "NoVoiceError", "NoAudioOutputError",
    "PlaybackError", "MemoryPlayer", "Player", "find_player", "pick_voice", "make_speaker",
    "render_wav", "espeak_voice", "PAUSE_SECONDS",
]

log = logging.getLogger(__name__)

PREFERENCES = ("auto", "pyttsx3", "clips", "recorder")
# what may go wrong while looking for a voice on a machine we know nothing about
_UNAVAILABLE = (NoVoiceError, NoAudioOutputError, FileNotFoundError, ImportError, OSError, RuntimeError)


def make_speaker(
    preference: str = "auto",
    player: Player | None = None,
    on_error: Callable[[Announcement, Exception], None] | None = None,
) -> Speaker:
    """pyttsx3 with a Mandarin voice if present, else the recorded clips, else a silent recorder."""
    if preference not in PREFERENCES:
        raise ValueError(f"voice preference {preference!r} is not one of {PREFERENCES}")
    makers = {
        "pyttsx3": lambda: Pyttsx3Backend(player=player),
        "clips": lambda: ClipBackend(player=player),
        "recorder": RecorderBackend,
    }
    if preference != "auto":
        return Speaker(makers[preference](), on_error=on_error)
    for name in ("pyttsx3", "clips"):
        try:
            return Speaker(makers[name](), on_error=on_error)
        except _UNAVAILABLE as exc:
            log.info("voice %s unavailable: %s", name, exc)
    log.warning("no voice and no sound output: calls will be shown but not spoken")
    return Speaker(RecorderBackend(), on_error=on_error)


@functools.lru_cache(maxsize=None)
def espeak_voice(lang: str = "zh_CN") -> str | None:
    """The espeak-ng voice for the language, or None when espeak-ng or the voice is missing."""
    if not shutil.which("espeak-ng"):
        return None
    # espeak-ng 1.51's plain "cmn" reads Chinese as English-spelled pinyin: prefer the pinyin variant
    wanted = ("cmn-latn-pinyin", "cmn", "zh") if lang == "zh_CN" else ("en", "en-us", "en-gb")
    try:
        listing = subprocess.run(
            ["espeak-ng", "--voices"], capture_output=True, text=True, timeout=10, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    present = {line.split()[1].lower() for line in listing.splitlines()[1:] if len(line.split()) > 1}
    return next((v for v in wanted if v in present), None)


def render_wav(announcement: Announcement, path: str | os.PathLike, engine: str = "auto") -> Path:
    """Write the whole call (chime, then the sentence `repeat` times) to a WAV file.

    engine: "espeak" (espeak-ng), "clips" (assets/sounds/), or "auto" (espeak-ng if it has
    the voice, else clips). Nothing is left at `path` if rendering fails.
    """
    spoken = call_sentence(announcement.number, announcement.window, announcement.lang)
    repeat = check_repeat(announcement.repeat)
    if engine not in ("auto", "espeak", "clips"):
        raise ValueError(f"engine {engine!r} is not one of auto, espeak, clips")
    voice = espeak_voice(spoken.lang) if engine != "clips" else None
    if engine == "espeak" and voice is None:
        raise NoVoiceError(f"espeak-ng with a voice for {spoken.lang} is not installed")
    path = Path(path)
    part = path.with_name(f".{path.name}.part")
    try:
        with tempfile.TemporaryDirectory(prefix="hallq-render-") as tmp:
            if voice:
                sentence = _espeak(spoken.speech, voice, Path(tmp) / "sentence.wav")
                join_wavs(call_parts(repeat, clip_path(CHIME), [sentence]), part)
            else:
                join_wavs(clip_call_parts(spoken, repeat), part)
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
    return path


def _espeak(text: str, voice: str, out: Path) -> Path:
    subprocess.run(
        ["espeak-ng", "-v", voice, "-s", "150", "-w", str(out), text],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return out
