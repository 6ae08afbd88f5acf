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
    LETTER_READINGS,
    ClipPack,
    ClipPackError,
    MemoryPlayer,
    ModelMissingError,
    NoVoiceError,
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
    assert call.display == "请A001号到5号窗口"
    assert call.speech == "请 诶零零一 号到五号窗口"  # 一, not 幺; A as people say it, 诶
    assert list(call.tokens) == ["请", "A", "零", "零", "一", "号到", "五", "号窗口"]


@pytest.mark.parametrize(
    "window, spoken, tokens",
    [
        ("12", "十二", ["十", "二"]),
        ("21", "二十一", ["二", "十", "一"]),
        ("10", "十", ["十"]),
        ("100", "一百", ["一", "百"]),
        ("105", "一百零五", ["一", "百", "零", "五"]),
        ("110", "一百一十", ["一", "百", "一", "十"]),
    ],
)
def test_window_numbers_are_read_as_numbers(window, spoken, tokens):
    call = call_sentence("B120", window)
    assert call.speech == f"请 比一二零 号到{spoken}号窗口"
    assert list(call.tokens) == ["请", "B", "一", "二", "零", "号到", *tokens, "号窗口"]


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
    assert texts == [RecorderBackend.CHIME_TEXT] + ["请 西零零七 号到三号窗口"] * 2


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


SENTENCE_CLIPS = ["phrases/qing", "letters/A", "digits/0", "digits/0", "digits/1", "phrases/hao",
                  "phrases/dao", "digits/5", "phrases/hao", "phrases/chuangkou"]


def test_clip_backend_joins_the_expected_clips_in_order():
    player = MemoryPlayer()
    speaker = Speaker(ClipBackend(player=player))
    speaker.say(Announcement("A001", "5"))
    speaker.close()
    [sound] = player.played
    rate, chime, _ = wav_frames(SOUNDS / "chime.wav")
    sentence = sum(wav_frames(SOUNDS / f"{name}.wav")[1] for name in SENTENCE_CLIPS)
    assert sound.framerate == rate
    assert sound.nframes == chime + 2 * sentence + round(PAUSE_SECONDS * rate)
    # the sentence starts right after the chime with the 请 clip, sample for sample
    qing = wav_frames(SOUNDS / "phrases/qing.wav")[2]
    assert sound.frames[chime * 2: chime * 2 + len(qing)] == qing


def test_clip_backend_refuses_english_it_has_no_clips_for():
    speaker = Speaker(ClipBackend(player=MemoryPlayer()))
    with pytest.raises(ValueError, match="en"):
        speaker.say(Announcement("A001", "5", lang="en"))
    speaker.close()


def test_every_clip_of_the_shipped_pack_is_present_audible_and_joinable():
    pack = ClipPack()
    assert {*"ABCDEFGHIJKLMNOPQRSTUVWXYZ", *"零一二三四五六七八九", "十", "百", "请", "号", "到", "窗口",
            "chime"} <= set(pack.clips)
    for text, path in pack.clips.items():
        with wave.open(str(path), "rb") as w:
            assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == pack.format
            seconds = w.getnframes() / w.getframerate()
            assert 0.1 < seconds < 1.6, text
            assert rms(w.readframes(w.getnframes())) > 300, f"{text} is silent"
    assert sum(p.stat().st_size for p in SOUNDS.rglob("*.wav")) < 1_000_000


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
    assert [u.text for u in speaker.backend.utterances][1:] == ["请 诶零零一 号到五号窗口"]


def _pyttsx3_has_mandarin() -> bool:
    try:
        import pyttsx3

        return pick_voice(pyttsx3.init().getProperty("voices")) is not None
    except Exception:
        return False


@pytest.mark.skipif(not _pyttsx3_has_mandarin(), reason="pyttsx3 has no Mandarin voice here")
def test_pyttsx3_speaks_each_call_once_finished_in_a_worker_thread(capfd):
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
    assert "Audio saved" not in capfd.readouterr().out  # the display's console stays readable


