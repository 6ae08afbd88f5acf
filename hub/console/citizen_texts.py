"""Strings for the citizen's pages, the 好差评 evaluation and the reports (zh_CN, English).

Reasons are stored as codes in the evaluation, so reports and the evaluator can show them in
either language; the error messages join the hub's catalogue like the console's do.
"""
from __future__ import annotations

from ..messages import MESSAGES

from ..core.vocabulary import BAD_SCORE_MAX, RATING_SCORES

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

MESSAGES_ADDED: dict[str, tuple[str, str]] = {
    "EVALUATION_REASON": ("评价原因无效：{reason}", "Unknown evaluation reason: {reason}"),
    "EVALUATION_NOT_FOUND": ("{ticket} 号还没有评价", "Ticket {ticket} has not been rated"),
    "FOLLOWUP_STATE": ("跟进状态只能是 待处理 / 已处理 / 已整改", "Follow-up state must be open, handled or rectified"),
    "REPORT_DATE": ("日期格式应为 年-月-日，例如 2026-11-23", "Dates must look like 2026-11-23"),
    "REPORT_RANGE_ORDER": ("开始日期不能晚于结束日期", "The start date is after the end date"),
    "REPORT_RANGE_LONG": ("一次最多统计 {days} 天", "At most {days} days at a time"),
}

for _code, _texts in MESSAGES_ADDED.items():
    MESSAGES.setdefault(_code, _texts)


def reason_label(code: str, lang: str = "zh") -> str:
    pair = GOOD_REASONS.get(code) or BAD_REASONS.get(code)
    if pair is None:
        return code
    return pair[1] if lang == "en" else pair[0]


def options() -> dict:
    """What a rating screen offers, for the phone page and the window's evaluator."""
    def listed(d: dict) -> list[dict]:
        return [{"code": k, "zh": zh, "en": en} for k, (zh, en) in d.items()]

    return {
        "scores": [{"score": s, "zh": zh, "en": en, "bad": s <= BAD_SCORE_MAX} for s, (zh, en) in RATING_SCORES.items()],
        "reasons": {"good": listed(GOOD_REASONS), "bad": listed(BAD_REASONS)},
        "bad_score_max": BAD_SCORE_MAX,
    }
