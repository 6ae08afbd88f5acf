"""The queue ticket: a plain data object, its layout (defined once, below) and its ESC/POS bytes.

Chinese text is sent as raw GB18030 after FS & (the printer's Chinese mode). python-escpos's
`text()` does encode strings holding CJK ideographs as GB18030, but without FS &, and it sends
strings of only CJK punctuation (e.g. "【】") through its single-byte code pages, where they
become "?". So text goes through `_raw`; python-escpos does the styles, the QR and the cut.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from escpos.constants import FS, QR_ECLEVEL_M
from escpos.printer import Dummy

__all__ = [
    "LABELS_EN", "LABELS_ZH", "PAPER_DOTS", "ROWS", "Row", "TicketPrint", "encode_text",
    "render_ticket", "text_dots", "wrap_text",
]

# Printable dots per line by paper width in mm, at 203 dpi: 48 half-width or 24 Chinese
# characters at size 1 on 80 mm paper, 32 or 16 on 58 mm.
PAPER_DOTS = {80: 576, 58: 384}
HALF_DOTS = 12  # one half-width cell of font A (12 x 24 dots); a Chinese character takes two
QR_MODULE_DOTS = 6
MAX_QR_BYTES = 256  # keeps the code at version 12 or less: 65 modules a side
MAX_QR_MODULES = 65
CHINESE_MODE_ON = FS + b"&"

LABELS_ZH = {
    "ahead": "前面还有 {n} 人等候",
    "time": "取号时间：{time}",
    "scan": "扫码查看排队进度",
    "priority": "绿色通道",
    "appointment": "预约",
}
LABELS_EN = {
    "ahead": "People ahead of you: {n}",
    "time": "Issued {time}",
    "scan": "Scan to follow the queue",
    "priority": "Priority lane",
    "appointment": "Appointment",
}


@dataclass(frozen=True)
class Row:
    """One row of the layout: `text` is formatted with the ticket's fields and its labels."""
    kind: str  # text | rule | feed | qr | notes | cut
    text: str = ""
    align: str = "center"
    width: int = 1
    height: int = 1
    bold: bool = False
    invert: bool = False
    when: str | None = None  # a TicketPrint flag that must be true for the row to print


# The ticket's layout, top to bottom. Change the ticket here and nowhere else.
ROWS: tuple[Row, ...] = (
    Row("text", "{hall_name}", height=2, bold=True),
    Row("rule"),
    Row("text", "{zone_name}"),
    Row("text", "{service_name}", height=2, bold=True),
    Row("text", " {priority} ", width=2, height=2, bold=True, invert=True, when="priority"),
    Row("text", "【{appointment}】", height=2, bold=True, when="appointment"),
    Row("text", "{number}", width=4, height=4, bold=True),
    Row("text", "{ahead}", height=2),
    Row("text", "{wait}", when="wait"),
    Row("text", "{time}"),
    Row("feed"),
    Row("qr", "{qr_url}"),
    Row("text", "{scan}"),
    Row("notes", align="left"),
    Row("rule"),
    Row("text", "{hint}", bold=True),
    Row("cut"),
)


