"""The voice for calls: what is said, in what order, and that real audio comes out."""
from __future__ import annotations

import math
import time
import wave
from array import array
from pathlib import Path

import pytest
from pyttsx3.voice import Voice

import assets
from hardware.voice import (
    PAUSE_SECONDS,
    Announcement,
    ClipBackend,
    MemoryPlayer,
    Pyttsx3Backend,
    RecorderBackend,
    Speaker,
    call_sentence,
    espeak_voice,
    make_speaker,
    pick_voice,
    render_wav,
)

SOUNDS = assets.path("sounds")


def rms(frames: bytes) -> float:
    samples = array("h", frames)
    return math.sqrt(sum(s * s for s in samples) / max(1, len(samples)))


def wav_frames(path: Path) -> tuple[int, int, bytes]:
    with wave.open(str(path), "rb") as w:
        return w.getframerate(), w.getnframes(), w.readframes(w.getnframes())


# --- what is said -----------------------------------------------------------------------


def test_ticket_digits_read_one_by_one_and_window_as_a_number():
    call = call_sentence("A001", "5", "zh_CN")
    assert call.display == "请A001号到5号窗口办理"
    assert call.speech == "请 A零零一 号 到 五 号窗口 办理"  # 一, not 幺
    assert list(call.tokens) == [
        "qing", "A", "0", "0", "1", "hao", "dao", "5", "hao", "chuangkou", "banli"
    ]


@pytest.mark.parametrize(
    "window, spoken, tokens",
    [
        ("12", "十二", ["shi", "2"]),
        ("21", "二十一", ["2", "shi", "1"]),
        ("10", "十", ["shi"]),
        ("100", "一百", ["1", "bai"]),
        ("105", "一百零五", ["1", "bai", "0", "5"]),
        ("110", "一百一十", ["1", "bai", "1", "shi"]),
    ],
)
def test_window_numbers_are_read_as_numbers(window, spoken, tokens):
    call = call_sentence("B120", window)
    assert call.speech == f"请 B一二零 号 到 {spoken} 号窗口 办理"
    assert list(call.tokens) == ["qing", "B", "1", "2", "0", "hao", "dao", *tokens, "hao", "chuangkou", "banli"]


def test_english_sentence_spells_the_ticket():
    call = call_sentence("A001", "5", "en")
    assert call.speech == "Number A 0 0 1, please go to window 5"
    assert call.display == "Number A001, please go to window 5"


def test_lower_case_and_fullwidth_numbers_are_read_like_the_printed_ticket():
    """Bad-ish input: 'a001' typed in lower case, 'Ａ００１' from a Chinese IME."""
    assert call_sentence("a001", "5").speech == call_sentence("Ａ００１", "５").speech


# --- the queue --------------------------------------------------------------------------


def test_ten_calls_in_one_second_are_all_said_in_order_twice_without_overlap():
    recorder = RecorderBackend(seconds_per_char=0.005, chime_seconds=0.01)
    speaker = Speaker(recorder)
    t0 = time.monotonic()
    calls = [Announcement(f"A{i:03d}", str(i % 7 + 1)) for i in range(1, 11)]
    for a in calls:
        speaker.say(a)
    assert time.monotonic() - t0 < 1.0  # say() only enqueues
    speaker.close()

    said = recorder.utterances
    expected = []
    for a in calls:
        sentence = call_sentence(a.number, a.window).speech
        expected += [RecorderBackend.CHIME_TEXT, sentence, sentence]
    assert [u.text for u in said] == expected
    for before, after in zip(said, said[1:]):
        assert before.end <= after.start, f"{before} overlaps {after}"
    assert all(u.end - u.start >= 0.005 for u in said)  # each took simulated time


