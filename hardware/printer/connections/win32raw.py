"""A printer behind a Windows print queue, sent raw bytes (pywin32)."""
from __future__ import annotations

from escpos.printer import Win32Raw
from escpos.printer import win32raw as escpos_win32raw

from .errors import needs

REQUIRED = {"name"}
OPTIONAL: set[str] = set()


def connect(config: dict, profile, options: dict) -> Win32Raw:
    needs(escpos_win32raw.is_usable(),
          "Windows 打印队列需要 pywin32（仅限 Windows）：pip install pywin32",
          "the Windows print queue needs pywin32 (Windows only): pip install pywin32")
    return Win32Raw(printer_name=str(config["name"]), profile=profile)
