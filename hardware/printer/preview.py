"""A PNG of what the printer would put on paper, drawn from the decoded ESC/POS (not from the
ticket data), so the preview shows exactly what was sent.

Each character sits in the printer's cell: 12 x 24 dots half-width, 24 x 24 full-width, times
the size multipliers; lines wrap at the paper's width (576 dots on 80 mm, 384 on 58 mm) as on
the printer.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw

from ..fonts import load_cjk_font
from .decode import Cut, Feed, QRCode, Style, TextLine, decode_escpos
from .ticket import PAPER_DOTS

__all__ = ["render_preview", "render_preview_image"]

HALF, CELL_H, LINE, TOP = 12, 24, 30, 24
BASELINE = 0.88  # where the baseline sits in a CJK em box, from the top
_EC = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M,
       "Q": qrcode.constants.ERROR_CORRECT_Q, "H": qrcode.constants.ERROR_CORRECT_H}


def _cells(ch: str, chinese: bool) -> int:
    return 2 if chinese and len(ch.encode("gb18030")) > 1 else 1


@lru_cache(maxsize=2048)
def _glyph(ch: str, cell_w: int, width: int, height: int, bold: bool) -> Image.Image | None:
    """An 'L' mask of cell size with the glyph centred, or None for blank characters."""
    if not ch.strip():
        return None
    cell_h = CELL_H * height
    if cell_w < CELL_H * width:
        # Latin descenders reach below a CJK em box; like a printer's 12 x 24 font, shrink a little
        font, base = load_cjk_font(round(cell_h * 0.85)), round(cell_h * 0.8)
    else:
        font, base = load_cjk_font(cell_h), round(BASELINE * cell_h)
    left, _, right, _ = font.getbbox(ch, anchor="ls")
    if right <= left:
        return None
    # emphasis as the printer does it: each dot printed again one dot (per size step) to the right
    shift = height if bold else 0
    raw = Image.new("L", (right - left + shift, cell_h), 0)
    for dx in range(shift + 1):
        ImageDraw.Draw(raw).text((dx - left, base), ch, font=font, anchor="ls", fill=255)
    # a wide-by-tall size stretches the glyph; never let it spill out of its cell
    new_w = max(1, min(cell_w - 1, round(raw.width * width / height)))
    mask = Image.new("L", (cell_w, cell_h), 0)
    mask.paste(raw.resize((new_w, cell_h), Image.LANCZOS), ((cell_w - new_w) // 2, 0))
    return mask


def _rows(line: TextLine, paper: int) -> list[list[tuple[str, Style, int]]]:
    rows: list[list[tuple[str, Style, int]]] = [[]]
    used = 0
    for run in line.runs:
        for ch in run.text:
            w = _cells(ch, run.chinese) * HALF * run.style.width
            if used + w > paper and rows[-1]:
                rows.append([])
                used = 0
            rows[-1].append((ch, run.style, w))
            used += w
    return rows


def _text_blocks(line: TextLine, paper: int):
    for row in _rows(line, paper):
        char_h = max(CELL_H * s.height for _, s, _ in row)
        row_w = sum(w for *_, w in row)
        x0 = {"left": 0, "center": (paper - row_w) // 2, "right": paper - row_w}[line.align]

        def draw(img: Image.Image, y: int, row=row, char_h=char_h, x0=x0) -> None:
            pen = ImageDraw.Draw(img)
            x = x0
            for ch, s, w in row:
                h = CELL_H * s.height
                top = y + char_h - h  # characters of mixed heights share the bottom line
                ink = 0
                if s.invert:
                    pen.rectangle((x, top, x + w - 1, top + h - 1), fill=0)
                    ink = 255
                mask = _glyph(ch, w, s.width, s.height, s.bold)
                if mask is not None:
                    img.paste(ink, (x, top), mask)
                if s.underline:
                    pen.rectangle((x, top + h - s.underline, x + w - 1, top + h - 1), fill=0)
                x += w

        yield max(LINE, char_h + 6), draw


def _qr_block(code: QRCode, paper: int):
    qr = qrcode.QRCode(error_correction=_EC.get(code.ec, _EC["L"]), box_size=1, border=0)
    qr.add_data(code.payload)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    size = len(matrix) * code.module_size
    x0 = {"left": 0, "center": (paper - size) // 2, "right": paper - size}[code.align]

    def draw(img: Image.Image, y: int) -> None:
        pen = ImageDraw.Draw(img)
        m = code.module_size
        for r, row in enumerate(matrix):
            for c, dark in enumerate(row):
                if dark:
                    pen.rectangle((x0 + c * m, y + r * m, x0 + (c + 1) * m - 1, y + (r + 1) * m - 1), fill=0)

    return size + 12, draw


def _cut_block(paper: int):
    def draw(img: Image.Image, y: int) -> None:
        pen = ImageDraw.Draw(img)
        for x in range(0, paper, 16):
            pen.line((x, y + 15, x + 8, y + 15), fill=0, width=2)

    return LINE, draw


def render_preview_image(elements, paper_dots: int = PAPER_DOTS[80]) -> Image.Image:
    blocks = []
    for e in elements:
        if isinstance(e, TextLine):
            blocks.extend(_text_blocks(e, paper_dots))
        elif isinstance(e, Feed):
            blocks.append((e.lines * LINE + e.dots, lambda img, y: None))
        elif isinstance(e, QRCode):
            blocks.append(_qr_block(e, paper_dots))
        elif isinstance(e, Cut):
            blocks.append(_cut_block(paper_dots))
    img = Image.new("L", (paper_dots, TOP + sum(h for h, _ in blocks)), 255)
    y = TOP
    for height, draw in blocks:
        draw(img, y)
        y += height
    return img


def render_preview(data: bytes, path, paper_dots: int = PAPER_DOTS[80]) -> Path:
    """Decode ESC/POS bytes and save the paper they describe as a PNG, one pixel a dot."""
    path = Path(path)
    img = render_preview_image(decode_escpos(data), paper_dots)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, "PNG")
    return path
