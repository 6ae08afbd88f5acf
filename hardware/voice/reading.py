"""A ticket number inside a sentence that is not a call (the kiosk's "您的号码是 …"), read the way
calls read it, so what the kiosk says matches what the hall display will say later."""
from __future__ import annotations

from .speech import DIGITS_ZH, normalise_lang, ticket_number


def number_speech(number: str, lang: str = "zh_CN") -> str:
    """A001 -> "A零零一" (digits one by one, as speech.call_sentence reads them); English spells it."""
    num = ticket_number(number)
    if normalise_lang(lang) == "en":
        return " ".join(num)
    return "".join(DIGITS_ZH[int(c)] if c.isdigit() else c for c in num)
