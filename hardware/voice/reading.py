"""A ticket number inside a sentence that is not a call (the kiosk's "您的号码是 …"), read the way
calls read it, so what the kiosk says matches what the hall display will say later."""
from __future__ import annotations

from collections.abc import Mapping

from .speech import DIGITS_ZH, letter_readings, normalise_lang, ticket_number


def number_speech(number: str, lang: str = "zh_CN", letters: Mapping[str, str] | None = None) -> str:
    """G001 -> "吉零零一" (the letter by the hall's reading table, digits one by one, as
    speech.call_sentence reads them); English spells it."""
    num = ticket_number(number)
    if normalise_lang(lang) == "en":
        return " ".join(num)
    readings = letter_readings(letters)
    return "".join(DIGITS_ZH[int(c)] if c.isdigit() else readings.get(c.upper(), c) for c in num)