@pytest.mark.parametrize(
    "bad",
    [
        Announcement("", "5"),
        Announcement("   ", "5"),
        Announcement("A#1", "5"),
        Announcement("A-001", "5"),
        Announcement("A001", ""),
        Announcement("A001", "0"),
        Announcement("A001", "five"),
        Announcement("A001", "1000"),
        Announcement("A001", "5", repeat=0),
        Announcement("A001", "5", lang="fr"),
    ],
    ids=["empty", "blank", "hash", "dash", "no-window", "window-0", "window-word",
         "window-1000", "repeat-0", "lang-fr"],
)
def test_bad_announcement_is_refused_and_the_queue_keeps_working(bad):
    """Bad input tried: empty/blank number, '#' and '-' in the number, missing, zero,
    wordy and too-large windows, zero repeats, an unsupported language."""
    recorder = RecorderBackend(seconds_per_char=0.001)
    speaker = Speaker(recorder)
    with pytest.raises(ValueError) as err:
        speaker.say(bad)
    assert str(err.value)  # says what was wrong
    speaker.say(Announcement("C007", "3"))
    speaker.close()
    texts = [u.text for u in recorder.utterances]
    assert texts == [RecorderBackend.CHIME_TEXT] + ["请 C零零七 号 到 三 号窗口 办理"] * 2


def test_error_message_names_the_unreadable_character():
    with pytest.raises(ValueError, match="'#'"):
        call_sentence("A#1", "5")


class FailsOncePlayer(MemoryPlayer):
    """A sound card that drops out for the first call."""

    def __init__(self):
        super().__init__()
        self.failed = False

    def play(self, path):
        if not self.failed:
            self.failed = True
            raise OSError("device busy")
        super().play(path)


def test_a_call_that_fails_to_play_is_reported_and_the_next_is_still_said():
    player = FailsOncePlayer()
    errors = []
    speaker = Speaker(ClipBackend(player=player), on_error=lambda a, e: errors.append((a.number, str(e))))
    speaker.say(Announcement("A001", "1"))
    speaker.say(Announcement("A002", "2"))
    speaker.close()
    assert errors == [("A001", "device busy")]
    assert len(player.played) == 1


def test_close_without_draining_stops_quickly_and_returns_what_was_not_said():
    recorder = RecorderBackend(seconds_per_char=0.2)  # ~4 s per sentence
    speaker = Speaker(recorder)
    calls = [Announcement(f"A00{i}", "1") for i in range(1, 4)]
    for a in calls:
        speaker.say(a)
    time.sleep(0.05)
    t0 = time.monotonic()
    dropped = speaker.close(drain=False)
    assert time.monotonic() - t0 < 1.0
    assert dropped == calls[1:]
    with pytest.raises(RuntimeError):
        speaker.say(calls[0])


def test_close_drains_everything_queued():
    recorder = RecorderBackend(seconds_per_char=0.001)
    with Speaker(recorder) as speaker:
        for i in range(5):
            speaker.say(Announcement(f"A00{i}", "1", repeat=1))
    assert len(recorder.utterances) == 5 * 2
    assert speaker.pending == 0


# --- real audio -------------------------------------------------------------------------


SENTENCE_CLIPS = ["qing", "A", "ling", "ling", "yi", "hao", "dao", "wu", "hao", "chuangkou", "banli"]


def test_clip_backend_joins_the_expected_clips_in_order():
    player = MemoryPlayer()
    speaker = Speaker(ClipBackend(player=player))
    speaker.say(Announcement("A001", "5"))
    speaker.close()
    [sound] = player.played
    rate, chime, _ = wav_frames(SOUNDS / "chime.wav")
    sentence = sum(wav_frames(SOUNDS / f"{name}.wav")[1] for name in SENTENCE_CLIPS)
    assert sound.framerate == rate
    assert sound.nframes == chime + 2 * (round(PAUSE_SECONDS * rate) + sentence)
    # the sentence starts right after chime + pause with the 请 clip, sample for sample
    start = (chime + round(PAUSE_SECONDS * rate)) * 2
    qing = wav_frames(SOUNDS / "qing.wav")[2]
    assert sound.frames[start : start + len(qing)] == qing


def test_clip_backend_refuses_english_it_has_no_clips_for():
    speaker = Speaker(ClipBackend(player=MemoryPlayer()))
    with pytest.raises(ValueError, match="en"):
        speaker.say(Announcement("A001", "5", lang="en"))
    speaker.close()


