"""Terms the hub, the devices and the console share; each is defined here once.

`hub.protocol` re-exports them for the devices, which may not import the core directly.
"""
from __future__ import annotations

from datetime import date

# Why a ticket may go ahead (绿色通道). "senior" is granted only on an ID card's birth date.
PRIORITY_REASONS = ("senior", "elderly", "disabled", "pregnant", "other")
HAND_PRIORITY_REASONS = ("elderly", "disabled", "pregnant", "other")  # chosen by hand at the kiosk

# 好差评: five grades; 1-2 are 差评 and open a follow-up.
RATING_SCORES: dict[int, tuple[str, str]] = {
    5: ("非常满意", "Very satisfied"),
    4: ("满意", "Satisfied"),
    3: ("基本满意", "Fairly satisfied"),
    2: ("不满意", "Dissatisfied"),
    1: ("非常不满意", "Very dissatisfied"),
}
BAD_SCORE_MAX = 2

# Why a clerk calls a chosen number out of the window's order; kept on the call event as its audit.
CALL_REASONS: dict[str, tuple[str, str]] = {
    "returned": ("补齐材料后回来", "Back with the missing papers"),
    "companion": ("与上一位同行一并办理", "Together with the previous citizen"),
    "urgent": ("特殊困难需尽快办理", "Hardship: serve soon"),
    "supervisor": ("值班负责人安排", "Arranged by the duty supervisor"),
    "other": ("其他", "Other"),
}


def age_on(birth: date, today: date) -> int:
    """Full years of age on `today` (a birthday counts from that day on)."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def mask_name(name: str) -> str:
    """张三 -> 张*, 欧阳娜娜 -> 欧***; a one-character name still hides that there is more."""
    name = name.strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}"


# ---- resident ID numbers: the hub masks and hashes them and keeps neither the number nor its hiding places
_ID_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
ID_NUMBER_PATTERN = r"^\d{17}[\dXx]$"


def id_number_valid(number: str) -> bool:
    """18 characters whose last is the ISO 7064 MOD 11-2 check of the first 17, with a real birth date."""
    if len(number) != 18 or not number[:17].isascii() or not number[:17].isdigit():
        return False
    value = (12 - sum(int(d) * w for d, w in zip(number, _ID_WEIGHTS)) % 11) % 11
    if number[17].upper() != ("X" if value == 10 else str(value)):
        return False
    try:
        id_birth_date(number)
    except ValueError:
        return False
    return True


def id_birth_date(number: str) -> date:
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def mask_id(number: str) -> str:
    """110105196107141234 -> 110***********1234, the only form of the number the hub keeps or shows."""
    return number[:3] + "*" * 11 + number[-4:].upper()
