"""The voice for calls: what a call says (speech.py), the queue that says calls one at a time
(speaker.py), the engines behind it and `make_speaker()` (engines.py), model voices (models.py),
sound players (players.py), clip packs (clips.py), and calls rendered to WAV files (render.py)."""
from __future__ import annotations

from .clips import PAUSE_SECONDS, ClipPack, ClipPackError
from .engines import (
    ClipBackend, NoVoiceError, Pyttsx3Backend, RecorderBackend, Utterance, make_speaker,
    pick_voice,
)
from .models import ModelMissingError
from .players import MemoryPlayer, NoAudioOutputError, PlaybackError, Player, find_player
from .render import espeak_voice, render_wav
from .speaker import Backend, Speaker
from .speech import DEFAULT_TEMPLATE, LETTER_READINGS, Announcement, SpokenCall, call_sentence, number_speech

__all__ = [
    "Announcement", "number_speech", "SpokenCall", "call_sentence", "Speaker", "Backend", "Utterance",
    "Pyttsx3Backend", "ClipBackend", "RecorderBackend", "NoVoiceError", "NoAudioOutputError",
    "PlaybackError", "MemoryPlayer", "Player", "find_player", "pick_voice", "make_speaker",
    "render_wav", "espeak_voice", "PAUSE_SECONDS", "ClipPack", "ClipPackError", "ModelMissingError",
    "DEFAULT_TEMPLATE", "LETTER_READINGS",
]
