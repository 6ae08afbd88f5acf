"""A printer seen as a device file (/dev/usb/lp0), or any file that keeps the bytes."""
from __future__ import annotations

from escpos.printer import File

REQUIRED = {"path"}
OPTIONAL: set[str] = set()


def connect(config: dict, profile, options: dict) -> File:
    return File(devfile=str(config["path"]), profile=profile)
