"""A call rendered to a WAV file (for files and tests): espeak-ng if it has the voice, else the
recorded clips.

    render_wav(Announcement("A001", "5"), "call.wav")
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .clips import ClipPack, call_parts, join_wavs, trim_silence
from .engines import NoVoiceError
from .speech import Announcement, call_sentence, check_repeat

__all__ = ["espeak_voice", "render_wav"]


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


# words per minute: 210 keeps a call said twice (with the chime) under 8 s, still clearly spoken
ESPEAK_SPEED = 210


def render_wav(announcement: Announcement, path: str | os.PathLike, engine: str = "auto",
               clips: str | os.PathLike | None = None, volume: float = 1.0) -> Path:
    """Write the whole call (chime, then the sentence `repeat` times) to a WAV file.

    engine: "espeak" (espeak-ng), "clips" (the clip pack at `clips`, default assets/sounds/), or
    "auto" (espeak-ng if it has the voice, else clips). Nothing is left at `path` if rendering fails.
    """
    spoken = call_sentence(announcement.number, announcement.window, announcement.lang,
                           announcement.template, announcement.letters)
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
            pack = ClipPack(clips)
            if voice:
                sentence = _espeak(spoken.speech, voice, Path(tmp) / "sentence.wav")
                join_wavs(call_parts(repeat, pack.chime, [sentence]), part, volume)
            else:
                join_wavs(pack.call(spoken, repeat), part, volume)
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
    return path


def _espeak(text: str, voice: str, out: Path) -> Path:
    subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(ESPEAK_SPEED), "-w", str(out), text],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return trim_silence(out)
