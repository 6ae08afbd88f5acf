"""The voices behind a Speaker (pyttsx3, model voices, a clip pack, a silent recorder), and
`make_speaker()`, which picks the best one this machine has.

    speaker = make_speaker()
    speaker.say(Announcement("G001", "5"))   # chime, then "请 吉零零一 号到五号窗口办理" twice
    speaker.close()
"""
from __future__ import annotations

import logging
import re
import sys
import tempfile
import threading
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .clips import ClipPack, ClipPackError, WavFormatError, call_parts, join_wavs, trim_silence
from .players import NoAudioOutputError, Player, find_player
from .speaker import Speaker
from .speech import Announcement, SpokenCall

log = logging.getLogger(__name__)


class NoVoiceError(RuntimeError):
    """The text-to-speech engine has no Mandarin voice."""


@dataclass(frozen=True)
class Utterance:
    start: float  # time.monotonic()
    end: float
    text: str
    volume: float = 1.0


class RecorderBackend:
    """Says nothing; keeps what it would have said, taking simulated time to say it."""

    languages = ("zh_CN", "en")
    CHIME_TEXT = "[chime]"

    def __init__(self, seconds_per_char: float = 0.01, chime_seconds: float = 0.02):
        self.seconds_per_char = seconds_per_char
        self.chime_seconds = chime_seconds
        self._lock = threading.Lock()
        self._said: list[Utterance] = []
        self._stopped = threading.Event()

    @property
    def utterances(self) -> list[Utterance]:
        with self._lock:
            return list(self._said)

    def open(self) -> None:
        pass

    def speak_call(self, spoken: SpokenCall, repeat: int, chime: bool = True, volume: float = 1.0) -> None:
        if chime:
            self._utter(self.CHIME_TEXT, self.chime_seconds, volume)
        for _ in range(repeat):
            self._utter(spoken.speech, self.seconds_per_char * len(spoken.speech), volume)

    def _utter(self, text: str, seconds: float, volume: float) -> None:
        start = time.monotonic()
        self._stopped.wait(seconds)  # a stop cuts the utterance short, as on a real speaker
        with self._lock:
            self._said.append(Utterance(start, time.monotonic(), text, volume))

    def stop(self) -> None:
        self._stopped.set()

    def close(self) -> None:
        pass


class ClipBackend:
    """Joins the clips of a clip pack (default assets/sounds/) into one WAV per call and plays it."""

    languages = ("zh_CN",)

    def __init__(self, player: Player | None = None, directory: Path | str | None = None):
        self.pack = ClipPack(directory)
        self.player = player or find_player()

    def open(self) -> None:
        pass

    def check(self, spoken: SpokenCall) -> None:
        """ValueError now, at say(), when the pack lacks a clip for a word of the sentence."""
        self.pack.sentence(spoken)

    def speak_call(self, spoken: SpokenCall, repeat: int, chime: bool = True, volume: float = 1.0) -> None:
        with tempfile.TemporaryDirectory(prefix="hallq-call-") as tmp:
            call = join_wavs(self.pack.call(spoken, repeat, chime), Path(tmp) / "call.wav", volume)
            self.player.play(call)

    def stop(self) -> None:
        self.player.stop()

    def close(self) -> None:
        pass


class SynthBackend:
    """A voice that renders the sentence to a WAV (`synthesize`); the chime comes from the shipped pack."""

    languages: tuple[str, ...] = ("zh_CN",)

    def __init__(self, player: Player | None = None):
        self.player = player or find_player()

    def open(self) -> None:
        pass

    def synthesize(self, spoken: SpokenCall, out: Path) -> Path:
        raise NotImplementedError

    def speak_call(self, spoken: SpokenCall, repeat: int, chime: bool = True, volume: float = 1.0) -> None:
        with tempfile.TemporaryDirectory(prefix="hallq-call-") as tmp:
            sentence = trim_silence(self.synthesize(spoken, Path(tmp) / "sentence.wav"))
            bell = ClipPack().chime if chime else None
            try:
                call = join_wavs(call_parts(repeat, bell, [sentence]), Path(tmp) / "call.wav", volume)
            except WavFormatError:  # a voice whose rate differs from the chime's: play them one by one
                for i, part in enumerate([bell, *[sentence] * repeat]):
                    if part is not None:
                        self.player.play(join_wavs([part], Path(tmp) / f"part{i}.wav", volume))
                return
            self.player.play(call)

    def stop(self) -> None:
        self.player.stop()

    def close(self) -> None:
        pass