def test_every_clip_is_present_audible_and_joinable():
    formats = set()
    for name in ["chime", *"ABCDEFGHIJKLMNOPQRSTUVWXYZ", "shi", "bai",
                 "ling", "yi", "er", "san", "si", "wu", "liu", "qi", "ba", "jiu",
                 "qing", "hao", "dao", "chuangkou", "banli"]:
        with wave.open(str(SOUNDS / f"{name}.wav"), "rb") as w:
            formats.add((w.getframerate(), w.getnchannels(), w.getsampwidth()))
            seconds = w.getnframes() / w.getframerate()
            assert 0.1 < seconds < 1.6, name
            assert rms(w.readframes(w.getnframes())) > 300, f"{name} is silent"
    assert len(formats) == 1
    assert sum(p.stat().st_size for p in SOUNDS.glob("*.wav")) < 1_000_000


@pytest.mark.parametrize("engine", ["clips", "espeak"])
def test_render_wav_writes_a_plausible_audible_call(tmp_path, engine):
    if engine == "espeak" and espeak_voice("zh_CN") is None:
        pytest.skip("espeak-ng with a Mandarin voice is not installed")
    out = render_wav(Announcement("A001", "5"), tmp_path / "call.wav", engine=engine)
    rate, nframes, frames = wav_frames(out)
    assert 2 < nframes / rate < 20
    half = len(frames) // 2
    assert rms(frames[:half]) > 500 and rms(frames[half:]) > 500  # both sayings are audible
    once = render_wav(Announcement("A001", "5", repeat=1), tmp_path / "once.wav", engine=engine)
    assert wav_frames(once)[1] < nframes  # saying it twice takes longer


def test_render_wav_refuses_bad_input_and_keeps_the_existing_file(tmp_path):
    """Bad input tried: '#' in the ticket number, rendering over an existing file."""
    out = tmp_path / "call.wav"
    out.write_bytes(b"earlier call")
    with pytest.raises(ValueError):
        render_wav(Announcement("#", "5"), out)
    assert out.read_bytes() == b"earlier call"
    assert list(tmp_path.iterdir()) == [out]


# --- choosing a voice -------------------------------------------------------------------


def test_mandarin_voice_is_chosen_and_cantonese_or_hakka_never_are():
    cantonese = Voice("sit/yue", "Chinese (Cantonese)", ["yue"])
    hakka = Voice("sit/hak", "Hakka Chinese", ["hak"])
    hong_kong = Voice("TTS_MS_ZH-HK_TRACY_11.0", "Microsoft Tracy - Chinese (Traditional, Hong Kong SAR)", ["zh_HK"])
    huihui = Voice("TTS_MS_ZH-CN_HUIHUI_11.0", "Microsoft Huihui - Chinese (Simplified, PRC)", ["zh_CN"])
    english = Voice("gmw/en", "English", ["en-gb"])
    assert pick_voice([english, cantonese, hakka, hong_kong]) is None
    assert pick_voice([cantonese, hong_kong, huihui, english]) is huihui
    assert pick_voice([cantonese, huihui, english], "en") is english


def test_make_speaker_rejects_an_unknown_preference():
    with pytest.raises(ValueError, match="loud"):
        make_speaker("loud")


def test_make_speaker_recorder_is_silent_and_works():
    speaker = make_speaker("recorder")
    speaker.say(Announcement("A001", "5", repeat=1))
    speaker.close()
    assert [u.text for u in speaker.backend.utterances][1:] == ["请 A零零一 号 到 五 号窗口 办理"]


def _pyttsx3_has_mandarin() -> bool:
    try:
        import pyttsx3

        return pick_voice(pyttsx3.init().getProperty("voices")) is not None
    except Exception:
        return False


@pytest.mark.skipif(not _pyttsx3_has_mandarin(), reason="pyttsx3 has no Mandarin voice here")
def test_pyttsx3_speaks_each_call_once_finished_in_a_worker_thread():
    player = MemoryPlayer()
    speaker = make_speaker("auto", player=player)
    assert isinstance(speaker.backend, Pyttsx3Backend)
    for number in ("A001", "A002", "B013"):
        speaker.say(Announcement(number, "12"))
    speaker.say(Announcement("A004", "3", lang="en", repeat=1))
    speaker.close()
    assert len(player.played) == 4
    for sound in player.played[:3]:
        assert 4 < sound.seconds < 20  # chime + two complete sentences, never a cut-off file
        assert rms(sound.frames) > 500
    assert player.played[3].seconds < player.played[0].seconds
