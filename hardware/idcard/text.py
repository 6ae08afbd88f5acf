"""The base-info block of a resident ID card, and the ID number's check digit.

Data of a READ_BASE_INFO response: text length (2 bytes BE), photo length (2 bytes BE),
256 bytes of fixed-width UCS-2LE text padded with spaces, then the photo (WLT, opaque).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .codec import ReaderError

TEXT_LENGTH = 256
# (field, width in bytes), in card order; widths sum to 256.
LAYOUT = (
    ("name", 30), ("sex", 2), ("nation", 4), ("birth", 16), ("address", 70),
    ("id_number", 36), ("issuer", 30), ("valid_from", 16), ("valid_to", 16), ("reserved", 36),
)
LONG_TERM = "长期"  # valid_to of cards that never expire
_SEX_CODES = {"1": "M", "2": "F"}
_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]


class CardDataError(ReaderError):
    """The card answered, but what it says is not a valid ID card."""

    def __init__(self, message: str):
        super().__init__(message, code="invalid_card")


def mask_id(id_number: str) -> str:
    return id_number[:3] + "*" * (len(id_number) - 7) + id_number[-4:]


def id_check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("need exactly 17 ASCII digits")
    value = (12 - sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11) % 11
    return "X" if value == 10 else str(value)


def check_id_number(id_number: str) -> str:
    """Return the number (upper-case X) or raise CardDataError; messages show only the masked form."""
    number = id_number.upper()
    if len(number) != 18:
        raise CardDataError(f"ID number has {len(number)} characters, expected 18")
    body, check = number[:17], number[17]
    if not (body.isascii() and body.isdigit()) or check not in "0123456789X":
        raise CardDataError(f"ID number {mask_id(number)} contains invalid characters")
    if id_check_digit(body) != check:
        raise CardDataError(f"ID number {mask_id(number)} has a wrong check digit")
    return number


def make_id_number(region: str = "110101", birth: date = date(1955, 3, 2),
                   seq: str | None = None, sex: str = "M") -> str:
    """A well-formed (fictitious) 18-character ID number, for tests and demos."""
    if sex not in ("M", "F"):
        raise ValueError(f"sex must be 'M' or 'F', got {sex!r}")
    seq = seq if seq is not None else ("123" if sex == "M" else "124")
    if len(region) != 6 or not region.isdigit() or len(seq) != 3 or not seq.isdigit():
        raise ValueError("region must be 6 digits and seq 3 digits")
    if (int(seq[-1]) % 2 == 1) != (sex == "M"):
        raise ValueError(f"seq {seq!r} ends in a digit whose parity says the other sex")
    first17 = region + birth.strftime("%Y%m%d") + seq
    return first17 + id_check_digit(first17)


@dataclass(frozen=True)
class CardText:
    """Everything printed on the card. Holds the full ID number: never let it leave hardware/."""

    name: str
    sex: str  # "M" or "F"
    nation_code: str
    birth_date: date
    address: str = field(repr=False)
    id_number: str = field(repr=False)
    issuer: str
    valid_from: date
    valid_to: date | None  # None: long-term (长期)
    photo: bytes = field(repr=False)


def _date(value: str, what: str) -> date:
    if len(value) != 8 or not value.isascii() or not value.isdigit():
        raise CardDataError(f"{what} {value!r} is not 8 digits (YYYYMMDD)")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise CardDataError(f"{what} {value!r} is not a real date") from None


def _split_text(text: bytes) -> dict[str, str]:
    fields, pos = {}, 0
    for name, width in LAYOUT:
        try:
            value = text[pos:pos + width].decode("utf-16-le")
        except UnicodeDecodeError:
            raise CardDataError(f"card field {name} is not valid UCS-2LE text") from None
        fields[name] = value.rstrip(" \x00")
        pos += width
    return fields


def parse_base_info(data: bytes) -> CardText:
    if len(data) < 4:
        raise CardDataError(f"base info is {len(data)} bytes, too short for its length fields")
    text_len = int.from_bytes(data[0:2], "big")
    photo_len = int.from_bytes(data[2:4], "big")
    if text_len != TEXT_LENGTH:
        raise CardDataError(f"base info text is {text_len} bytes, expected {TEXT_LENGTH}")
    if len(data) != 4 + text_len + photo_len:
        raise CardDataError(
            f"base info is {len(data)} bytes, but its length fields announce {4 + text_len + photo_len}")
    f = _split_text(data[4:4 + text_len])
    if not f["name"]:
        raise CardDataError("card has an empty name")
    if f["sex"] not in _SEX_CODES:
        raise CardDataError(f"sex code {f['sex']!r} is neither '1' (male) nor '2' (female)")
    sex = _SEX_CODES[f["sex"]]
    birth = _date(f["birth"], "birth date")
    number = check_id_number(f["id_number"])
    if number[6:14] != f["birth"]:
        raise CardDataError(f"birth date {birth.isoformat()} does not match ID number {mask_id(number)}")
    if (int(number[16]) % 2 == 1) != (sex == "M"):
        raise CardDataError(f"sex does not match ID number {mask_id(number)}")
    valid_to = None if f["valid_to"] == LONG_TERM else _date(f["valid_to"], "valid-to date")
    return CardText(
        name=f["name"], sex=sex, nation_code=f["nation"], birth_date=birth, address=f["address"],
        id_number=number, issuer=f["issuer"], valid_from=_date(f["valid_from"], "valid-from date"),
        valid_to=valid_to, photo=bytes(data[4 + text_len:]),
    )


def _field(value: str, width: int, what: str) -> bytes:
    raw = value.encode("utf-16-le")
    if len(raw) > width:
        raise ValueError(f"{what} {value!r} does not fit in {width} bytes")
    return raw + " ".encode("utf-16-le") * ((width - len(raw)) // 2)


def build_base_info(*, name: str, sex: str, birth_date: date, id_number: str,
                    address: str = "", nation_code: str = "01", issuer: str = "",
                    valid_from: date = date(2020, 1, 1), valid_to: date | None = None,
                    photo: bytes = bytes(1024)) -> bytes:
    """Encode card text as a reader would send it (no validation: tests need bad cards too)."""
    sex_code = {"M": "1", "F": "2"}.get(sex, sex)
    values = {
        "name": name, "sex": sex_code, "nation": nation_code, "birth": birth_date.strftime("%Y%m%d"),
        "address": address, "id_number": id_number, "issuer": issuer,
        "valid_from": valid_from.strftime("%Y%m%d"),
        "valid_to": LONG_TERM if valid_to is None else valid_to.strftime("%Y%m%d"), "reserved": "",
    }
    text = b"".join(_field(values[n], w, n) for n, w in LAYOUT)
    return TEXT_LENGTH.to_bytes(2, "big") + len(photo).to_bytes(2, "big") + text + photo
