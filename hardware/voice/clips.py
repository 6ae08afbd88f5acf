"""Recorded clips from assets/sounds/ joined into one WAV per call (stdlib `wave`).

The clips are made by scripts/make_voice_clips.py; all share one format so that joining
is a plain copy of frames.
"""
from __future__ import annotations

import wave
from pathlib import Path
from typing import Iterable, Union

import assets

from .speech import SpokenCall

CHIME = "chime"
PAUSE_SECONDS = 0.5  # before each saying of the sentence, so the two sayings stay apart

_DIGIT_NAMES = ("ling", "yi", "er", "san", "si", "wu", "liu", "qi", "ba", "jiu")
WORDS = ("qing", "hao", "dao", "chuangkou", "banli", "shi", "bai")
# token -> file stem; what each clip says is in scripts/make_voice_clips.py
CLIP_STEMS: dict[str, str] = {
    CHIME: "chime",
    **{w: w for w in WORDS},
    **{str(d): name for d, name in enumerate(_DIGIT_NAMES)},
    **{chr(c): chr(c) for c in range(ord("A"), ord("Z") + 1)},
}

Part = Union[Path, float]  # a WAV file, or seconds of silence


class WavFormatError(ValueError):
    """WAV parts that cannot be joined (different rate, width or channels)."""


def sounds_dir() -> Path:
    return assets.path("sounds")


def clip_path(token: str, directory: Path | None = None) -> Path:
    try:
        stem = CLIP_STEMS[token]
    except KeyError:
        raise ValueError(f"no recorded clip for {token!r}") from None
    return (directory or sounds_dir()) / f"{stem}.wav"


def missing_clips(directory: Path | None = None) -> list[Path]:
    return [p for p in (clip_path(t, directory) for t in CLIP_STEMS) if not p.is_file()]


def call_parts(repeat: int, chime: Path, sentence: Iterable[Path]) -> list[Part]:
    """Chime, then (pause, sentence) `repeat` times."""
    sentence = list(sentence)
    parts: list[Part] = [chime]
    for _ in range(repeat):
        parts += [PAUSE_SECONDS, *sentence]
    return parts


def clip_call_parts(spoken: SpokenCall, repeat: int, directory: Path | None = None) -> list[Part]:
    if not spoken.tokens:
        raise ValueError(f"there are no recorded clips for language {spoken.lang!r}")
    sentence = [clip_path(t, directory) for t in spoken.tokens]
    return call_parts(repeat, clip_path(CHIME, directory), sentence)


def join_wavs(parts: Iterable[Part], out: Path) -> Path:
    """Write the parts one after another to `out`; the first part must be a file (it sets the format)."""
    parts = list(parts)
    if not parts or not isinstance(parts[0], Path):
        raise ValueError("the first part must be a WAV file")
    with wave.open(str(parts[0]), "rb") as first:
        params = first.getparams()
    fmt = (params.nchannels, params.sampwidth, params.framerate)
    with wave.open(str(out), "wb") as dst:
        dst.setnchannels(params.nchannels)
        dst.setsampwidth(params.sampwidth)
        dst.setframerate(params.framerate)
        for part in parts:
            if isinstance(part, Path):
                with wave.open(str(part), "rb") as src:
                    got = (src.getnchannels(), src.getsampwidth(), src.getframerate())
                    if got != fmt:
                        raise WavFormatError(
                            f"{part.name} is {got} (channels, bytes, Hz) but the call is {fmt}"
                        )
                    dst.writeframes(src.readframes(src.getnframes()))
            else:
                frames = round(part * params.framerate)
                dst.writeframes(b"\x00" * frames * params.sampwidth * params.nchannels)
    return out
