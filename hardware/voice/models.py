"""Neural voices from model files an installer puts on the machine: piper (one .onnx with its
.onnx.json) or sherpa-onnx (a VITS model folder: *.onnx, tokens.txt, lexicon.txt, dict/, *.fst).

Nothing is downloaded: the model is found at the configured path (`--voice-model`, or the
HALLQ_VOICE_MODEL environment variable), and the engine's package (`pip install piper-tts` or
`pip install sherpa-onnx`) is imported only when such a voice is asked for, so this module
imports without either. Both say plainly what is missing.
"""
from __future__ import annotations

import os
import wave
from array import array
from pathlib import Path

from .players import Player
from .engines import SynthBackend
from .speech import SpokenCall

ENV = "HALLQ_VOICE_MODEL"


class ModelMissingError(OSError):
    """The configured voice model or its engine is not on this machine."""


def model_path(model: Path | str | None) -> Path:
    given = model or os.environ.get(ENV)
    if not given:
        raise ModelMissingError(f"no voice model configured: pass --voice-model PATH or set {ENV}")
    path = Path(given).expanduser()
    if not path.exists():
        raise ModelMissingError(f"voice model {path} does not exist; the installer puts it there "
                                "(HallQ never downloads one)")
    return path


def model_backend(kind: str, model: Path | str | None, player: Player | None = None) -> SynthBackend:
    """kind "piper", "sherpa-onnx" or "auto" (a folder is sherpa-onnx, a file piper)."""
    path = model_path(model)
    if kind == "auto":
        kind = "sherpa-onnx" if path.is_dir() else "piper"
    return PiperBackend(path, player) if kind == "piper" else SherpaBackend(path, player)


def _engine(module: str, package: str):
    try:
        return __import__(module)
    except ImportError:
        raise ModelMissingError(f"the voice model needs the {package!r} package: pip install {package}") from None


class PiperBackend(SynthBackend):
    def __init__(self, model: Path, player: Player | None = None):
        if model.suffix != ".onnx" or not model.is_file():
            raise ModelMissingError(f"{model} is not a piper model (a .onnx file)")
        config = model.with_name(model.name + ".json")
        if not config.is_file():
            raise ModelMissingError(f"piper model {model.name} has no {config.name} beside it")
        self.model = model
        super().__init__(player)
        self._voice = None

    def open(self) -> None:
        piper = _engine("piper", "piper-tts")
        self._voice = piper.PiperVoice.load(str(self.model))

    def synthesize(self, spoken: SpokenCall, out: Path) -> Path:
        with wave.open(str(out), "wb") as w:
            # piper-tts 1.3 renamed synthesize(text, wav) to synthesize_wav
            write = getattr(self._voice, "synthesize_wav", None) or self._voice.synthesize
            write(spoken.speech, w)
        return out


class SherpaBackend(SynthBackend):
    def __init__(self, model: Path, player: Player | None = None):
        if not model.is_dir():
            raise ModelMissingError(f"{model} is not a sherpa-onnx model folder")
        onnx = sorted(model.glob("*.onnx"))
        if not onnx or not (model / "tokens.txt").is_file():
            raise ModelMissingError(f"sherpa-onnx model folder {model} needs a .onnx file and tokens.txt")
        self.model, self.onnx = model, onnx[0]
        super().__init__(player)
        self._tts = None

    def open(self) -> None:
        sherpa = _engine("sherpa_onnx", "sherpa-onnx")
        lexicon = self.model / "lexicon.txt"
        dict_dir = self.model / "dict"
        vits = sherpa.OfflineTtsVitsModelConfig(
            model=str(self.onnx), tokens=str(self.model / "tokens.txt"),
            lexicon=str(lexicon) if lexicon.is_file() else "",
            dict_dir=str(dict_dir) if dict_dir.is_dir() else "",
        )
        config = sherpa.OfflineTtsConfig(
            model=sherpa.OfflineTtsModelConfig(vits=vits, num_threads=1),
            rule_fsts=",".join(str(p) for p in sorted(self.model.glob("*.fst"))),
        )
        self._tts = sherpa.OfflineTts(config)

    def synthesize(self, spoken: SpokenCall, out: Path) -> Path:
        audio = self._tts.generate(spoken.speech, sid=0, speed=1.0)
        samples = array("h", (max(-32768, min(32767, int(x * 32767))) for x in audio.samples))
        with wave.open(str(out), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(audio.sample_rate)
            w.writeframes(samples.tobytes())
        return out
