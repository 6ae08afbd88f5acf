"""zeroconf: the hub advertises `_hallq._tcp.local.`; devices find it without typing an address.

The TXT record carries the hall CA's fingerprint (`ca`), so a device that has pinned one (or was
given one by the installer) ignores any other hub, e.g. the next hall's on the same LAN."""
from __future__ import annotations

import ipaddress
import logging
import socket

import ifaddr
from zeroconf import IPVersion, ServiceInfo, Zeroconf

from .protocol import API_VERSION, SERVICE_TYPE, normalize_fingerprint

log = logging.getLogger("hallq.discovery")


def lan_addresses() -> list[str]:
    found = []
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if isinstance(ip.ip, str):
                addr = ipaddress.ip_address(ip.ip)
                if not addr.is_loopback and not addr.is_link_local:
                    found.append(ip.ip)
    return found


class Advertiser:
    def __init__(self, hall_name: str, port: int, addresses: list[str] | None = None, fingerprint: str = ""):
        self.addresses = addresses or lan_addresses() or ["127.0.0.1"]
        host = socket.gethostname().split(".")[0] or "hallq"
        self.info = ServiceInfo(
            SERVICE_TYPE,
            f"HallQ {host}-{port}.{SERVICE_TYPE}",
            addresses=[socket.inet_aton(a) for a in self.addresses],
            port=port,
            properties={"hall": hall_name, "api": str(API_VERSION), "port": str(port), "ca": fingerprint},
            server=f"{host}-hallq.local.",
        )
        self.zc: Zeroconf | None = None

    def start(self) -> None:
        interfaces = self.addresses if self.addresses != ["127.0.0.1"] else ["127.0.0.1"]
        self.zc = Zeroconf(interfaces=interfaces, ip_version=IPVersion.V4Only)
        self.zc.register_service(self.info, allow_name_change=True)
        log.info("advertising %s on %s:%s", SERVICE_TYPE, self.addresses, self.info.port)

    def stop(self) -> None:
        if self.zc:
            self.zc.unregister_service(self.info)
            self.zc.close()
            self.zc = None


def discover(timeout: float = 5.0, interfaces: list[str] | None = None, fingerprint: str = "") -> list[dict]:
    """Hubs found on the LAN: [{"url", "hall", "api", "fingerprint"}]; with `fingerprint`, only the hub
    whose CA has it."""
    wanted = normalize_fingerprint(fingerprint) if fingerprint else ""
    from zeroconf import ServiceBrowser

    found: dict[str, dict] = {}
    zc = Zeroconf(interfaces=interfaces or ["127.0.0.1", *lan_addresses()], ip_version=IPVersion.V4Only)

    class Listener:
        def add_service(self, zc, type_, name):
            info = zc.get_service_info(type_, name, timeout=int(timeout * 1000))
            if info and info.parsed_addresses():
                props = {k.decode(): (v or b"").decode() for k, v in info.properties.items()}
                theirs = normalize_fingerprint(props.get("ca", ""))
                if fingerprint and (not wanted or theirs != wanted):
                    log.info("ignoring %s: its CA is not the one pinned", name)
                    return
                found[name] = {"url": f"https://{info.parsed_addresses()[0]}:{info.port}",
                               "hall": props.get("hall", ""), "api": props.get("api", ""), "fingerprint": theirs}

        update_service = add_service

        def remove_service(self, zc, type_, name):
            found.pop(name, None)

    import time

    browser = ServiceBrowser(zc, SERVICE_TYPE, Listener())
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and not found:
            time.sleep(0.1)
    finally:
        browser.cancel()
        zc.close()
    return list(found.values())
