"""A printer on a serial port (pyserial), with status replies read as soon as they are in."""
from __future__ import annotations

from escpos.printer import Serial
from escpos.printer import serial as escpos_serial

from .errors import needs

REQUIRED = {"port"}
OPTIONAL = {"baudrate", "bytesize", "parity", "stopbits", "timeout", "dsrdtr"}


class SerialPrinter(Serial):
    """python-escpos's Serial reads 16 bytes, so each one-byte status reply waited out the whole
    timeout (1 s a query); this returns as soon as the reply is in."""

    def _read(self) -> bytes:
        assert self.device
        first = self.device.read(1)
        return first + self.device.read(self.device.in_waiting) if first else first


def connect(config: dict, profile, options: dict) -> SerialPrinter:
    needs(escpos_serial.is_usable(), "串口打印需要 pyserial：pip install pyserial",
          "serial printing needs pyserial: pip install pyserial")
    options = {"baudrate": 9600, "timeout": 1, **options}
    return SerialPrinter(devfile=str(config["port"]), profile=profile, **options)
