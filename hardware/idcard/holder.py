"""CardHolder: what the reader hands the kiosk about a card.

The kiosk sends the ID number to the hub (over TLS), which masks and hashes it with the hall's key;
here it is only carried, never shown: repr, str and logs see the masked form.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .text import CardText, mask_id


@dataclass(frozen=True, slots=True)
class CardHolder:
    name: str
    sex: str  # "M" or "F"
    birth_date: date
    id_masked: str  # e.g. 110***********1234
    id_number: str = field(repr=False)  # for the hub only; compare and send it, never print or log it

    @classmethod
    def from_card(cls, card: CardText) -> CardHolder:
        return cls(name=card.name, sex=card.sex, birth_date=card.birth_date,
                   id_masked=mask_id(card.id_number), id_number=card.id_number)