@pytest.mark.skipif(not _pyttsx3_has_mandarin(), reason="pyttsx3 has no Mandarin voice here")
def test_pyttsx3_voice_is_chosen_by_id_or_name():
    """Bad input tried: a voice name this machine does not have (Huihui on Linux)."""
    import pyttsx3

    zh = pick_voice(pyttsx3.init().getProperty("voices"))
    speaker = make_speaker("pyttsx3", player=MemoryPlayer(), voice_id=zh.name)
    assert speaker.backend.voice_ids["zh_CN"] == zh.id
    speaker.close()
    if "huihui" not in str(zh.name).lower():
        with pytest.raises(NoVoiceError, match="Huihui"):
            make_speaker("pyttsx3", player=MemoryPlayer(), voice_id="Huihui")


# --- letters, the hall's sentence, volume, length -----------------------------------------

def _phonemes(text: str) -> str:
    import subprocess

    return subprocess.run(["espeak-ng", "-v", "cmn-latn-pinyin", "-q", "-x", text],
                          capture_output=True, text=True, check=True).stdout.strip()


def test_g001_and_j001_differ_in_their_letter_reading_text_and_clips():
    g, j = call_sentence("G001", "5"), call_sentence("J001", "5")
    assert g.speech == "请 吉零零一 号到五号窗口" and j.speech == "请 杰零零一 号到五号窗口"
    assert [a != b for a, b in zip(g.tokens, j.tokens)] == [False, True, False, False, False, False, False, False]
    pack = ClipPack()
    assert pack.sentence(g)[1] != pack.sentence(j)[1]  # letters/G.wav, letters/J.wav
    assert wav_frames(pack.clips["G"])[2] != wav_frames(pack.clips["J"])[2]


@pytest.mark.skipif(espeak_voice("zh_CN") is None, reason="espeak-ng with a Mandarin voice is not installed")
def test_every_letter_reading_sounds_unlike_every_other_letter_and_every_digit():
    """espeak-ng's phonemes: the bare letters G and J both came out as ts.'i/ts.'ei (zhì, zhèi)."""
    assert _phonemes("G") == "ts.'i51_|" and _phonemes("J") == "ts.'ei51_|"  # why the table exists
    letters = {letter: _phonemes(reading) for letter, reading in LETTER_READINGS.items()}
    assert len(set(letters.values())) == 26, letters
    numbers = {_phonemes(w) for w in [*"零一二三四五六七八九", "十", "百"]}
    assert not set(letters.values()) & numbers


def test_the_halls_template_and_letter_readings_are_what_is_said():
    """Bad input tried: templates without {window}, with an unknown field, with a stray brace."""
    call = call_sentence("G012", "3", template="请{number}号到{window}号窗口办理", letters={"g": "鸡"})
    assert call.display == "请G012号到3号窗口办理"
    assert call.speech == "请 鸡零一二 号到三号窗口办理"
    assert list(call.tokens) == ["请", "G", "零", "一", "二", "号到", "三", "号窗口办理"]
    for bad in ("请{number}号", "{number}{window}{clerk}", "请{number号到{window}"):
        with pytest.raises(ValueError, match="template"):
            call_sentence("G012", "3", template=bad)
    speaker = Speaker(RecorderBackend(seconds_per_char=0.001))
    with pytest.raises(ValueError, match="template"):
        speaker.say(Announcement("G012", "3", template="请{number}号"))
    speaker.say(Announcement("G012", "3", repeat=3, template="{number}号请到{window}号窗口"))
    speaker.close()
    assert [u.text for u in speaker.backend.utterances] == ["[chime]"] + ["吉零一二 号请到三号窗口"] * 3


def test_the_hall_file_carries_the_template_to_the_devices():
    """Bad input tried: a hall file whose call sentence has no {window}."""
    from hub.core.config import ConfigError, parse_hall

    text = assets.path("halls", "default.toml").read_text(encoding="utf-8")
    hall = parse_hall(text + '\n[voice]\ncall = "请{number}号到{window}号窗口办理"\nletters = { E = "伊" }\n')
    assert hall.voice.call == "请{number}号到{window}号窗口办理" and hall.voice.letters == {"E": "伊"}
    with pytest.raises(ConfigError, match="window"):
        parse_hall(text + '\n[voice]\ncall = "请{number}号"\n')