_NOT_MANDARIN = {"yue", "cantonese", "jyutping", "hak", "hakka", "hk", "nan", "wuu", "hsn"}
# pyttsx3 keeps one engine per driver per process, and espeak one callback: one user at a time
_PYTTSX3_LOCK = threading.Lock()


def _languages(voice) -> list[str]:
    return [
        (x.decode(errors="ignore") if isinstance(x, bytes) else str(x)).lower()
        for x in voice.languages or []
    ]


def _words(voice) -> tuple[set[str], str]:
    text = " ".join([str(voice.id), str(voice.name or ""), *_languages(voice)]).lower()
    return set(re.split(r"[^a-z0-9]+", text)), text


def _score(voice, lang: str) -> int:
    words, text = _words(voice)
    if lang == "en":
        # espeak's Mandarin voice is "Chinese (Mandarin, latin as English)": not an English voice
        if words & {"cmn", "zh", "chinese", "yue"}:
            return 0
        if set(_languages(voice)) & {"en", "en-us", "en-gb", "en_us", "en_gb"}:
            return 3  # the common accents before en-029, en-gb-scotland...
        return 2 if "en" in words or "english" in words else 0
    if words & _NOT_MANDARIN or "hong kong" in text:
        return 0
    if "cmn" in words and "pinyin" in words:
        return 4  # espeak-ng 1.51's plain "cmn" voice reads its own pinyin as English words
    if words & {"cmn", "mandarin"} or {"zh", "cn"} <= words:
        return 3
    if words & {"zh", "chinese"}:
        return 1 if words & {"tw", "taiwan"} else 2
    return 0


def pick_voice(voices, lang: str = "zh_CN"):
    """The best pyttsx3 voice for the language, or None; Cantonese and Hakka never count as Mandarin."""
    scored = [(_score(v, lang), i, v) for i, v in enumerate(voices)]
    best = max(scored, key=lambda s: (s[0], -s[1]), default=None)
    return best[2] if best and best[0] > 0 else None


def _quiet_espeak_driver() -> None:
    """pyttsx3's espeak driver prints "Audio saved to ..." for every file; keep the console for people."""
    try:
        from pyttsx3.drivers import espeak
    except Exception:  # another platform's driver, or no libespeak: nothing prints
        return

    def quiet(*args, **kwargs):
        if not (args and str(args[0]).startswith("Audio saved to")):
            print(*args, **kwargs)

    espeak.print = quiet  # the module's own name shadows the builtin for that module only


