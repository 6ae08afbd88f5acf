"""What a call says: the sentence shown, the sentence spoken, and the clip tokens.

Halls read the ticket number character by character (A001 -> "A 零零一", never "一号"),
but the window as a number (12 -> "十二"), because citizens match the first against
the paper in their hand and the second against the sign over the desk.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

LANGUAGES = ("zh_CN", "en")
MAX_NUMBER_LENGTH = 12
MAX_WINDOW = 999  # the clip set has 十 and 百 but no 千
MAX_REPEAT = 5

DIGITS_ZH = "零一二三四五六七八九"  # 1 is 一, not the radio-style 幺


@dataclass(frozen=True)
class Announcement:
    """One call to speak; `window` is the label over the desk, e.g. "5" for 5号窗口."""

    number: str
    window: str
    repeat: int = 2
    lang: str = "zh_CN"


@dataclass(frozen=True)
class SpokenCall:
    display: str  # for screens and logs
    speech: str  # for a text-to-speech engine
    tokens: tuple[str, ...]  # for the clip fallback; empty where no clips exist (English)
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


def number_tokens_zh(n: int) -> list[str]:
    """1..999 as spoken: 12 -> ["shi", "2"], 21 -> ["2", "shi", "1"], 105 -> ["1", "bai", "0", "5"]."""
    hundreds, tens, ones = n // 100, n // 10 % 10, n % 10
    out: list[str] = []
    if hundreds:
        out += [str(hundreds), "bai"]
    if tens:
        # 十二 alone, but 一百一十二 once hundreds are spoken
        out += (["shi"] if tens == 1 and not hundreds else [str(tens), "shi"])
    elif hundreds and ones:
        out.append("0")
    if ones or not out:
        out.append(str(ones))
    return out


_TOKEN_ZH = {"shi": "十", "bai": "百", **{str(d): DIGITS_ZH[d] for d in range(10)}}


def call_sentence(number: str, window: str, lang: str = "zh_CN") -> SpokenCall:
    """Raises ValueError naming the bad part when the call cannot be read aloud."""
    lang = normalise_lang(lang)
    num = ticket_number(number)
    win = window_number(window)
    label = str(win)
    if lang == "en":
        spelled = " ".join(num)
        return SpokenCall(
            display=f"Number {num}, please go to window {label}",
            speech=f"Number {spelled}, please go to window {label}",
            tokens=(),
            lang=lang,
        )
    num_tokens = list(num)
    win_tokens = number_tokens_zh(win)
    num_spoken = "".join(DIGITS_ZH[int(c)] if c.isdigit() else c for c in num)
    win_spoken = "".join(_TOKEN_ZH[t] for t in win_tokens)
    return SpokenCall(
        display=f"请{num}号到{label}号窗口办理",
        speech=f"请 {num_spoken} 号 到 {win_spoken} 号窗口 办理",
        tokens=("qing", *num_tokens, "hao", "dao", *win_tokens, "hao", "chuangkou", "banli"),
        lang=lang,
    )