def _check_text(name: str, value: object, *, required: bool = False) -> str:
    if not isinstance(value, str):
        raise ValueError(f"ticket field {name} must be text, got {type(value).__name__}")
    if required and not value.strip():
        raise ValueError(f"ticket field {name} is empty")
    bad = [c for c in value if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co")]
    if bad:
        # A control byte in printed text would be obeyed by the printer as a command.
        raise ValueError(f"ticket field {name} holds a control character {bad[0]!r}")
    return value


def encode_text(text: str) -> bytes:
    return text.encode("gb18030")


def text_dots(text: str, width: int = 1) -> int:
    """Width on paper: a GB18030 single byte prints half-width, anything longer full-width."""
    return sum(HALF_DOTS * width * (1 if len(encode_text(c)) == 1 else 2) for c in text)


def wrap_text(text: str, width: int = 1, line_dots: int = PAPER_DOTS[80]) -> list[str]:
    """Lines that each fit the paper. The printer itself would break anywhere, cutting English
    words in two; here a line breaks at its last space when it has one."""
    lines: list[str] = []
    while text_dots(text, width) > line_dots:
        cut, used = 0, 0
        while used + text_dots(text[cut], width) <= line_dots:
            used += text_dots(text[cut], width)
            cut += 1
        space = text.rfind(" ", 1, cut + 1)
        if space > 0:
            lines.append(text[:space].rstrip())
            text = text[space + 1:].lstrip()
        else:
            lines.append(text[:cut])
            text = text[cut:]
    return [*lines, text]


@dataclass(frozen=True)
class TicketPrint:
    """What goes on one ticket, already in words; the printer gives it no meaning."""
    hall_name: str
    zone_name: str
    service_name: str
    number: str
    ahead: int
    issued_at: str
    qr_url: str
    hint: str = "请留意叫号，过号需重新排队"
    labels: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    priority: bool = False
    appointment: bool = False
    wait: str = ""  # the estimated wait in words, e.g. 预计等候约 20-30 分钟

    def __post_init__(self) -> None:
        for name in ("hall_name", "service_name", "number", "issued_at", "qr_url"):
            _check_text(name, getattr(self, name), required=True)
        _check_text("zone_name", self.zone_name)
        _check_text("hint", self.hint)
        _check_text("wait", self.wait)
        if isinstance(self.ahead, bool) or not isinstance(self.ahead, int) or self.ahead < 0:
            raise ValueError(f"ticket field ahead must be a whole number >= 0, got {self.ahead!r}")
        if text_dots(self.number, 4) > max(PAPER_DOTS.values()):
            raise ValueError(f"ticket number {self.number!r} is too long to print in large size")
        if len(self.qr_url.encode("utf-8")) > MAX_QR_BYTES:
            raise ValueError(f"qr_url is longer than {MAX_QR_BYTES} bytes")
        if not isinstance(self.notes, (list, tuple)):
            raise ValueError("ticket field notes must be a list of lines")
        for i, line in enumerate(self.notes):
            _check_text(f"notes[{i}]", line)
        unknown = set(self.labels) - set(LABELS_ZH)
        if unknown:
            raise ValueError(f"unknown ticket labels {sorted(unknown)}; known: {sorted(LABELS_ZH)}")
        for key, text in self.labels.items():
            _check_text(f"labels[{key}]", text)
        self.captions()  # a label with a bad placeholder fails here, not halfway through printing

    def captions(self) -> dict[str, str]:
        labels = {**LABELS_ZH, **self.labels}
        try:
            return {
                "ahead": labels["ahead"].format(n=self.ahead),
                "time": labels["time"].format(time=self.issued_at),
                "scan": labels["scan"].format(),
                "priority": labels["priority"].format(),
                "appointment": labels["appointment"].format(),
            }
        except (KeyError, IndexError, ValueError) as e:
            raise ValueError(
                f"a ticket label has a placeholder it cannot fill ({e!r}); "
                "ahead may use {n}, time may use {time}, the others none") from None


def render_ticket(t: TicketPrint, profile=None, paper_dots: int = PAPER_DOTS[80]) -> bytes:
    """The whole ticket as ESC/POS bytes for paper `paper_dots` wide, built before anything is
    sent to a printer."""
    if text_dots(t.number, 4) > paper_dots:
        raise ValueError(f"ticket number {t.number!r} is too long to print in large size "
                         f"on paper {paper_dots} dots wide")
    # the largest code the ticket allows must still fit across the paper
    qr_module = min(QR_MODULE_DOTS, paper_dots // MAX_QR_MODULES)
    p = Dummy()
    if profile is not None:
        # assigned, not passed: python-escpos 3.1's get_profile() rejects a profile object
        p.profile = profile
    p.hw("INIT")
    p._raw(CHINESE_MODE_ON)
    fields = {
        "hall_name": t.hall_name, "zone_name": t.zone_name, "service_name": t.service_name,
        "number": t.number, "issued_at": t.issued_at, "qr_url": t.qr_url, "hint": t.hint, "wait": t.wait,
        **t.captions(),
    }

    def line(text: str, row: Row) -> None:
        p.set(align=row.align, bold=row.bold, invert=row.invert, custom_size=True,
              width=row.width, height=row.height)
        for part in wrap_text(text, row.width, paper_dots):
            p._raw(encode_text(part) + b"\n")

    for row in ROWS:
        if row.when and not getattr(t, row.when):
            continue
        if row.kind == "text":
            text = row.text.format(**fields)
            if text.strip():
                line(text, row)
        elif row.kind == "rule":
            line("-" * (paper_dots // HALF_DOTS), row)
        elif row.kind == "notes":
            for note in t.notes:
                line(note, row)
        elif row.kind == "feed":
            p.print_and_feed(1)
        elif row.kind == "qr":
            p.set(align=row.align)
            # native: the printer draws the code itself, sharp at any size, few bytes on the wire
            p.qr(row.text.format(**fields), native=True, size=qr_module, ec=QR_ECLEVEL_M)
        elif row.kind == "cut":
            p.cut()
        else:
            raise ValueError(f"unknown layout row kind {row.kind!r}")
    return p.output