class Pyttsx3Backend(SynthBackend):
    """pyttsx3 (SAPI5 on Windows, espeak-ng on Linux) renders the sentence to a WAV; our player plays it.

    Rendering to a file rather than pyttsx3's own say(): with the espeak driver,
    runAndWait() returns before speech has finished, which would let calls overlap.
    `voice_id` picks a voice by id or name (e.g. "Huihui"); otherwise the best Mandarin one.
    """

    languages = ("zh_CN", "en")

    def __init__(
        self,
        player: Player | None = None,
        rate: int = 210,  # as render.ESPEAK_SPEED: a call said twice stays under 8 s
        driver_name: str | None = None,
        synth_timeout: float = 30.0,
        voice_id: str | None = None,
    ):
        super().__init__(player)
        self.rate = rate
        self.driver_name = driver_name
        self.synth_timeout = synth_timeout
        self.voice_id = voice_id
        self.voice_ids: dict[str, str] = {}
        self._engine = None

    def open(self) -> None:
        if sys.platform == "win32":
            import pythoncom  # SAPI5 is COM, and COM is set up per thread

            pythoncom.CoInitialize()
        import pyttsx3

        _quiet_espeak_driver()
        with _PYTTSX3_LOCK:
            self._engine = pyttsx3.init(self.driver_name)
            voices = list(self._engine.getProperty("voices"))
        if self.voice_id:
            wanted = self.voice_id.lower()
            zh = next((v for v in voices if wanted in str(v.id).lower() or wanted in str(v.name or "").lower()),
                      None)
            if zh is None:
                names = ", ".join(str(v.name or v.id) for v in voices[:8])
                raise NoVoiceError(f"pyttsx3 has no voice matching {self.voice_id!r}; it has: {names}")
        else:
            zh = pick_voice(voices, "zh_CN")
        if zh is None:
            raise NoVoiceError(
                f"pyttsx3 has no Mandarin voice among {len(voices)} voices; install one "
                "(Windows: Settings > Time & Language > Speech, add 中文(简体); Linux: espeak-ng)"
            )
        en = pick_voice(voices, "en") or zh
        self.voice_ids = {"zh_CN": zh.id, "en": en.id}

    def synthesize(self, spoken: SpokenCall, out: Path) -> Path:
        engine = self._engine
        done = threading.Event()
        with _PYTTSX3_LOCK:
            token = engine.connect("finished-utterance", lambda **_: done.set())
            try:
                engine.setProperty("voice", self.voice_ids[spoken.lang])
                engine.setProperty("rate", self.rate)
                engine.save_to_file(spoken.speech, str(out))
                engine.runAndWait()
                # SAPI5 has written the file by now and sends no event; espeak is still at it
                driver = getattr(engine, "driver_name", None) or self.driver_name
                if driver != "sapi5" and not done.wait(self.synth_timeout) and not out.exists():
                    raise RuntimeError(f"pyttsx3 wrote nothing in {self.synth_timeout:.0f} s")
            finally:
                engine.disconnect(token)
        with wave.open(str(out), "rb") as w:
            if w.getnframes() == 0:
                raise RuntimeError(f"pyttsx3 produced no audio for {spoken.display!r}")
        return out


PREFERENCES = ("auto", "pyttsx3", "piper", "sherpa-onnx", "clips", "recorder")
# what may go wrong while looking for a voice on a machine we know nothing about
_UNAVAILABLE = (NoVoiceError, NoAudioOutputError, ClipPackError, ImportError, OSError, RuntimeError)


def make_speaker(
    preference: str = "auto",
    player: Player | None = None,
    on_error: Callable[[Announcement, Exception], None] | None = None,
    *,
    volume: float = 1.0,
    voice_id: str | None = None,
    model: Path | str | None = None,
    clips: Path | str | None = None,
) -> Speaker:
    """The voice asked for, or with "auto" the best one present: a model voice if `model` is
    given, pyttsx3 with a Mandarin voice, the clip pack, else a silent recorder.

    `model`: a piper .onnx file (its .onnx.json beside it) or a sherpa-onnx VITS model folder;
    `clips`: a clip pack folder (default assets/sounds/); `volume` 0..1 for this device."""
    from .models import model_backend

    if preference not in PREFERENCES:
        raise ValueError(f"voice preference {preference!r} is not one of {PREFERENCES}")
    makers = {
        "pyttsx3": lambda: Pyttsx3Backend(player=player, voice_id=voice_id),
        "piper": lambda: model_backend("piper", model, player),
        "sherpa-onnx": lambda: model_backend("sherpa-onnx", model, player),
        "clips": lambda: ClipBackend(player=player, directory=clips),
        "recorder": RecorderBackend,
    }
    if preference != "auto":
        return Speaker(makers[preference](), on_error=on_error, volume=volume)
    order = (["model"] if model else []) + ["pyttsx3", "clips"]
    makers["model"] = lambda: model_backend("auto", model, player)
    for name in order:
        try:
            return Speaker(makers[name](), on_error=on_error, volume=volume)
        except _UNAVAILABLE as exc:
            # a model the installer configured and that is not there is worth a warning
            (log.warning if name == "model" else log.info)("voice %s unavailable: %s", name, exc)
    log.warning("no voice and no sound output: calls will be shown but not spoken")
    return Speaker(RecorderBackend(), on_error=on_error, volume=volume)
