"""Finding a font with Chinese glyphs: the project's own assets/fonts first, then the system's."""
from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

import assets

__all__ = ["FontNotFoundError", "SYSTEM_CJK_FONTS", "find_cjk_font", "load_cjk_font", "register_qt_cjk_font"]

log = logging.getLogger("hallq.fonts")

_WINDIR = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
SYSTEM_CJK_FONTS: tuple[Path, ...] = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
    _WINDIR / "msyh.ttc",
    _WINDIR / "simhei.ttf",
    _WINDIR / "simsun.ttc",
    Path("/System/Library/Fonts/PingFang.ttc"),
    Path("/System/Library/Fonts/STHeiti Medium.ttc"),
)
_FONT_SUFFIXES = (".ttc", ".otf", ".ttf")


class FontNotFoundError(RuntimeError):
    pass


def find_cjk_font(extra: tuple[Path, ...] = ()) -> Path:
    """The first font file found in `extra`, assets/fonts, then the usual system places."""
    bundled = sorted(p for p in assets.path("fonts").glob("*") if p.suffix.lower() in _FONT_SUFFIXES)
    for candidate in (*map(Path, extra), *bundled, *SYSTEM_CJK_FONTS):
        if candidate.is_file():
            return candidate
    raise FontNotFoundError(
        "未找到中文字体，请将字体文件放入 assets/fonts/ 或安装 fonts-noto-cjk / "
        "No Chinese font found: put one in assets/fonts/ or install fonts-noto-cjk "
        "(Windows: msyh.ttc or simhei.ttf)")


def _simplified_face(path: Path) -> int:
    # Collections such as Noto Sans CJK hold JP/KR/SC/TC faces; the SC one draws 简体 forms.
    for index in range(16):
        try:
            family = ImageFont.truetype(str(path), 24, index=index).getname()[0]
        except OSError:
            break
        if " SC" in family or "CN" in family or "Simplified" in family:
            return index
    return 0


@lru_cache(maxsize=64)
def load_cjk_font(size: int, path: Path | None = None) -> ImageFont.FreeTypeFont:
    path = path or find_cjk_font()
    return ImageFont.truetype(str(path), size, index=_simplified_face(path))


_qt_family: str | None = None


def register_qt_cjk_font(fallback_family: str = "Noto Sans CJK SC") -> str:
    """Loads the CJK font into Qt once (every app needs it, or Chinese shows as boxes) and
    returns the Simplified Chinese family name to use. Qt is imported only by Qt apps."""
    global _qt_family
    if _qt_family:
        return _qt_family
    from PySide6.QtGui import QFontDatabase

    try:
        path = find_cjk_font()
    except FontNotFoundError as e:
        log.warning("%s", e)
        _qt_family = fallback_family
        return _qt_family
    font_id = QFontDatabase.addApplicationFont(str(path))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        log.warning("Qt could not load the CJK font %s", path)
    _qt_family = next((f for f in families if f.endswith(" SC")), families[0] if families else fallback_family)
    return _qt_family
