"""`hallq` — one command for every part of the hall.

  hallq hub [--hall FILE] [--db FILE] [--port 8600]     run the hall's hub
  hallq hub pair --role kiosk --name 'Kiosk 1'         print a device token
  hallq hub check --hall FILE                          validate a hall file
  hallq kiosk|caller|display|evaluator --hub URL --token T
  hallq demo                                           the whole hall on this machine
"""
from __future__ import annotations

import argparse
import importlib
import logging
import sys
from pathlib import Path

from .protocol import Role

DEFAULT_DB = Path("hallq-data") / "hallq.db"
DEFAULT_PORT = 8600
DEVICE_APPS = {"kiosk": "kiosk.app", "caller": "caller.app", "display": "display.app",
               "evaluator": "caller.evaluator", "demo": "hub.demo"}


def _hub_parser(sub) -> None:
    hub = sub.add_parser("hub", help="run the hub (one per hall)")
    hub.add_argument("action", nargs="?", default="run", choices=["run", "pair", "check", "devices", "set-password"])
    hub.add_argument("--hall", type=Path, help="hall file (TOML); default: the shipped default hall")
    hub.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"SQLite file (default {DEFAULT_DB})")
    hub.add_argument("--host", default="0.0.0.0")
    hub.add_argument("--port", type=int, default=DEFAULT_PORT)
    hub.add_argument("--public-url", default="", help="address printed in ticket QR codes, e.g. http://10.0.0.5:8600")
    hub.add_argument("--no-zeroconf", action="store_true")
    hub.add_argument("--access-log", action="store_true", help="log every HTTP request (off: it costs hub CPU)")
    hub.add_argument("--advertise-address", action="append", default=None,
                     help="address to announce by zeroconf (repeatable); default: every LAN address")
    hub.add_argument("--role", choices=[r.value for r in Role])
    hub.add_argument("--name")
    hub.add_argument("--window", type=int, help="the window a caller belongs to")
    hub.add_argument("--password", help="with set-password: the manager console password")


def _run_hub(args) -> int:
    from .core.config import ConfigError, load_hall
    from .core.errors import DomainError
    from .server import DEFAULT_HALL, build_service, serve_forever

    hall_path = args.hall or DEFAULT_HALL
    try:
        config = load_hall(hall_path)
    except ConfigError as e:
        print(f"hall file error / 大厅配置错误: {e}", file=sys.stderr)
        return 2
    if args.action == "check":
        print(f"OK: {config.hall.name}: {len(config.zones)} zones, {len(config.services)} services, "
              f"{len(config.windows)} windows, {len(config.clerks)} clerks")
        return 0
    service = build_service(args.db, config, public_url=args.public_url)
    if args.action == "pair":
        if not args.role or not args.name:
            print("pair needs --role and --name", file=sys.stderr)
            return 2
        try:
            device, token = service.pair_device_directly(Role(args.role), args.name, args.window)
        except DomainError:  # the only refusal: a caller without one of this hall's windows
            print("a caller needs --window with a window number of this hall", file=sys.stderr)
            return 2
        print(token)
        print(f"paired device {device['id']} ({args.role}, {args.name})", file=sys.stderr)
        return 0
    if args.action == "devices":
        for d in service.store.devices():
            print(d)
        return 0
    if args.action == "set-password":
        if not args.password or len(args.password) < 8:
            print("set-password needs --password of 8 characters or more", file=sys.stderr)
            return 2
        service.set_console_password(args.password)
        print("console password set")
        return 0
    if not service.public_url:
        from .discovery import lan_addresses

        host = args.host if args.host not in ("0.0.0.0", "") else (lan_addresses() or ["127.0.0.1"])[0]
        service.public_url = f"http://{host}:{args.port}"
    serve_forever(service, args.host, args.port, advertise=not args.no_zeroconf, addresses=args.advertise_address,
                  access_log=args.access_log)
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    parser = argparse.ArgumentParser(prog="hallq", description="HallQ 政务服务大厅排队叫号系统")
    sub = parser.add_subparsers(dest="command", required=True)
    _hub_parser(sub)
    for name in DEVICE_APPS:
        sub.add_parser(name, help=f"run the {name}", add_help=False)
    args, rest = parser.parse_known_args(argv)
    if args.command == "hub":
        return _run_hub(args)
    module = importlib.import_module(DEVICE_APPS[args.command])
    return module.main(rest) or 0


if __name__ == "__main__":
    sys.exit(main())
