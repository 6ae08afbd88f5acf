"""The voice settings a device's installer gives on its command line (the display, the kiosk, the demo)."""
from __future__ import annotations

import argparse

from .engines import PREFERENCES, make_speaker
from .speaker import Speaker
from .speech import MAX_REPEAT


def _percent(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"volume must be a whole number 0-100, got {text!r}") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"volume must be 0-100 (%), got {value}")
    return value


def _repeat(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_REPEAT:
        raise argparse.ArgumentTypeError(f"repeat must be 1-{MAX_REPEAT}, got {text!r}")
    return value


def add_voice_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("voice / 语音")
    g.add_argument("--voice", choices=[*PREFERENCES, "none"], default="auto",
                   help="which voice says calls (default: the best this machine has; none = silent)")
    g.add_argument("--volume", type=_percent, default=100, help="this device's loudness, 0-100 %% (default 100)")
    g.add_argument("--repeat", type=_repeat, default=2, help=f"times each call is said, 1-{MAX_REPEAT} (default 2)")
    g.add_argument("--voice-id", help="pyttsx3 voice by id or name, e.g. Huihui (Windows SAPI5)")
    g.add_argument("--voice-model", help="a piper .onnx file or sherpa-onnx model folder the installer put here "
                                         "(or set HALLQ_VOICE_MODEL); never downloaded")
    g.add_argument("--clips", help="a clip pack folder (docs/voice-clips.md), e.g. a hall's recorded voice")


def speaker_from_arguments(args: argparse.Namespace) -> Speaker | None:
    if args.voice == "none":
        return None
    return make_speaker(args.voice, volume=args.volume / 100, voice_id=args.voice_id,
                        model=args.voice_model, clips=args.clips)
