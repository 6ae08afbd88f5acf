"""Printer connections, one small module per kind as in python-escpos; the simulator is one more.

Each module names its REQUIRED and OPTIONAL config keys and has `connect(config, profile,
options)`, which returns a python-escpos connection. Nothing is opened yet: python-escpos
connects on first use.
"""
from __future__ import annotations

from typing import Any

from escpos.escpos import Escpos

from . import file, network, serial, simulator, usb, win32raw
from .errors import PrinterConfigError
from .serial import SerialPrinter
from .simulator import SimulatedPrinter

__all__ = ["CONNECTIONS", "COMMON_KEYS", "PrinterConfigError", "SerialPrinter", "SimulatedPrinter",
           "open_printer"]

CONNECTIONS = {"usb": usb, "serial": serial, "network": network, "win32raw": win32raw, "file": file,
               "simulator": simulator}
COMMON_KEYS = {"type", "profile", "paper"}  # paper is the ticket's width, read by TicketPrinter


def open_printer(config: dict[str, Any]) -> Escpos:
    """A python-escpos connection from a config such as {"type": "network", "host": "10.0.0.9"}."""
    if not isinstance(config, dict):
        raise PrinterConfigError("打印机配置应为字典", "printer config must be a mapping")
    kind = config.get("type")
    if kind not in CONNECTIONS:
        raise PrinterConfigError(
            f"未知的打印机连接类型 {kind!r}，可选：{'、'.join(CONNECTIONS)}",
            f"unknown printer connection type {kind!r}; one of: {', '.join(CONNECTIONS)}")
    module = CONNECTIONS[kind]
    given = set(config) - COMMON_KEYS
    if missing := module.REQUIRED - given:
        raise PrinterConfigError(f"{kind} 打印机配置缺少 {sorted(missing)}",
                                 f"{kind} printer config lacks {sorted(missing)}")
    if extra := given - module.REQUIRED - module.OPTIONAL:
        raise PrinterConfigError(f"{kind} 打印机配置有不认识的项 {sorted(extra)}",
                                 f"{kind} printer config has unknown keys {sorted(extra)}")
    options = {k: config[k] for k in module.OPTIONAL & given}
    try:
        return module.connect(config, config.get("profile"), options)
    except (KeyError, TypeError) as e:
        # python-escpos raises KeyError for a profile name it does not know
        raise PrinterConfigError(f"打印机配置无效：{e}", f"invalid printer config: {e}") from None
