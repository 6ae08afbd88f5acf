"""What a call says: the sentence shown, the sentence spoken, and the clip tokens.

Halls read the ticket number character by character (A001 -> "A 零零一", never "一号"),
but the window as a number (12 -> "十二"), because citizens match the first against
the paper in their hand and the second against the sign over the desk.

Letters are spoken through LETTER_READINGS, the way people in a Chinese hall say them
(G 吉, J 杰), written in characters every Mandarin voice reads the same way: a bare "G"
is read "zhì" and "J" "zhèi" by espeak-ng's Mandarin voice, so G001 and J001 sounded alike.
"""
from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass
from typing import Mapping

LANGUAGES = ("zh_CN", "en")
MAX_NUMBER_LENGTH = 12
MAX_WINDOW = 999  # the clip set has 十 and 百 but no 千
MAX_REPEAT = 5

DIGITS_ZH = "零一二三四五六七八九"  # 1 is 一, not the radio-style 幺

# The common Chinese names of the Latin letters. Each differs from every other and from every
# digit (tests/test_tts.py checks espeak-ng's phonemes); E is 意 (yì), not 伊, which is 一.
LETTER_READINGS: dict[str, str] = {
    "A": "诶", "B": "比", "C": "西", "D": "迪", "E": "意", "F": "艾弗", "G": "吉",
    "H": "艾尺", "I": "艾", "J": "杰", "K": "开", "L": "艾勒", "M": "艾姆", "N": "恩",
    "O": "欧", "P": "批", "Q": "丘", "R": "阿尔", "S": "艾丝", "T": "提", "U": "优",
    "V": "维", "W": "达不溜", "X": "艾克斯", "Y": "歪", "Z": "贼",
}

DEFAULT_TEMPLATE = "请{number}号到{window}号窗口"  # 办理 fits too, but not under 8 s for every number
DEFAULT_TEMPLATE_EN = "Number {number}, please go to window {window}"
FIELDS = ("number", "window")


@dataclass(frozen=True)
class Announcement:
    """One call to speak; `window` is the label over the desk, e.g. "5" for 5号窗口.

    `template` is the hall's call sentence (hall file [voice] call), `letters` its own
    readings for some letters; None means the defaults above."""

    number: str
    window: str
    repeat: int = 2
    lang: str = "zh_CN"
    template: str | None = None
    letters: Mapping[str, str] | None = None


@dataclass(frozen=True)
class SpokenCall:
    display: str  # for screens and logs
    speech: str  # for a text-to-speech engine
    tokens: tuple[str, ...]  # for a clip pack: letters, digits 零..九, 十, 百 and phrase text; () in English
    lang: str


def normalise_lang(lang: str) -> str:
    key = str(lang).replace("-", "_").strip().lower()
    if key in ("zh", "zh_cn", "zh_hans", "zh_hans_cn"):
        return "zh_CN"
    if key == "en" or key.startswith("en_"):
        return "en"
    raise ValueError(f"language {lang!r} is not supported for calls; use one of {LANGUAGES}")


def check_repeat(repeat: object) -> int:
    if isinstance(repeat, bool) or not isinstance(repeat, int) or not 1 <= repeat <= MAX_REPEAT:
        raise ValueError(f"repeat must be a whole number from 1 to {MAX_REPEAT}, got {repeat!r}")
    return repeat


def check_template(template: str) -> str:
    """The template, if it names {number} and {window} once each and nothing else."""
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as e:
        raise ValueError(f"call template {template!r} is malformed: {e}") from None
    if sorted(names) != sorted(FIELDS):
        raise ValueError(
            f"call template {template!r} must contain {{number}} and {{window}} once each, "
            f"e.g. {DEFAULT_TEMPLATE!r}"
        )
    return template


def ticket_number(number: object) -> str:
    """The number as printed, upper-cased; fullwidth Ａ００１ from an IME is accepted."""
    text = unicodedata.normalize("NFKC", str(number)).strip().upper()
    if not text:
        raise ValueError("ticket number is empty; nothing to call")
    for ch in text:
        if not (ch.isascii() and ch.isalnum()):
            raise ValueError(
                f"ticket number {number!r} has {ch!r}, which cannot be read aloud; "
                "use letters A-Z and digits 0-9"
            )
    if len(text) > MAX_NUMBER_LENGTH:
        raise ValueError(f"ticket number {number!r} is longer than {MAX_NUMBER_LENGTH} characters")
    return text


def window_number(window: object) -> int:
    text = unicodedata.normalize("NFKC", str(window)).strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_WINDOW:
        raise ValueError(f"window {window!r} must be a number from 1 to {MAX_WINDOW}")
    return int(text)


def number_words_zh(n: int) -> list[str]:
    """1..999 as spoken: 12 -> ["十", "二"], 21 -> ["二", "十", "一"], 105 -> ["一", "百", "零", "五"]."""
    hundreds, tens, ones = n // 100, n // 10 % 10, n % 10
    out: list[str] = []
    if hundreds:
        out += [DIGITS_ZH[hundreds], "百"]
    if tens:
        # 十二 alone, but 一百一十二 once hundreds are spoken
        out += (["十"] if tens == 1 and not hundreds else [DIGITS_ZH[tens], "十"])
    elif hundreds and ones:
        out.append("零")
    if ones or not out:
        out.append(DIGITS_ZH[ones])
    return out


def letter_readings(overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    readings = dict(LETTER_READINGS)
    for letter, reading in (overrides or {}).items():
        key = str(letter).strip().upper()
        if key not in readings or not str(reading).strip():
            raise ValueError(f"letter reading {letter!r} = {reading!r}: give a letter A-Z and some text")
        readings[key] = str(reading).strip()
    return readings


def number_speech(number: str, lang: str = "zh_CN", letters: Mapping[str, str] | None = None) -> str:
    """G001 -> "吉零零一": the letter by the hall's reading table, digits one by one; English spells it.
    Calls and the kiosk's "您的号码是 …" both read a number this way, so they sound the same."""
    num = ticket_number(number)
    if normalise_lang(lang) == "en":
        return " ".join(num)
    readings = letter_readings(letters)
    return "".join(DIGITS_ZH[int(c)] if c.isdigit() else readings.get(c, c) for c in num)


def call_sentence(number: str, window: str, lang: str = "zh_CN", template: str | None = None,
                  letters: Mapping[str, str] | None = None) -> SpokenCall:
    """Raises ValueError naming the bad part when the call cannot be read aloud."""
    lang = normalise_lang(lang)
    num = ticket_number(number)
    win = window_number(window)
    label = str(win)
    if lang == "en":
        template = check_template(template or DEFAULT_TEMPLATE_EN)
        return SpokenCall(
            display=template.format(number=num, window=label),
            speech=template.format(number=number_speech(num, lang), window=label),
            tokens=(),
            lang=lang,
        )
    template = check_template(template or DEFAULT_TEMPLATE)
    num_tokens = [DIGITS_ZH[int(c)] if c.isdigit() else c for c in num]
    win_tokens = number_words_zh(win)
    spoken = {
        "number": " " + number_speech(num, lang, letters) + " ",
        "window": "".join(win_tokens),
    }
    tokens: list[str] = []
    for literal, field, _, _ in string.Formatter().parse(template):
        if literal.strip():
            tokens.append(literal.strip())
        if field:
            tokens += num_tokens if field == "number" else win_tokens
    return SpokenCall(
        display=template.format(number=num, window=label),
        speech=re.sub(r"\s+", " ", template.format(**spoken)).strip(),
        tokens=tuple(tokens),
        lang=lang,
    )
