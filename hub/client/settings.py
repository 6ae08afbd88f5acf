"""A device's connection settings: the hub found or paired once, its hall CA pinned, remembered per role."""
from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import NamedTuple

from ..protocol import normalize_fingerprint
from .client import HubClient, HubError, HubUnavailable
from .trust import HallTrust, tls_error


class DeviceSetupError(Exception):
    """A device cannot start: `str()` says what to do, in Chinese then English."""


def device_settings_path(role: str) -> Path:
    base = os.environ.get("HALLQ_HOME")
    if not base:
        appdata = os.environ.get("APPDATA")  # Windows
        base = str(Path(appdata) / "HallQ") if appdata else str(Path.home() / ".config" / "hallq")
    return Path(base) / f"{role}.json"


def add_connection_arguments(parser, role: str) -> None:
    parser.add_argument("--hub", help="hub address, e.g. https://10.0.0.5:8600 (default: as saved, or found on the LAN)")
    parser.add_argument("--token", help=f"device token (default: as saved by --pair; or `hallq hub pair --role {role}`)")
    parser.add_argument("--pair", metavar="CODE", help="6-digit pairing code from the manager console; saved for next time")
    parser.add_argument("--fingerprint", help="the hall CA's fingerprint the hub printed at start (console: 设备): "
                                              "the device refuses a hub whose certificate has another one")


class Connection(NamedTuple):
    url: str
    token: str
    me: dict | None  # this device as the hub knows it; None if the hub was down at start
    trust: HallTrust

    def client(self, **options) -> HubClient:
        return HubClient(self.url, self.token, trust=self.trust, **options)


async def resolve_connection(args, role: str, *, roles: tuple[str, ...] | None = None,
                             discover_timeout: float = 5.0) -> Connection:
    """The hub, this device's token and the hall CA it pins.

    Pairs with `--pair CODE` (or takes `--token` from `hallq hub pair`) when given, pinning the CA
    the hub serves (checked against `--fingerprint` if the installer gave it), and remembers hub,
    token and CA per role, so an installer pairs a device once and later just starts it."""
    path = device_settings_path(role)
    saved = _read_settings(path)
    expected = getattr(args, "fingerprint", None) or ""
    if expected and not normalize_fingerprint(expected):
        raise tls_error("FINGERPRINT_INVALID")
    pinned = HallTrust.from_dict(saved)
    url = args.hub or saved.get("hub")
    if not url:
        found = await HubClient.discover(discover_timeout, expected or (pinned.fingerprint if pinned else ""))
        if not found:
            raise DeviceSetupError("局域网内没有找到服务器，请用 --hub 指定地址 / No hub found on the LAN; pass --hub URL")
        url = found[0]["url"]
    if args.pair:
        token, trust = await HubClient.pair(url, args.pair, expected=expected)
    elif args.token:
        token, trust = args.token, await HubClient.fetch_trust(url, expected)
    else:
        token, trust = saved.get("token"), pinned
    if not token:
        raise DeviceSetupError(f"此设备尚未配对：请在管理台生成配对码，然后运行 hallq {role} --pair 配对码 / "
                               f"This device is not paired: make a code in the console, then run "
                               f"hallq {role} --pair CODE")
    if trust is None:
        raise tls_error("TLS_NOT_PINNED")
    if expected and trust.fingerprint != normalize_fingerprint(expected):
        raise tls_error("TLS_PIN_MISMATCH")
    client = HubClient(url, token, trust=trust, retries=0)
    try:
        me = await client.me()
    except HubUnavailable:
        me = None  # the device starts anyway and shows that the hub is unreachable until it is back
    finally:
        await client.aclose()
    if me is not None and me["role"] not in (roles or (role,)):
        raise DeviceSetupError(f"这个令牌属于{me['role']}设备，不能用于 {role} / "
                               f"This token belongs to a {me['role']} device, not a {role}")
    # other keys (a panel's remembered geometry) stay
    _write_settings(path, {**saved, "hub": url, "token": token, **trust.as_dict()})
    return Connection(url, token, me, trust)


def _write_settings(path: Path, settings: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(settings), encoding="utf-8")
    path.chmod(0o600)


def _read_settings(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (OSError, ValueError):
        return {}


def device_preference(role: str, key: str, default=None):
    """A screen's own setting kept beside the connection (e.g. where the clerk put the panel)."""
    return _read_settings(device_settings_path(role)).get("preferences", {}).get(key, default)


def remember_device_preference(role: str, key: str, value) -> None:
    path = device_settings_path(role)
    settings = _read_settings(path)
    settings["preferences"] = {**settings.get("preferences", {}), key: value}
    _write_settings(path, settings)


def connect_or_exit(args, role: str, *, roles: tuple[str, ...] | None = None) -> Connection:
    """`resolve_connection` for a device's main(), before its Qt loop starts: a clear message and
    exit code 2 instead of a traceback when the device cannot be set up."""
    try:
        return asyncio.run(resolve_connection(args, role, roles=roles))
    except DeviceSetupError as e:
        message = str(e)
    except HubError as e:
        message = f"{e.message} / {e.message_en}"
    print(message, file=sys.stderr)
    raise SystemExit(2)
