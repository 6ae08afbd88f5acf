"""A printer on the LAN (raw TCP, port 9100)."""
from __future__ import annotations

from escpos.printer import Network

REQUIRED = {"host"}
OPTIONAL = {"port", "timeout"}


def connect(config: dict, profile, options: dict) -> Network:
    options = {"timeout": 5, **options}  # python-escpos waits 60 s, far too long at a kiosk
    return Network(host=str(config["host"]), profile=profile, **options)
