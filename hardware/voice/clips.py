"""Clip packs: recorded WAVs (digits, letters, phrases and a chime) joined into one WAV per call.

A pack is a folder with a manifest.toml (format in docs/voice-clips.md); assets/sounds/ is the
one HallQ ships, made by scripts/make_voice_clips.py. A hall may record its own in a human voice.
All clips share one format, so joining them is a plain copy of frames (stdlib `wave`).
"""
from __future__ import annotations

import sys
import tomllib
import unicodedata
import wave
from array import array
from pathlib import Path
from typing import Iterable, Union

import assets

from .speech import DIGITS_ZH, SpokenCall

PAUSE_SECONDS = 0.3  # before each saying of the sentence, so the two sayings stay apart
PUNCTUATION_PAUSE = 0.15  # a comma in the hall's template
MANIFEST = "manifest.toml"
PACK_FORMAT = 1

Part = Union[Path, float]  # a WAV file, or seconds of silence


class WavFormatError(ValueError):
    """WAV parts that cannot be joined (different rate, width or channels)."""


class ClipPackError(OSError):
    """A clip pack that cannot be used: no manifest, a missing file, clips of different formats."""


def sounds_dir() -> Path:
    return assets.path("sounds")


class ClipPack:
    """The clips of one folder, by what they say: "请", "窗口", "G", "零"...; `chime` is the ding-dong."""

    def __init__(self, directory: Path | str | None = None):
        self.directory = Path(directory) if directory else sounds_dir()
        manifest = self.directory / MANIFEST
        try:
            data = tomllib.loads(manifest.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ClipPackError(f"no clip pack at {self.directory}: {MANIFEST} is missing "
                                "(see docs/voice-clips.md)") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ClipPackError(f"{manifest} is not valid TOML: {e}") from None
        if data.get("format") != PACK_FORMAT:
            raise ClipPackError(f"{manifest}: format = {data.get('format')!r}, this HallQ reads format {PACK_FORMAT}")
        self.name = str(data.get("name", self.directory.name))
        files: dict[str, str] = {
            **{DIGITS_ZH[d]: f"digits/{d}.wav" for d in range(10)},
            **{chr(c): f"letters/{chr(c)}.wav" for c in range(ord("A"), ord("Z") + 1)},
            "chime": str(data.get("chime", "chime.wav")),
        }
        phrases = data.get("phrases", {})
        if not isinstance(phrases, dict) or not all(isinstance(v, str) for v in phrases.values()):
            raise ClipPackError(f"{manifest}: [phrases] must map text to a WAV file, e.g. \"请\" = \"phrases/qing.wav\"")
        files.update({k.strip(): v for k, v in phrases.items()})
        self.clips = {text: self.directory / rel for text, rel in files.items()}
        missing = [p for p in self.clips.values() if not p.is_file()]
        if missing:
            names = ", ".join(str(p.relative_to(self.directory)) for p in missing[:5])
            raise ClipPackError(f"{len(missing)} clips missing from {self.directory} ({names}...)")
        self.format = _format(self.clips["chime"])
        for text, path in self.clips.items():
            if _format(path) != self.format:
                raise ClipPackError(f"{path.name} is {_format(path)} (channels, bytes, Hz) but "
                                    f"{self.clips['chime'].name} is {self.format}: one format per pack")
        # longest first, so a recorded "号窗口" wins over "号" + "窗口"
        self._phrases = sorted((t for t in self.clips if t != "chime"), key=len, reverse=True)

    @property
    def chime(self) -> Path:
        return self.clips["chime"]

    def sentence(self, spoken: SpokenCall) -> list[Part]:
        """The clips that say the sentence; ValueError naming the words this pack cannot say."""
        if not spoken.tokens:
            raise ValueError(f"clip pack {self.name!r} has no clips for language {spoken.lang!r}")
        parts: list[Part] = []
        for token in spoken.tokens:
            parts += self._split(token)
        return parts

    def _split(self, text: str) -> list[Part]:
        out: list[Part] = []
        i = 0
        while i < len(text):
            ch = text[i]
            if ch.isspace():
                i += 1
            elif unicodedata.category(ch).startswith("P"):
                out.append(PUNCTUATION_PAUSE)
                i += 1
            else:
                match = next((p for p in self._phrases if text.startswith(p, i)), None)
                if match is None:
                    raise ValueError(f"clip pack {self.name!r} has no clip for {text[i:]!r}; "
                                     f"record it and add it under [phrases] in {MANIFEST}")
                out.append(self.clips[match])
                i += len(match)
        return out

    def call(self, spoken: SpokenCall, repeat: int, chime: bool = True) -> list[Part]:
        return call_parts(repeat, self.chime if chime else None, self.sentence(spoken))


def _format(path: Path) -> tuple[int, int, int]:
    try:
        with wave.open(str(path), "rb") as w:
            return w.getnchannels(), w.getsampwidth(), w.getframerate()
    except (wave.Error, EOFError) as e:
        raise ClipPackError(f"{path} is not a PCM WAV file: {e}") from None


def call_parts(repeat: int, chime: Path | None, sentence: Iterable[Part]) -> list[Part]:
    """Chime, then the sentence `repeat` times with a pause between sayings.

    The first saying follows the chime's fading tail at once: a call said twice must fit in 8 s."""
    sentence = list(sentence)
    parts: list[Part] = [chime] if chime else []
    for i in range(repeat):
        parts += ([PAUSE_SECONDS] if i else []) + sentence
    return parts


def join_wavs(parts: Iterable[Part], out: Path, volume: float = 1.0) -> Path:
    """Write the parts one after another to `out`, scaled by `volume` (0..1).

    The first file part sets the format; every other must match it."""
    parts = list(parts)
    first = next((p for p in parts if isinstance(p, Path)), None)
    if first is None:
        raise ValueError("nothing to join: no WAV file among the parts")
    fmt = _format(first)
    nchannels, sampwidth, framerate = fmt
    with wave.open(str(out), "wb") as dst:
        dst.setnchannels(nchannels)
        dst.setsampwidth(sampwidth)
        dst.setframerate(framerate)
        for part in parts:
            if isinstance(part, Path):
                with wave.open(str(part), "rb") as src:
                    got = (src.getnchannels(), src.getsampwidth(), src.getframerate())
                    if got != fmt:
                        raise WavFormatError(
                            f"{part.name} is {got} (channels, bytes, Hz) but the call is {fmt}"
                        )
                    dst.writeframes(scaled(src.readframes(src.getnframes()), sampwidth, volume))
            else:
                frames = round(part * framerate)
                dst.writeframes(b"\x00" * frames * sampwidth * nchannels)
    return out


def trim_silence(path: Path, lead: float = 0.01, tail: float = 0.03, threshold: int = 400) -> Path:
    """Cut a 16-bit mono WAV's leading and trailing silence to short, even margins, in place.

    A synthesized sentence comes with ~0.2 s of silence at each end; a call says it twice."""
    with wave.open(str(path), "rb") as w:
        params = w.getparams()
        frames = w.readframes(w.getnframes())
    if (params.nchannels, params.sampwidth) != (1, 2):
        return path
    samples = array("h", frames)
    if sys.byteorder == "big":
        samples.byteswap()
    loud = [i for i, s in enumerate(samples) if abs(s) > threshold]
    if not loud:
        return path
    rate = params.framerate
    fade = min(int(0.005 * rate), (loud[-1] - loud[0]) // 2)  # no click at the cut
    body = samples[loud[0]: loud[-1] + 1]
    for i in range(fade):
        body[i] = int(body[i] * i / fade)
        body[-1 - i] = int(body[-1 - i] * i / fade)
    out = array("h", [0] * int(lead * rate)) + body + array("h", [0] * int(tail * rate))
    if sys.byteorder == "big":
        out.byteswap()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(out.tobytes())
    return path


def scaled(frames: bytes, sampwidth: int, volume: float) -> bytes:
    """16-bit PCM at `volume` of its level; other widths are left as they are."""
    if volume >= 1.0 or sampwidth != 2:
        return frames
    samples = array("h", frames)
    if sys.byteorder == "big":
        samples.byteswap()
    samples = array("h", (int(s * volume) for s in samples))
    if sys.byteorder == "big":
        samples.byteswap()
    return samples.tobytes()