def test_volume_scales_the_sound_played():
    """Bad input tried: a volume of 1.5 and of -0.1."""
    loud, soft = MemoryPlayer(), MemoryPlayer()
    for player, volume in ((loud, 1.0), (soft, 0.5)):
        with Speaker(ClipBackend(player=player), volume=volume) as speaker:
            speaker.say(Announcement("A001", "5"))
    ratio = rms(soft.played[0].frames) / rms(loud.played[0].frames)
    assert 0.49 < ratio < 0.51
    for bad in (1.5, -0.1):
        with pytest.raises(ValueError, match="volume"):
            Speaker(RecorderBackend(), volume=bad)


def _default_prefixes() -> list[str]:
    from hub.core.config import load_hall

    return [z.prefix for z in load_hall(assets.path("halls", "default.toml")).zones]


@pytest.mark.parametrize("engine", ["clips", "espeak"])
def test_a_call_said_twice_lasts_under_8_seconds_for_every_zone_of_the_default_hall(tmp_path, engine):
    """The longest calls of the default hall: its wordiest letters, 零零零 and window 99 (九十九)."""
    if engine == "espeak" and espeak_voice("zh_CN") is None:
        pytest.skip("espeak-ng with a Mandarin voice is not installed")
    lengths = {}
    for prefix in _default_prefixes():
        out = render_wav(Announcement(f"{prefix}000", "99"), tmp_path / f"{prefix}.wav", engine=engine)
        rate, nframes, _ = wav_frames(out)
        lengths[prefix] = nframes / rate
    assert max(lengths.values()) < 8.0, lengths
    assert min(lengths.values()) > 4.0, lengths  # two whole sentences, not clipped


# --- clip packs ----------------------------------------------------------------------------

def _copy_pack(dst: Path) -> Path:
    import shutil

    shutil.copytree(SOUNDS, dst)
    return dst


def test_a_halls_own_clip_pack_is_read_from_its_folder_longest_phrase_first(tmp_path):
    """A hall that recorded "号窗口办理" as one clip gets that clip, not 号 + 窗口 + 办理."""
    pack_dir = _copy_pack(tmp_path / "pack")
    whole = pack_dir / "phrases" / "whole.wav"
    join_parts = [pack_dir / "phrases" / "hao.wav", 0.05, pack_dir / "phrases" / "chuangkou.wav"]
    from hardware.voice.clips import join_wavs

    join_wavs(join_parts, whole)
    manifest = pack_dir / "manifest.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + '"号窗口办理" = "phrases/whole.wav"\n',
                        encoding="utf-8")
    pack = ClipPack(pack_dir)
    parts = pack.sentence(call_sentence("A001", "5", template="请{number}号到{window}号窗口办理"))
    assert parts[-1] == whole and parts[0] == pack_dir / "phrases" / "qing.wav"


def test_a_clip_pack_that_lacks_a_word_is_refused_with_the_word_named(tmp_path):
    """Bad input tried: a template word the pack has no clip for, a pack without manifest,
    a pack with a missing letter, a clip at another sample rate."""
    player = MemoryPlayer()
    speaker = Speaker(ClipBackend(player=player))
    with pytest.raises(ValueError, match="取件"):
        speaker.say(Announcement("A001", "5", template="请{number}号到{window}号窗口取件"))
    speaker.say(Announcement("A001", "5"))
    speaker.close()
    assert len(player.played) == 1

    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ClipPackError, match="manifest.toml"):
        ClipPack(empty)
    pack_dir = _copy_pack(tmp_path / "pack")
    (pack_dir / "letters" / "Q.wav").unlink()
    with pytest.raises(ClipPackError, match="Q.wav"):
        ClipPack(pack_dir)
    pack_dir = _copy_pack(tmp_path / "pack2")
    with wave.open(str(pack_dir / "digits" / "7.wav"), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000), w.writeframes(b"\x10\x10" * 8000)
    with pytest.raises(ClipPackError, match="7.wav"):
        ClipPack(pack_dir)


