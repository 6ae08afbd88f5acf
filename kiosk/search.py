"""Finding a service from what a citizen can type: Chinese words, keywords, pinyin or its initials.

On a touch kiosk without a Chinese input method the letter keys are the main way in, so
"sbk" (she-bao-ka) must find 社保卡申领 just as "社保" does.
"""
from __future__ import annotations

from dataclasses import dataclass

from pypinyin import lazy_pinyin


def _pinyin(text: str) -> tuple[str, str]:
    syllables = [s.lower() for s in lazy_pinyin(text, errors="ignore")]
    return "".join(syllables), "".join(s[0] for s in syllables if s)


@dataclass(frozen=True)
class _Entry:
    service: dict
    texts: tuple[str, ...]      # Chinese and English names and keywords, lower case
    full: tuple[str, ...]       # full pinyin of each text
    initials: tuple[str, ...]   # pinyin initials of each text


def _entry(service: dict) -> _Entry:
    words = [service.get("name", ""), *service.get("keywords", ())]
    full, initials = zip(*(_pinyin(w) for w in words)) if words else ((), ())
    texts = tuple(t.lower() for t in (*words, service.get("name_en", "")) if t)
    return _Entry(service, texts, tuple(full), tuple(initials))


def normalise(query: str) -> str:
    return "".join(query.split()).lower()


class ServiceIndex:
    def __init__(self, services: list[dict]):
        self._entries = [_entry(s) for s in services]

    def search(self, query: str) -> list[dict]:
        """Best matches first (name before keyword, start before middle); 一件事 bundles lead each tier."""
        q = normalise(query)
        if not q:
            return []
        scored = []
        for order, e in enumerate(self._entries):
            score = _score(e, q)
            if score is not None:
                scored.append((score, 0 if e.service.get("bundle") else 1, order, e.service))
        scored.sort(key=lambda item: item[:3])
        return [item[3] for item in scored]


def _score(e: _Entry, q: str) -> int | None:
    """Lower is better. Pinyin counts from the start of a word (yb: 医保, not 企业变更's qy-b-g),
    except inside a service's own name, and only when three letters or more make it likely."""
    name = e.texts[0] if e.texts else ""
    keywords = e.texts[1:len(e.full)]
    compact = [t.replace(" ", "") for t in e.texts]
    if name.startswith(q):
        return 0
    if q in name:
        return 1
    if any(k.startswith(q) for k in keywords):
        return 2
    if not q.isascii():
        return 3 if any(q in t for t in compact) else None
    if e.full and (e.initials[0].startswith(q) or e.full[0].startswith(q)):
        return 3
    if any(i.startswith(q) for i in e.initials[1:]) or any(f.startswith(q) for f in e.full[1:]):
        return 4
    if any(q in t for t in compact):
        return 5
    if len(q) >= 3 and e.full and (q in e.initials[0] or q in e.full[0]):
        return 6
    return None


def order_services(services: list[dict]) -> list[dict]:
    """Zone listing order: 一件事 bundles first, then the hall file's order."""
    return sorted(services, key=lambda s: 0 if s.get("bundle") else 1)
