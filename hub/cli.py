"""`hallq` — one command for every part of the hall.

  hallq hub [--hall FILE] [--db FILE] [--port 8600]     run the hall's hub (HTTPS, hall CA beside the DB)
      [--cert FILE --key FILE] [--public-port 8601 [--public-host H] [--public-cert F --public-key F]]
  hallq hub pair --role kiosk --name 'Kiosk 1'         print a device token and the CA fingerprint
  hallq hub user add NAME --role admin|supervisor|viewer   a console account (also: list, disable, reset)
  hallq hub check --hall FILE                          validate a hall file
  hallq hub backup --db FILE --to DIR                  copy the database and its key file (hall running)
  hallq hub restore --from DIR --db FILE [--force]     put a backup in place (hub stopped)
  hallq hub region --region-url URL --region-ca FILE   report to the county's region (the hub ships its events)
  hallq kiosk|caller|display|evaluator --hub URL --token T
  hallq demo                                           the whole hall on this machine
  hallq region [run|migrate|hall|account|rebuild] --dsn DSN  the county's region server (see region/cli.py)
"""
from __future__ import annotations

import argparse
import getpass
import importlib
import logging
import sys
from datetime import timedelta
from pathlib import Path

from .app.accounts import AccountRole
from .protocol import Role

DEFAULT_DB = Path("hallq-data") / "hallq.db"
DEFAULT_PORT = 8600
DEVICE_APPS = {"kiosk": "kiosk.app", "caller": "caller.app", "display": "display.app",
               "evaluator": "caller.evaluator", "demo": "hub.demo", "region": "region.cli"}


def _hub_parser(sub) -> None:
    hub = sub.add_parser("hub", help="run the hub (one per hall)")
    hub.add_argument("action", nargs="?", default="run",
                     choices=["run", "pair", "check", "devices", "user", "set-password", "backup", "restore", "region"],
                     help="set-password (kept for one release): creates or updates the account `admin`; "
                          "prefer `user add NAME --role admin`")
    hub.add_argument("user_args", nargs="*", metavar="add|list|disable|reset NAME",
                     help="with user: add NAME --role R, list, disable NAME, reset NAME")
    hub.add_argument("--hall", type=Path, help="hall file (TOML); default: the shipped default hall")
    hub.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"SQLite file (default {DEFAULT_DB})")
    hub.add_argument("--host", default="0.0.0.0")
    hub.add_argument("--port", type=int, default=DEFAULT_PORT)
    hub.add_argument("--public-url", default="", help="address printed in ticket QR codes (default: the citizen "
                                                      "listener's, else this hub's), e.g. http://10.1.0.5:8601")
    hub.add_argument("--cert", type=Path, help="the hub's certificate (PEM, issuers after it) instead of the hall CA's")
    hub.add_argument("--key", type=Path, help="the private key of --cert")
    hub.add_argument("--tls-name", action="append", default=[],
                     help="another name or address the hall CA's certificate must cover (repeatable)")
    hub.add_argument("--public-port", type=int, help="serve citizens' phones (ticket page only) on this port")
    hub.add_argument("--public-host", help="address of the citizen listener (default: --host)")
    hub.add_argument("--public-cert", type=Path, help="certificate of the citizen listener (default: plain HTTP)")
    hub.add_argument("--public-key", type=Path, help="the private key of --public-cert")
    hub.add_argument("--no-zeroconf", action="store_true")
    hub.add_argument("--access-log", action="store_true", help="log every HTTP request (off: it costs hub CPU)")
    hub.add_argument("--advertise-address", action="append", default=None,
                     help="address to announce by zeroconf (repeatable); default: every LAN address")
    hub.add_argument("--role", choices=[r.value for r in Role] + [r.value for r in AccountRole],
                     help="with pair: the device's role; with user add: the account's role")
    hub.add_argument("--name")
    hub.add_argument("--window", type=int, help="the window a caller belongs to")
    hub.add_argument("--password", help="with user add/reset or set-password (else asked for at a prompt)")
    hub.add_argument("--session-idle-minutes", type=int, default=30,
                     help="a console sign-in ends after this long without use (default 30)")
    hub.add_argument("--session-max-hours", type=int, default=12,
                     help="a console sign-in ends this long after it began, used or not (default 12)")
    hub.add_argument("--to", type=Path, help="with backup: a new directory for this backup")
    hub.add_argument("--from", dest="from_dir", type=Path, help="with restore: the backup's directory")
    hub.add_argument("--force", action="store_true", help="with restore: replace an existing database")
    hub.add_argument("--region-url", help="with region: the county region server's address (https://...)")
    hub.add_argument("--region-ca", type=Path, help="with region: the region CA file (PEM) to pin")
    hub.add_argument("--credential", help="with region: this hall's credential from `hallq region hall add` "
                                          "(else asked for at a prompt)")


def _backup_or_restore(args) -> int:
    from .backup import BackupError, backup, restore

    try:
        if args.action == "backup":
            if args.to is None:
                print("backup needs --to DIR / 请用 --to 指定备份目录", file=sys.stderr)
                return 2
            for path in backup(args.db, args.to):
                print(f"backed up / 已备份: {path}")
            return 0
        if args.from_dir is None:
            print("restore needs --from DIR / 请用 --from 指定备份目录", file=sys.stderr)
            return 2
        moved = restore(args.from_dir, args.db, force=args.force)
    except BackupError as e:
        print(e, file=sys.stderr)
        return 2
    if moved:
        print(f"the database replaced was kept as / 原数据库已保留为: {moved}")
    print(f"restored / 已恢复: {args.db}")
    return 0


