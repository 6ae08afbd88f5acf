"""Reads ESC/POS back into what the paper would show: text lines with their style, QR codes,
feeds and cuts. It covers what python-escpos emits for our tickets and the common text commands;
anything else is an error naming the offset and the bytes (or, with strict=False, an Unknown
element), never a silent guess.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

__all__ = [
    "Cut", "EscposDecodeError", "Feed", "QRCode", "Run", "StatusQuery", "Style", "TextLine",
    "Unknown", "decode_escpos",
]

ESC, FS, GS, DLE = 0x1B, 0x1C, 0x1D, 0x10
_ALIGN = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}
_QR_EC = {48: "L", 49: "M", 50: "Q", 51: "H"}


class EscposDecodeError(ValueError):
    def __init__(self, offset: int, reason: str, data: bytes):
        self.offset, self.reason = offset, reason
        near = data[offset:offset + 8].hex(" ")
        super().__init__(f"ESC/POS not understood at byte {offset} ({near or 'end of data'}): {reason}")


@dataclass(frozen=True)
class Style:
    width: int = 1
    height: int = 1
    bold: bool = False
    underline: int = 0
    invert: bool = False


@dataclass(frozen=True)
class Run:
    text: str
    style: Style
    chinese: bool  # printed in Chinese mode: multi-byte characters take two half-width cells


@dataclass(frozen=True)
class TextLine:
    runs: tuple[Run, ...]
    align: str

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)

    @property
    def width(self) -> int:
        return max(r.style.width for r in self.runs)

    @property
    def height(self) -> int:
        return max(r.style.height for r in self.runs)

    @property
    def bold(self) -> bool:
        return all(r.style.bold for r in self.runs)


@dataclass(frozen=True)
class Feed:
    lines: int = 0
    dots: int = 0


@dataclass(frozen=True)
class QRCode:
    payload: str
    module_size: int
    ec: str
    align: str


@dataclass(frozen=True)
class Cut:
    partial: bool


@dataclass(frozen=True)
class StatusQuery:
    n: int


@dataclass(frozen=True)
class Unknown:
    offset: int
    data: bytes


Element = TextLine | Feed | QRCode | Cut | StatusQuery | Unknown


class _Decoder:
    def __init__(self, data: bytes, strict: bool):
        self.data, self.strict = bytes(data), strict
        self.pos = 0
        self.out: list[Element] = []
        self.reset()
        self.chinese = False
        self.qr = {"size": 3, "ec": "L", "payload": None}

    def reset(self) -> None:
        self.style = Style()
        self.align = "left"
        self.runs: list[Run] = []
        self.pending = bytearray()
        self.line_align: str | None = None

    # -- helpers ------------------------------------------------------------------------
    def need(self, n: int, what: str) -> bytes:
        if self.pos + n > len(self.data):
            raise EscposDecodeError(self.pos, f"{what} is cut short", self.data)
        return self.data[self.pos:self.pos + n]

    def fail(self, reason: str, length: int = 1) -> None:
        if self.strict:
            raise EscposDecodeError(self.pos, reason, self.data)
        self.flush_run()
        self.out.append(Unknown(self.pos, self.data[self.pos:self.pos + length]))
        self.pos += length

    def flush_run(self) -> None:
        if self.pending:
            text = self.pending.decode("gb18030" if self.chinese else "cp437")
            self.runs.append(Run(text, self.style, self.chinese))
            self.pending.clear()

    def set_style(self, **changes) -> None:
        self.flush_run()
        self.style = replace(self.style, **changes)

    def end_line(self, extra_lines: int = 1) -> None:
        self.flush_run()
        if self.runs:
            self.out.append(TextLine(tuple(self.runs), self.line_align or self.align))
            self.runs, self.line_align = [], None
            extra_lines -= 1
        if extra_lines > 0:
            last = self.out[-1] if self.out else None
            if isinstance(last, Feed) and not last.dots:
                self.out[-1] = Feed(last.lines + extra_lines)
            else:
                self.out.append(Feed(extra_lines))

    # -- text ---------------------------------------------------------------------------
    def text_byte(self) -> None:
        b = self.data[self.pos]
        size = 1
        if self.chinese and 0x81 <= b <= 0xFE:
            second = self.need(2, "a GB18030 character")[1]
            size = 4 if 0x30 <= second <= 0x39 else 2
            chunk = self.need(size, "a GB18030 character")
            try:
                chunk.decode("gb18030")
            except UnicodeDecodeError:
                raise EscposDecodeError(self.pos, "bytes are not valid GB18030 text", self.data) from None
        elif self.chinese and b >= 0x80:
            raise EscposDecodeError(self.pos, "bytes are not valid GB18030 text", self.data)
        if not self.runs and not self.pending:
            self.line_align = self.align  # ESC a counts only at the start of a line
        self.pending += self.data[self.pos:self.pos + size]
        self.pos += size

    # -- commands -----------------------------------------------------------------------
    def esc(self) -> None:
        cmd = self.need(2, "ESC command")[1]
        c = chr(cmd)
        if c == "@":
            self.flush_run()
            self.reset()
            self.pos += 2
            return
        if c in "!E-aMtd2J3{GrB":
            if c == "2":
                self.pos += 2
                return
            n = self.need(3, f"ESC {c}")[2]
            self.pos += 3
            if c == "!":
                w, h = (2 if n & 0x20 else 1), (2 if n & 0x10 else 1)
                self.set_style(width=w, height=h, bold=bool(n & 0x08), underline=1 if n & 0x80 else 0)
            elif c in "EG":
                self.set_style(bold=bool(n & 1))
            elif c == "-":
                self.set_style(underline=n % 48 if n >= 48 else n)
            elif c == "a":
                if n not in _ALIGN:
                    self.pos -= 3
                    return self.fail(f"ESC a with unknown alignment {n}", 3)
                self.align = _ALIGN[n]
            elif c == "d":
                self.end_line(n if not (self.runs or self.pending) else max(n, 1))
            elif c == "J":
                self.end_line(1 if (self.runs or self.pending) else 0)
                self.out.append(Feed(dots=n))
            elif c == "B":  # buzzer: ESC B n t
                self.need(1, "ESC B")
                self.pos += 1
            # M (font), t (code page), 3 (line spacing), { (upside down), r (colour): no effect here
            return
        if c == "p":  # cash drawer: ESC p m t1 t2
            self.need(5, "ESC p")
            self.pos += 5
            return
        self.fail(f"unknown command ESC {c!r}", 2)

    def fs(self) -> None:
        cmd = self.need(2, "FS command")[1]
        if cmd == ord("&"):
            self.flush_run()
            self.chinese = True
            self.pos += 2
        elif cmd == ord("."):
            self.flush_run()
            self.chinese = False
            self.pos += 2
        elif cmd == ord("!"):
            n = self.need(3, "FS !")[2]
            self.pos += 3
            self.set_style(width=2 if n & 0x04 else 1, height=2 if n & 0x08 else 1,
                           underline=1 if n & 0x80 else 0)
        elif cmd in (ord("C"), ord("-"), ord("W")):
            self.need(3, "FS command")
            self.pos += 3
        else:
            self.fail(f"unknown command FS {chr(cmd)!r}", 2)

    def gs(self) -> None:
        cmd = chr(self.need(2, "GS command")[1])
        if cmd == "!":
            n = self.need(3, "GS !")[2]
            self.pos += 3
            self.set_style(width=(n >> 4) + 1, height=(n & 0x0F) + 1)
        elif cmd in "Bb|":
            n = self.need(3, f"GS {cmd}")[2]
            self.pos += 3
            if cmd == "B":
                self.set_style(invert=bool(n & 1))
        elif cmd == "V":
            m = self.need(3, "GS V")[2]
            length = 4 if m in (65, 66) else 3
            if m not in (0, 1, 48, 49, 65, 66):
                return self.fail(f"GS V with unknown cut mode {m}", 3)
            self.need(length, "GS V")
            self.end_line(0)
            if m in (65, 66) and self.data[self.pos + 3]:
                self.out.append(Feed(dots=self.data[self.pos + 3]))
            self.out.append(Cut(partial=m in (1, 49, 66)))
            self.pos += length
        elif cmd == "(":
            self.gs_paren()
        else:
            self.fail(f"unknown command GS {cmd!r}", 2)

    def gs_paren(self) -> None:
        head = self.need(5, "GS ( command")
        fn_group, size = chr(head[2]), head[3] + 256 * head[4]
        body = self.need(5 + size, f"GS ( {fn_group}")[5:]
        if fn_group != "k" or size < 2 or body[0] != ord("1"):
            return self.fail(f"GS ( {fn_group} is not a QR code command", 5 + size)
        fn, args = body[1], body[2:]
        if fn == 67 and args:
            self.qr["size"] = args[0]
        elif fn == 69 and args:
            self.qr["ec"] = _QR_EC.get(args[0], "?")
        elif fn == 80:
            self.qr["payload"] = bytes(args[1:])
        elif fn == 81:
            if self.qr["payload"] is None:
                raise EscposDecodeError(self.pos, "QR print with no QR data stored", self.data)
            self.end_line(0)
            try:
                payload = self.qr["payload"].decode("utf-8")
            except UnicodeDecodeError:
                raise EscposDecodeError(self.pos, "QR data is not UTF-8", self.data) from None
            self.out.append(QRCode(payload, self.qr["size"], self.qr["ec"], self.align))
        elif fn not in (65, 82):
            return self.fail(f"unknown QR function {fn}", 5 + size)
        self.pos += 5 + size

    def dle(self) -> None:
        head = self.need(2, "DLE command")
        if head[1] == 0x04:
            n = self.need(3, "DLE EOT")[2]
            self.out.append(StatusQuery(n))
            self.pos += 3
        else:
            self.fail(f"unknown command DLE {head[1]:#04x}", 2)

    def run(self) -> list[Element]:
        while self.pos < len(self.data):
            b = self.data[self.pos]
            if b == 0x0A:
                self.end_line()
                self.pos += 1
            elif b == 0x0D:
                self.pos += 1
            elif b == ESC:
                self.esc()
            elif b == FS:
                self.fs()
            elif b == GS:
                self.gs()
            elif b == DLE:
                self.dle()
            elif b < 0x20 or b == 0x7F:
                self.fail(f"unexpected control byte {b:#04x}")
            else:
                self.text_byte()
        self.end_line(0)  # text never followed by LF stays in the printer's buffer: show it anyway
        return self.out


def decode_escpos(data: bytes, *, strict: bool = True) -> list[Element]:
    """Elements in print order. strict=False turns unknown commands into Unknown elements
    (GB18030 that does not decode and commands cut short still raise EscposDecodeError)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"decode_escpos needs bytes, got {type(data).__name__}")
    return _Decoder(bytes(data), strict).run()
