"""The ticket printer: a python-escpos connection chosen by config, status read before every
ticket, and the ticket sent in one write so a fault never leaves half a ticket on paper.

Blocking: kiosks call it from a worker thread, never from the GUI thread.
"""
from __future__ import annotations

import threading
from typing import Any

from escpos.escpos import Escpos
from escpos.printer import File, Network, Serial, Usb, Win32Raw
from escpos.printer import serial as _serial_mod
from escpos.printer import usb as _usb_mod
from escpos.printer import win32raw as _win32_mod

from .escpos_decode import EscposDecodeError, decode_escpos
from .printer_sim import SimulatedPrinter
from .printer_status import IO_ERRORS, PrinterFault, PrinterStatus, read_status
from .ticket_layout import LABELS_EN, LABELS_ZH, TicketPrint, render_ticket

__all__ = [
    "LABELS_EN", "LABELS_ZH", "EscposDecodeError", "PrinterConfigError", "PrinterFault",
    "PrinterStatus", "SerialPrinter", "SimulatedPrinter", "TicketPrint", "TicketPrinter", "decode_escpos",
    "open_printer", "render_ticket",
]


class SerialPrinter(Serial):
    """python-escpos's Serial reads 16 bytes, so each one-byte status reply waited out the whole
    timeout (1 s a query); this returns as soon as the reply is in."""

    def _read(self) -> bytes:
        assert self.device
        first = self.device.read(1)
        return first + self.device.read(self.device.in_waiting) if first else first


class PrinterConfigError(ValueError):
    """The printer config cannot work; the message says what to change, in Chinese and English."""

    def __init__(self, zh: str, en: str):
        self.message_zh, self.message_en = zh, en
        super().__init__(f"{zh} / {en}")


_KEYS = {
    "usb": ({"vendor", "product"}, {"in_ep", "out_ep", "timeout"}),
    "serial": ({"port"}, {"baudrate", "bytesize", "parity", "stopbits", "timeout", "dsrdtr"}),
    "network": ({"host"}, {"port", "timeout"}),
    "win32raw": ({"name"}, set()),
    "file": ({"path"}, set()),
    "simulator": (set(), {"paper_out", "paper_low", "cover_open", "offline"}),
}


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


def _needs(usable: bool, zh: str, en: str) -> None:
    if not usable:
        raise PrinterConfigError(zh, en)


def open_printer(config: dict[str, Any]) -> Escpos:
    """A python-escpos connection from a config such as {"type": "network", "host": "10.0.0.9"}.
    Nothing is opened yet: python-escpos connects on first use."""
    if not isinstance(config, dict):
        raise PrinterConfigError("打印机配置应为字典", "printer config must be a mapping")
    kind = config.get("type")
    if kind not in _KEYS:
        raise PrinterConfigError(
            f"未知的打印机连接类型 {kind!r}，可选：{'、'.join(_KEYS)}",
            f"unknown printer connection type {kind!r}; one of: {', '.join(_KEYS)}")
    required, optional = _KEYS[kind]
    given = set(config) - {"type", "profile"}
    if missing := required - given:
        raise PrinterConfigError(f"{kind} 打印机配置缺少 {sorted(missing)}",
                                 f"{kind} printer config lacks {sorted(missing)}")
    if extra := given - required - optional:
        raise PrinterConfigError(f"{kind} 打印机配置有不认识的项 {sorted(extra)}",
                                 f"{kind} printer config has unknown keys {sorted(extra)}")
    opts = {k: config[k] for k in optional & given}
    profile = config.get("profile")
    try:
        if kind == "usb":
            vendor, product = _usb_id(config, "vendor"), _usb_id(config, "product")
            _needs(_usb_mod.is_usable(),
                   "USB 打印需要 pyusb：pip install pyusb（Windows 另需 libusb 驱动，如 Zadig 安装的 WinUSB）",
                   "USB printing needs pyusb: pip install pyusb (on Windows also a libusb driver, "
                   "e.g. WinUSB installed with Zadig)")
            return Usb(vendor, product, profile=profile, **opts)
        if kind == "serial":
            _needs(_serial_mod.is_usable(), "串口打印需要 pyserial：pip install pyserial",
                   "serial printing needs pyserial: pip install pyserial")
            opts.setdefault("baudrate", 9600)
            opts.setdefault("timeout", 1)
            return SerialPrinter(devfile=str(config["port"]), profile=profile, **opts)
        if kind == "network":
            opts.setdefault("timeout", 5)  # python-escpos waits 60 s, far too long at a kiosk
            return Network(host=str(config["host"]), profile=profile, **opts)
        if kind == "win32raw":
            _needs(_win32_mod.is_usable(),
                   "Windows 打印队列需要 pywin32（仅限 Windows）：pip install pywin32",
                   "the Windows print queue needs pywin32 (Windows only): pip install pywin32")
            return Win32Raw(printer_name=str(config["name"]), profile=profile)
        if kind == "file":
            return File(devfile=str(config["path"]), profile=profile)
        return SimulatedPrinter(profile=profile, **{k: bool(v) for k, v in opts.items()})
    except (KeyError, TypeError) as e:
        # python-escpos raises KeyError for a profile name it does not know
        raise PrinterConfigError(f"打印机配置无效：{e}", f"invalid printer config: {e}") from None


class TicketPrinter:
    def __init__(self, connection: Escpos):
        self.connection = connection
        self._lock = threading.Lock()  # status and ticket must not interleave with another ticket

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "TicketPrinter":
        return cls(open_printer(config))

    def status(self) -> PrinterStatus:
        with self._lock:
            return self._read_status()

    def _read_status(self) -> PrinterStatus:
        status = read_status(self.connection)
        if status.offline:
            self._forget_connection()
        return status

    def _forget_connection(self) -> None:
        # python-escpos never retries a connection that failed to open; marking it unopened
        # makes the next ticket reconnect, so a printer switched back on is found again.
        try:
            self.connection.close()
        except IO_ERRORS:
            pass
        self.connection.device = False

    def print_ticket(self, t: TicketPrint) -> None:
        """Raises PrinterFault (nothing sent) when the printer reports it cannot print."""
        if not isinstance(t, TicketPrint):
            raise TypeError(f"print_ticket needs a TicketPrint, got {type(t).__name__}")
        data = render_ticket(t, self.connection.profile)
        with self._lock:
            status = self._read_status()
            if not status.ok:
                raise PrinterFault(status)
            try:
                self.connection._raw(data)
            except IO_ERRORS as e:
                self._forget_connection()
                raise PrinterFault(PrinterStatus(
                    ok=False, offline=True, detail=f"sending failed: {type(e).__name__}: {e}")) from e

    def close(self) -> None:
        with self._lock:
            self.connection.close()