def _join_region(args) -> int:
    from .upstream import Upstream, save_settings

    if not args.region_url or not args.region_ca:
        print("region needs --region-url and --region-ca / 请给出 --region-url 与 --region-ca", file=sys.stderr)
        return 2
    credential = args.credential or getpass.getpass("大厅凭证 / hall credential: ")
    try:
        upstream = Upstream(args.region_url, credential.strip(), args.region_ca.read_text(encoding="ascii"))
        fingerprint = upstream.fingerprint
    except (OSError, ValueError) as e:
        print(f"cannot read the region CA / 区域证书无法读取: {e}", file=sys.stderr)
        return 2
    path = save_settings(args.db, upstream)
    print(f"the hub ships its events to {upstream.url} from its next start (settings in {path}); "
          f"region CA fingerprint / 区域证书指纹: {fingerprint}")
    return 0


def _run_hub(args) -> int:
    if args.action in ("backup", "restore"):
        return _backup_or_restore(args)
    if args.action == "region":
        return _join_region(args)
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
    if args.action in ("pair", "run"):
        from .tls import TlsError

        try:
            tls, public_tls, renew = _certificates(args, config.hall.name)
        except TlsError as e:
            print(e, file=sys.stderr)
            return 2
    if args.action == "pair":
        if args.role not in [r.value for r in Role] or not args.name:
            print("pair needs --role and --name (a device role: kiosk, caller, display or console)", file=sys.stderr)
            return 2
        try:
            device, token = service.pair_device_directly(Role(args.role), args.name, args.window)
        except DomainError:  # the only refusal: a caller without one of this hall's windows
            print("a caller needs --window with a window number of this hall", file=sys.stderr)
            return 2
        print(token)
        print(f"paired device {device['id']} ({args.role}, {args.name}); start it with --token and "
              f"--fingerprint {tls.fingerprint}", file=sys.stderr)
        print(f"hall CA fingerprint / 证书指纹: {tls.fingerprint}")
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
        print("console account `admin` set (set-password is kept for one release; "
              "use `hallq hub user add NAME --role admin`)")
        return 0
    if args.action == "user":
        return _user(service, args)
    service.session_idle = timedelta(minutes=max(1, args.session_idle_minutes))
    service.session_max = timedelta(hours=max(1, args.session_max_hours))
    if args.host in ("0.0.0.0", ""):
        from .discovery import lan_addresses  # zeroconf's import costs a restart 0.2 s: only when needed

        lan = (lan_addresses() or ["127.0.0.1"])[0]
    else:
        lan = args.host
    public = None
    if args.public_port:
        public = (args.public_host or args.host, args.public_port, public_tls)
        shown = args.public_host if args.public_host not in (None, "0.0.0.0", "") else lan
        scheme = "https" if public_tls else "http"
        service.public_url = service.public_url or f"{scheme}://{shown}:{args.public_port}"
    service.public_url = service.public_url or f"https://{lan}:{args.port}"
    print(f"hub: https://{lan}:{args.port} — hall CA fingerprint / 证书指纹: {tls.fingerprint}", flush=True)
    print(f"hub: ticket QR codes link to {service.public_url}", flush=True)
    serve_forever(service, args.host, args.port, tls, advertise=not args.no_zeroconf,
                  addresses=args.advertise_address, public=public, renew=renew, access_log=args.access_log)
    return 0


def _password(args) -> str:
    if args.password:
        return args.password
    first = getpass.getpass("密码 / password: ")
    if getpass.getpass("再输一次 / again: ") != first:
        raise SystemExit("the two passwords differ / 两次输入的密码不一致")
    return first


def _user(service, args) -> int:
    """Console accounts, on the hub's own machine. A running hub sees the change at once: a
    disabled account's sessions end within a second."""
    from .core.errors import DomainError
    from .messages import render

    what, *names = args.user_args or ["list"]
    actor = "hallq hub user"
    try:
        if what == "list":
            for u in service.user_list()["users"]:
                state = f"disabled {u['disabled_at']}" if u["disabled_at"] else "active"
                print(f"{u['name']}\t{u['role']}\t{state}")
            return 0
        if what not in ("add", "disable", "reset") or len(names) != 1:
            print("usage: hallq hub user add NAME --role admin|supervisor|viewer | list | disable NAME | reset NAME",
                  file=sys.stderr)
            return 2
        name = names[0]
        if what == "add":
            if args.role not in [r.value for r in AccountRole]:
                print("user add needs --role admin, supervisor or viewer", file=sys.stderr)
                return 2
            user = service.add_user(actor, name, args.role, _password(args))
        elif what == "disable":
            user = service.disable_user(actor, name)
        else:
            user = service.reset_user(actor, name, _password(args))
    except DomainError as e:
        zh, en = render(e.code, e.params)
        print(f"{zh} / {en}", file=sys.stderr)
        return 2
    print(f"{what}: {user['name']} ({user['role']}{', disabled' if user['disabled_at'] else ''})")
    return 0


def _certificates(args, hall_name: str):
    """(the device listener's HubTls, the citizen listener's or None for plain HTTP, how to renew the first
    or None for an installer's certificate, which the installer renews)."""
    from .tls import TlsError, hall_tls, hub_names, installer_tls

    if bool(args.cert) != bool(args.key) or bool(args.public_cert) != bool(args.public_key):
        raise TlsError("--cert 与 --key（--public-cert 与 --public-key）须同时给出 / "
                       "give --cert with --key (and --public-cert with --public-key)")
    public_tls = installer_tls(args.public_cert, args.public_key) if args.public_cert else None
    if args.cert:
        return installer_tls(args.cert, args.key), public_tls, None
    names = hub_names(args.host, args.tls_name)
    return hall_tls(args.db.parent, names, hall_name=hall_name), public_tls, \
        (lambda: hall_tls(args.db.parent, names, hall_name=hall_name))


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per device request buries what matters
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
