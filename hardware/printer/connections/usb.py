"""A USB printer through python-escpos's Usb (pyusb; on Windows also a libusb driver)."""
from __future__ import annotations

from escpos.printer import Usb
from escpos.printer import usb as escpos_usb

from .errors import PrinterConfigError, needs

REQUIRED = {"vendor", "product"}
OPTIONAL = {"in_ep", "out_ep", "timeout"}


def _usb_id(config: dict, key: str) -> int:
    value = config[key]
    try:
        number = int(value, 0) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        number = -1
    if not 0 <= number <= 0xFFFF or isinstance(value, bool):
        raise PrinterConfigError(f"USB {key} 应为 0x0000–0xFFFF 的编号，而不是 {value!r}",
                                 f"USB {key} must be an id 0x0000-0xFFFF, not {value!r}")
    return number


def connect(config: dict, profile, options: dict) -> Usb:
    vendor, product = _usb_id(config, "vendor"), _usb_id(config, "product")
    needs(escpos_usb.is_usable(),
          "USB 打印需要 pyusb：pip install pyusb（Windows 另需 libusb 驱动，如 Zadig 安装的 WinUSB）",
          "USB printing needs pyusb: pip install pyusb (on Windows also a libusb driver, "
          "e.g. WinUSB installed with Zadig)")
    return Usb(vendor, product, profile=profile, **options)
