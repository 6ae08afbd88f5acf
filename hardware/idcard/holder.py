"""CardHolder: what the rest of HallQ may know about a card, without the ID number."""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date

from .text import CardText, mask_id

MIN_SALT_BYTES = 16


def check_salt(salt: bytes) -> bytes:
    # A short or empty salt would make the hash a lookup table away from the number.
    if not isinstance(salt, (bytes, bytearray)) or len(salt) < MIN_SALT_BYTES:
        raise ValueError(f"salt must be at least {MIN_SALT_BYTES} bytes (use secrets.token_bytes(32))")
    return bytes(salt)


def hash_id(id_number: str, salt: bytes) -> str:
    return hmac.new(check_salt(salt), id_number.upper().encode("ascii"), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class CardHolder:
    name: str
    sex: str  # "M" or "F"
    birth_date: date
    id_masked: str  # e.g. 110***********1234
    id_hash: str  # HMAC-SHA256(hall salt, ID number), hex: same person, same hall -> same value

    @classmethod
    def from_card(cls, card: CardText, salt: bytes) -> CardHolder:
        return cls(name=card.name, sex=card.sex, birth_date=card.birth_date,
                   id_masked=mask_id(card.id_number), id_hash=hash_id(card.id_number, salt))