def test_make_speaker_reads_a_clip_pack_from_a_folder(tmp_path):
    pack_dir = _copy_pack(tmp_path / "pack")
    player = MemoryPlayer()
    speaker = make_speaker("clips", player=player, clips=pack_dir)
    assert speaker.backend.pack.directory == pack_dir
    speaker.say(Announcement("A001", "5", repeat=1))
    speaker.close()
    assert len(player.played) == 1


# --- other sentences (the kiosk) ------------------------------------------------------------

def test_say_text_says_a_sentence_without_the_chime_in_turn_with_calls():
    """Bad input tried: an empty sentence."""
    speaker = Speaker(RecorderBackend(seconds_per_char=0.001))
    speaker.say(Announcement("A001", "5", repeat=1))
    speaker.say_text("您的号码是 诶零零一，请到综合服务区等候")
    with pytest.raises(ValueError, match="empty"):
        speaker.say_text("  ")
    speaker.close()
    assert [u.text for u in speaker.backend.utterances] == [
        "[chime]", "请 诶零零一 号到五号窗口", "您的号码是 诶零零一，请到综合服务区等候"]


def test_a_clip_pack_says_only_the_sentences_it_has_clips_for():
    """Bad input tried: a sentence with words the shipped pack never recorded."""
    player = MemoryPlayer()
    speaker = Speaker(ClipBackend(player=player))
    speaker.say_text("请到五号窗口")  # 请 到 五 号 窗口: all recorded
    with pytest.raises(ValueError, match="综合服务区"):
        speaker.say_text("请到综合服务区等候")
    speaker.close()
    [sound] = player.played
    pack = ClipPack()
    words = sum(wav_frames(pack.clips[w])[1] for w in ("请", "到", "五", "号", "窗口"))
    assert sound.nframes == words  # no chime before a sentence that is not a call


# --- natural voices -------------------------------------------------------------------------

def test_a_model_voice_that_is_not_there_says_what_is_missing(tmp_path, monkeypatch):
    """Bad input tried: no model configured, a path that does not exist, a piper model without
    its .json, a folder without tokens.txt; nothing is downloaded, and auto falls back."""
    monkeypatch.delenv("HALLQ_VOICE_MODEL", raising=False)
    with pytest.raises(ModelMissingError, match="--voice-model"):
        make_speaker("piper")
    with pytest.raises(ModelMissingError, match="never downloads"):
        make_speaker("piper", model=tmp_path / "zh_CN-huayan-medium.onnx")
    onnx = tmp_path / "zh_CN-huayan-medium.onnx"
    onnx.write_bytes(b"not really a model")
    with pytest.raises(ModelMissingError, match=r"zh_CN-huayan-medium\.onnx\.json"):
        make_speaker("piper", model=onnx)
    (tmp_path / "vits").mkdir()
    with pytest.raises(ModelMissingError, match="tokens.txt"):
        make_speaker("sherpa-onnx", model=tmp_path / "vits")
    speaker = make_speaker("auto", player=MemoryPlayer(), model=tmp_path / "missing.onnx")
    assert not isinstance(speaker.backend, RecorderBackend)  # pyttsx3 or the clips took over
    speaker.close()


def test_a_model_voice_needs_its_engine_package(tmp_path):
    """A piper model present but `piper-tts` not installed: a clear message, not an ImportError trace."""
    try:
        import piper  # noqa: F401
        pytest.skip("piper-tts is installed here")
    except ImportError:
        pass
    onnx = tmp_path / "voice.onnx"
    onnx.write_bytes(b"x")
    (tmp_path / "voice.onnx.json").write_text("{}")
    with pytest.raises(ModelMissingError, match="pip install piper-tts"):
        make_speaker("piper", model=onnx)
