"""Recipe for assets/sounds/: the chime and the Mandarin clip pack of the offline fallback voice.

    python scripts/make_voice_clips.py [--out assets/sounds]

Needs espeak-ng on PATH. Writes a clip pack as docs/voice-clips.md describes (digits/, letters/,
phrases/, manifest.toml). Every clip is 22050 Hz mono 16-bit (espeak-ng's own rate, so
render_wav can join its output to the chime without resampling), with silence trimmed to a
short, even margin so joined clips sound like one sentence. Letters are said through
LETTER_READINGS (G as 吉, J as 杰), never as the bare letter the voice misreads.
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

from hardware.voice.clips import MANIFEST, PACK_FORMAT, trim_silence  # noqa: E402
from hardware.voice.speech import DIGITS_ZH, LETTER_READINGS  # noqa: E402

RATE = 22050
# espeak-ng 1.51's plain "cmn" voice reads the pinyin of its own dictionary as English
VOICE = "cmn-latn-pinyin"
SPEED_WPM = 250  # a word alone is said slower than in a sentence; this evens it out
LEAD_S, TAIL_S = 0.01, 0.02
THRESHOLD = 400  # of 32767: below this counts as silence

# phrase text -> file stem: the words of the default call template, and 十 and 百 for windows
PHRASES = {"请": "qing", "号": "hao", "到": "dao", "窗口": "chuangkou", "办理": "banli",
           "十": "shi", "百": "bai"}


def pack_clips() -> dict[str, str]:
    """relative path -> the text espeak-ng says for it"""
    return {
        **{f"digits/{d}.wav": DIGITS_ZH[d] for d in range(10)},
        **{f"letters/{letter}.wav": reading for letter, reading in LETTER_READINGS.items()},
        **{f"phrases/{stem}.wav": text for text, stem in PHRASES.items()},
    }


def manifest() -> str:
    lines = [
        "# A HallQ clip pack (docs/voice-clips.md), made by scripts/make_voice_clips.py with espeak-ng.",
        f"format = {PACK_FORMAT}",
        'name = "espeak-ng cmn-latn-pinyin"',
        'chime = "chime.wav"',
        "",
        "[phrases]",
        *[f'"{text}" = "phrases/{stem}.wav"' for text, stem in PHRASES.items()],
    ]
    return "\n".join(lines) + "\n"


def chime_samples(rate: int = RATE) -> array:
    """Ding-dong: two bell tones (fundamental + soft octave), each decaying, the second overlapping."""
    notes = ((659.25, 0.0), (523.25, 0.25))  # E5 then C5
    ring = 0.5  # short, so that a call said twice stays under 8 s
    total = int(notes[-1][1] * rate) + int(ring * rate)
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


def speak(text: str, workdir: Path) -> Path:
    raw = workdir / "raw.wav"
    subprocess.run(
        ["espeak-ng", "-v", VOICE, "-s", str(SPEED_WPM), "-w", str(raw), text],
        check=True,
        stderr=subprocess.DEVNULL,  # ALSA noise on machines without a sound card
    )
    with wave.open(str(raw), "rb") as w:
        if (w.getnchannels(), w.getsampwidth(), w.getframerate()) != (1, 2, RATE):
            raise RuntimeError(f"espeak-ng wrote {w.getparams()}, expected 22050 Hz mono 16-bit")
    return trim_silence(raw, LEAD_S, TAIL_S, THRESHOLD)


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
    write(args.out / "chime.wav", chime_samples())
    clips = pack_clips()
    with tempfile.TemporaryDirectory() as tmp:
        for rel, text in clips.items():
            (args.out / rel).parent.mkdir(exist_ok=True)
            shutil.copyfile(speak(text, Path(tmp)), args.out / rel)
    (args.out / MANIFEST).write_text(manifest(), encoding="utf-8")
    total = sum(p.stat().st_size for p in args.out.rglob("*.wav"))
    print(f"wrote {len(clips) + 1} clips to {args.out} ({total / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
