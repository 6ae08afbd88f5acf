"""`hallq region` — the county's server.

  hallq region [run] --dsn DSN [--dir DIR] [--host H] [--port 8700]   serve (HTTPS, the region CA in DIR)
  hallq region migrate --dsn DSN                     bring the schema up to date (run also does)
  hallq region hall add CODE --name NAME --dsn DSN   register a hall; prints its credential (once)
  hallq region hall list --dsn DSN
  hallq region rebuild --dsn DSN                     fold every stored event into the projections again
  hallq region account add NAME --role admin|viewer --dsn DSN   a console account (asks for its password;
                                                     or one line on stdin when not at a terminal)
  hallq region account list | account disable NAME --dsn DSN

DSN: a libpq connection string, e.g. "host=127.0.0.1 dbname=hallq_region user=hallq"; default: $HALLQ_REGION_DSN.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from .server import DEFAULT_PORT

DEFAULT_DIR = Path("hallq-region")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hallq region", description="HallQ 区域服务 / the region server")
    p.add_argument("action", nargs="?", default="run", choices=["run", "migrate", "hall", "account", "rebuild"])
    p.add_argument("hall_args", nargs="*", metavar="add CODE | list | disable NAME")
    p.add_argument("--dsn", default=os.environ.get("HALLQ_REGION_DSN", ""), help="PostgreSQL connection string")
    p.add_argument("--dir", type=Path, default=DEFAULT_DIR,
                   help=f"the region CA and certificate (default {DEFAULT_DIR})")
    p.add_argument("--host", default="0.0.0.0")
    p.add_argument("--port", type=int, default=DEFAULT_PORT)
    p.add_argument("--tls-name", action="append", default=[], help="another name the certificate must cover")
    p.add_argument("--name", help="with hall add: the hall's name")
    p.add_argument("--role", default="viewer", help="with account add: admin or viewer")
    p.add_argument("--timezone", default="Asia/Shanghai", help="the time zone the region's pages show times in")
    return p


def _hall(conn, args) -> int:
    from datetime import datetime, timezone

    from .halls import add_hall, halls
    from .server import region_tls

    what, *rest = args.hall_args or ["list"]
    if what == "list":
        for h in halls(conn):
            print(f"{h.code}\t{h.name}\tacked seq {h.acked_seq}")
        return 0
    if what != "add" or len(rest) != 1 or not args.name:
        print("usage: hallq region hall add CODE --name NAME | hall list", file=sys.stderr)
        return 2
    credential = add_hall(conn, rest[0], args.name, datetime.now(timezone.utc))
    tls = region_tls(args.dir, args.host, args.tls_name)
    print(credential)
    print(f"hall {rest[0]} registered; give the hall this credential and the region CA "
          f"{tls.certfile.parent / 'hall-ca.pem'} (fingerprint {tls.fingerprint}) / "
          f"请将凭证与区域证书交给该大厅", file=sys.stderr)
    return 0


def _password() -> str:
    import getpass

    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password / 密码: ")
    if getpass.getpass("again / 再输一次: ") != first:
        print("the two passwords differ / 两次密码不一致", file=sys.stderr)
        return ""
    return first


def _account(conn, args) -> int:
    from datetime import datetime, timezone

    from .accounts import AccountError, accounts, add_account, disable_account
    from .messages import error_body

    what, *rest = args.hall_args or ["list"]
    try:
        if what == "list":
            for a in accounts(conn):
                print("\t".join([a["name"], a["role"], *(["disabled"] if a["disabled"] else [])]))
            return 0
        if what in ("add", "disable") and len(rest) == 1:
            if what == "add":
                add_account(conn, rest[0], args.role, _password(), datetime.now(timezone.utc))
            else:
                disable_account(conn, rest[0], datetime.now(timezone.utc))
            print(f"account {rest[0]}: {what} done / 已完成", file=sys.stderr)
            return 0
    except AccountError as e:
        body = error_body(e.code, **e.params)
        print(f"{body['message']} / {body['message_en']}", file=sys.stderr)
        return 2
    print("usage: hallq region account add NAME --role admin|viewer | account list | account disable NAME",
          file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    args = _parser().parse_args(argv)
    if not args.dsn:
        print("give --dsn or set HALLQ_REGION_DSN / 请用 --dsn 指定 PostgreSQL 连接", file=sys.stderr)
        return 2
    import psycopg

    from .schema import SchemaError, migrate

    if args.action == "run":
        from .server import serve_forever

        serve_forever(args.dsn, args.dir, args.host, args.port, args.tls_name, args.timezone)
        return 0
    try:
        with psycopg.connect(args.dsn, autocommit=True) as conn:
            version = migrate(conn)
            if args.action == "migrate":
                print(f"region schema at version {version}")
                return 0
            if args.action == "hall":
                return _hall(conn, args)
            if args.action == "account":
                return _account(conn, args)
            from .projections import rebuild

            print(f"rebuilt the projections from {rebuild(conn)} events")
            return 0
    except (psycopg.OperationalError, SchemaError) as e:
        print(f"region database error / 区域数据库错误: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
