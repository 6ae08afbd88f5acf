"""好差评 rules beyond the scores (in vocabulary): the reason chips a rating may carry and the
manager's follow-up states of a 差评. Reasons are stored as codes, so every screen and report
can show them in either language."""
from __future__ import annotations

from .errors import invalid

GOOD_REASONS: dict[str, tuple[str, str]] = {
    "warm": ("热情周到", "Warm and attentive"),
    "efficient": ("办事高效", "Quick and efficient"),
    "told_once": ("一次性告知清楚", "Told everything at once"),
    "professional": ("业务熟练", "Knowledgeable"),
    "short_wait": ("等候时间短", "Short wait"),
}

BAD_REASONS: dict[str, tuple[str, str]] = {
    "attitude": ("态度不好", "Unfriendly attitude"),
    "long_wait": ("等候太久", "Waited too long"),
    "not_told_once": ("一次性告知不到位", "Not told everything at once"),
    "slow": ("办理效率低", "Slow service"),
    "unclear_materials": ("材料要求不清", "Unclear document requirements"),
}

FOLLOWUP_STATES: dict[str, tuple[str, str]] = {
    "open": ("待处理", "Open"),
    "handled": ("已处理", "Handled"),
    "rectified": ("已整改", "Rectified"),
}


def checked_reasons(reasons: list[str]) -> list[str]:
    """The reasons once each, in the order given; an unknown code is refused by name."""
    unique = list(dict.fromkeys(reasons))
    unknown = [r for r in unique if r not in GOOD_REASONS and r not in BAD_REASONS]
    if unknown:
        raise invalid("EVALUATION_REASON", reason=unknown[0])
    return unique


def reason_label(code: str, lang: str = "zh") -> str:
    pair = GOOD_REASONS.get(code) or BAD_REASONS.get(code)
    if pair is None:
        return code
    return pair[1] if lang == "en" else pair[0]
