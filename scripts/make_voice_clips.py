"""Recipe for assets/sounds/: the chime and the Mandarin clips of the offline fallback voice.

    python scripts/make_voice_clips.py [--out assets/sounds]

Needs espeak-ng on PATH. Every clip is written as 22050 Hz mono 16-bit (espeak-ng's own
rate, so render_wav can join its output to the chime without resampling), with silence
trimmed to a short, even margin so joined clips sound like one sentence.
"""
from __future__ import annotations

import argparse
import math
import shutil
import subprocess
import sys
import tempfile
import wave
from array import array
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hardware.voice.clips import CHIME, CLIP_STEMS  # noqa: E402

RATE = 22050
# espeak-ng 1.51's plain "cmn" voice reads the pinyin of its own dictionary as English
VOICE = "cmn-latn-pinyin"
SPEED_WPM = 165  # a word alone is said slower than in a sentence; this evens it out
LEAD_S, TAIL_S = 0.01, 0.04
FADE_S = 0.005
THRESHOLD = 400  # of 32767: below this counts as silence

TEXT = {
    "qing": "请", "hao": "号", "dao": "到", "chuangkou": "窗口", "banli": "办理",
    "shi": "十", "bai": "百",
    **{str(d): "零一二三四五六七八九"[d] for d in range(10)},
    **{chr(c): chr(c) for c in range(ord("A"), ord("Z") + 1)},  # the voice says letters as letters
}


def chime_samples(rate: int = RATE) -> array:
    """Ding-dong: two bell tones (fundamental + soft octave), each decaying, the second overlapping."""
    notes = ((659.25, 0.0), (523.25, 0.42))  # E5 then C5
    ring = 0.9
    total = int(rate * (notes[-1][1] + ring))
    out = [0.0] * total
    for freq, start in notes:
        first = int(start * rate)
        for i in range(int(ring * rate)):
            t = i / rate
            attack = min(1.0, t / 0.004)  # avoids a click at the onset
            env = attack * math.exp(-4.5 * t)
            s = math.sin(2 * math.pi * freq * t) + 0.3 * math.sin(4 * math.pi * freq * t)
            out[first + i] += 0.45 * env * s
    peak = max(abs(x) for x in out)
    return array("h", (int(x / peak * 0.7 * 32767) for x in out))


def trimmed(samples: array, rate: int = RATE) -> array:
    loud = [i for i, s in enumerate(samples) if abs(s) > THRESHOLD]
    if not loud:
        raise RuntimeError("espeak-ng produced silence")
    body = samples[loud[0] : loud[-1] + 1]
    fade = min(int(FADE_S * rate), len(body) // 2)
    for i in range(fade):
        body[i] = int(body[i] * i / fade)
        body[-1 - i] = int(body[-1 - i] * i / fade)
    return array("h", [0] * int(LEAD_S * rate)) + body + array("h", [0] * int(TAIL_S * rate))


def speak(text: str, workdir: Path) -> array:
    raw = workdir / "raw.wav"
    subprocess.run(
        ["espeak-ng", "-v", VOICE, "-s", str(SPEED_WPM), "-w", str(raw), text],
        check=True,
        stderr=subprocess.DEVNULL,  # ALSA noise on machines without a sound card
    )
    with wave.open(str(raw), "rb") as w:
        if (w.getnchannels(), w.getsampwidth(), w.getframerate()) != (1, 2, RATE):
            raise RuntimeError(f"espeak-ng wrote {w.getparams()}, expected 22050 Hz mono 16-bit")
        samples = array("h")
        samples.frombytes(w.readframes(w.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


def write(path: Path, samples: array) -> None:
    if sys.byteorder == "big":
        samples = array("h", samples)
        samples.byteswap()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(samples.tobytes())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "assets" / "sounds")
    args = parser.parse_args(argv)
    if not shutil.which("espeak-ng"):
        print("espeak-ng is not installed (apt-get install espeak-ng)", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    write(args.out / f"{CLIP_STEMS[CHIME]}.wav", chime_samples())
    with tempfile.TemporaryDirectory() as tmp:
        for token, stem in CLIP_STEMS.items():
            if token != CHIME:
                write(args.out / f"{stem}.wav", trimmed(speak(TEXT[token], Path(tmp))))
    total = sum(p.stat().st_size for p in args.out.glob("*.wav"))
    print(f"wrote {len(CLIP_STEMS)} clips to {args.out} ({total / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
