"""Sentences a device says that are not calls, e.g. the kiosk telling an elderly citizen the
number just issued and where to go next. The number in them is read as calls read it, so
what the kiosk says matches what the hall display will say later."""
from __future__ import annotations

from dataclasses import dataclass

from .speech import DIGITS_ZH, SpokenCall, check_repeat, normalise_lang, ticket_number

MAX_PROMPT_LENGTH = 200


@dataclass(frozen=True)
class Prompt:
    """`text` may hold "{number}" once, where `number` is read aloud; `window` stays empty (the
    speaker's error log names number and window for calls and prompts alike)."""

    text: str
    number: str = ""
    lang: str = "zh_CN"
    repeat: int = 1
    window: str = ""


def number_speech(number: str, lang: str) -> str:
    """The ticket number as a call reads it (see speech.call_sentence): A001 -> "A零零一"."""
    num = ticket_number(number)
    if normalise_lang(lang) == "en":
        return " ".join(num)
    return "".join(DIGITS_ZH[int(c)] if c.isdigit() else c for c in num)


def prompt_speech(prompt: Prompt) -> SpokenCall:
    """Raises ValueError naming the problem when the prompt cannot be said."""
    lang = normalise_lang(prompt.lang)
    check_repeat(prompt.repeat)
    text = prompt.text.strip()
    if not text or len(text) > MAX_PROMPT_LENGTH:
        raise ValueError(f"a prompt needs 1 to {MAX_PROMPT_LENGTH} characters of text, got {len(text)}")
    if prompt.text.count("{number}") != (1 if prompt.number else 0):
        raise ValueError("a prompt's text holds {number} exactly once when it has a number, else not at all")
    if not prompt.number:
        return SpokenCall(display=text, speech=text, tokens=(), lang=lang)
    num = ticket_number(prompt.number)
    # a clip pack has the letters and digits: a voice of clips alone still says the number
    tokens = tuple(num) if lang == "zh_CN" else ()
    return SpokenCall(display=text.replace("{number}", num),
                      speech=text.replace("{number}", f" {number_speech(num, lang)} "),
                      tokens=tokens, lang=lang)
