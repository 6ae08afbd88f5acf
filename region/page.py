"""The region console's pages, in the hall console's look (its stylesheet, hub/static/console.css):
sign-in, every hall live, one hall drilled down. Rendered on the server from the projections, run no
script (forms and links only), and the live ones refresh every few seconds."""
from __future__ import annotations

from datetime import datetime, tzinfo
from html import escape
from urllib.parse import quote, urlencode

from .messages import PAGE, error_body

REFRESH_SECONDS = 10


def text(key: str) -> str:
    zh, en = PAGE[key]
    return f"{escape(zh)} / {escape(en)}"


def _label(key: str) -> str:
    zh, en = PAGE[key]
    return f'{escape(zh)}<br><span class="muted">{escape(en)}</span>'


def _local(moment: str | None, tz: tzinfo) -> str:
    return datetime.fromisoformat(moment).astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _offset(seconds: int) -> str:
    return f"{seconds / 60:+.1f}" if seconds else "0"


def _minutes(seconds) -> str:
    return "" if seconds is None else f"{float(seconds) / 60:.1f}"


def _table(table_id: str, keys: tuple[str, ...], rows: list[str]) -> str:
    heads = "".join(f"<th>{_label(k)}</th>" for k in keys)
    return (f'<table class="grid" id="{table_id}"><thead><tr>{heads}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def shell(title_key: str, body: str, account=None, refresh: bool = False, nav: str = "") -> str:
    """A whole page: the top bar (the person signed in, sign-out), then `body`."""
    zh, en = PAGE[title_key]
    meta = f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">' if refresh else ""
    top = ""
    if account is not None:
        links = "".join(f'<a href="{href}"{" class=active" if key == nav else ""}>{escape(PAGE[key][0])}</a>'
                        for key, href in (("nav_halls", "/"), ("nav_reports", "/reports")))
        top = (f'<nav>{links}</nav><div class="top-right"><span class="me" id="me">{escape(account.name)}'
               f' · {escape(PAGE["role_" + account.role][0])}</span><form method="post" action="/logout">'
               f'<button class="ghost" type="submit">{text("sign_out")}</button></form></div>')
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">{meta}
<title>{escape(zh)} · HallQ</title><link rel="stylesheet" href="/static/console.css"></head>
<body><header class="topbar"><div class="brand"><span class="logo">Q</span>
<span>{escape(zh)} / {escape(en)}</span></div>{top}</header><main>{body}</main></body></html>"""


def render_login(error: str | None = None, params: dict | None = None) -> str:
    message = ""
    if error:
        body = error_body(error, **(params or {}))
        message = f'{escape(body["message"])}<br>{escape(body["message_en"])}'
    form = f"""<section class="login"><form class="login-card" method="post" action="/login">
<div class="login-brand"><span class="logo">Q</span> HallQ</div><h1>{text("sign_in_title")}</h1>
<label class="field"><span>{text("user")}</span><input name="name" autocomplete="username" maxlength="40" required></label>
<label class="field"><span>{text("password")}</span>
<input type="password" name="password" autocomplete="current-password" maxlength="200" required></label>
<p class="error" role="alert" id="sign-in-error">{message}</p>
<button type="submit" class="primary wide">{text("sign_in")}</button></form></section>"""
    zh, en = PAGE["sign_in_title"]
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(zh)} · HallQ</title>
<link rel="stylesheet" href="/static/console.css"></head><body>{form}</body></html>"""


def _hall_row(h: dict, tz: tzinfo) -> str:
    def warn(alert: str) -> str:
        return " warn" if alert in h["alerts"] else ""

    labels = "<br>".join(escape(PAGE["alert_" + a][0]) for a in h["alerts"])
    cells = [
        f'<td><a href="/halls/{quote(h["code"])}">{escape(h["name"])}</a><br>'
        f'<span class="muted mono">{escape(h["code"])}</span></td>',
        f'<td class="num">{h["waiting"]}</td>',
        f'<td class="num">{h["open_windows"]}</td>',
        f'<td class="num{warn("long_wait")}">{round(h["longest_wait_s"] / 60)}</td>',
        f'<td class="num{warn("faulty")}">{h["faulty_devices"]}</td>',
        f'<td class="mono{warn("silent")}">{_local(h["last_received_at"], tz)}</td>',
        f'<td class="num{warn("clock")}">{_offset(h["clock_offset_s"])}</td>',
        f'<td class="num">{h["acked_seq"]}</td>',
        f'<td class="warn alerts">{labels}</td>',
    ]
    return f'<tr data-hall="{escape(h["code"])}">{"".join(cells)}</tr>'


HALL_COLUMNS = ("hall", "waiting", "open_windows", "longest_wait", "faults", "last_seen", "clock_offset", "acked",
                "alerts")


def render_overview(halls: list[dict], tz: tzinfo, account) -> str:
    """`tz`: the region's time zone, in which times are shown."""
    table = _table("halls", HALL_COLUMNS, [_hall_row(h, tz) for h in halls])
    return shell("title", f'<div class="panel">{table}</div>', account, refresh=True, nav="nav_halls")


def render_hall(detail: dict, tz: tzinfo, account) -> str:
    h = detail["hall"]
    waiting = [f'<tr data-service="{escape(w["service_id"])}"><td>{escape(w["service_id"])}</td>'
               f'<td class="num">{w["waiting"]}</td><td class="num">{round(w["longest_wait_s"] / 60)}</td></tr>'
               for w in detail["waiting"]]
    windows = [f'<tr data-window="{w["window_id"]}"><td class="num">{w["window_id"]}</td>'
               f'<td>{escape(PAGE["window_" + w["state"]][0] if "window_" + w["state"] in PAGE else w["state"])}</td>'
               f'<td class="mono">{escape(w["clerk_id"] or "")}</td></tr>' for w in detail["windows"]]
    faults = [f'<tr><td class="mono">{escape(f["device"])}</td><td class="warn">{escape(f["fault"])}</td></tr>'
              for f in detail["faults"]]
    days = [f'<tr><td class="mono">{d["day"].isoformat()}</td><td>{escape(d["service_id"])}</td>'
            f'<td class="num">{d["tickets"]}</td><td class="num">{d["served"]}</td><td class="num">{d["no_shows"]}</td>'
            f'<td class="num">{_minutes(d["avg_wait_s"])}</td><td class="num">{_minutes(d["avg_service_s"])}</td></tr>'
            for d in detail["days"]]
    body = f"""<div class="section-head"><h2 id="hall-name">{escape(h["name"])}</h2>
<span class="muted mono">{escape(h["code"])}</span><a href="/">{text("back")}</a></div>
<div class="panel">{_table("summary", HALL_COLUMNS, [_hall_row(h, tz)])}</div>
<div class="two-col"><div class="panel"><h2>{text("waiting_by_service")}</h2>
{_table("waiting", ("service", "waiting", "longest_wait"), waiting)}</div>
<div class="panel"><h2>{text("windows")}</h2>{_table("windows", ("window", "state", "clerk"), windows)}
<h2>{text("faults")}</h2>{_table("faults", ("device", "fault"), faults)}</div></div>
<div class="section-head"><h2>{text("recent_days")}</h2></div>
<div class="panel">{_table("days", ("day", "service", "tickets", "served", "no_shows", "wait_mean_min",
                                         "service_mean_min"),
                          days)}</div>"""
    return shell("title", body, account, refresh=True, nav="nav_halls")


def _cell(value) -> str:
    return "" if value is None else escape(str(value))


def render_reports(report: dict, halls: list[tuple[str, str]], account, error: str = "") -> str:
    """The report form (a GET form: the address is the report, to bookmark or share), its table, exports."""
    from .reports import FIGURES, GROUPINGS

    query = urlencode({k: v for k, v in (("from", report["from"]), ("to", report["to"]), ("by", report["by"]),
                                         ("hall", report["hall"])) if v})
    options = "".join(f'<option value="{g}"{" selected" if g == report["by"] else ""}>{text("by_" + g)}</option>'
                      for g in GROUPINGS)
    hall_options = f'<option value="">{text("all_halls")}</option>' + "".join(
        f'<option value="{escape(code)}"{" selected" if code == report["hall"] else ""}>{escape(name)}</option>'
        for code, name in halls)
    form = f"""<form class="panel form" method="get" action="/reports" id="report-form">
<label>{text("from")} <input type="date" name="from" value="{escape(report["from"])}"></label>
<label>{text("to")} <input type="date" name="to" value="{escape(report["to"])}"></label>
<label>{text("group_by")} <select name="by">{options}</select></label>
<label>{text("by_hall")} <select name="hall">{hall_options}</select></label>
<button class="primary" type="submit">{text("show")}</button>
<a id="csv" href="/reports.csv?{escape(query)}">{text("export_csv")}</a>
<a id="xlsx" href="/reports.xlsx?{escape(query)}">{text("export_xlsx")}</a>
<p class="error" role="alert">{escape(error)}</p></form>"""
    rows = [f'<tr data-key="{escape(r["key"])}"><td>{escape(r["name"] or r["key"])}</td>'
            + "".join(f'<td class="num">{_cell(r[f])}</td>' for f in FIGURES) + "</tr>" for r in report["rows"]]
    if report["total"]:
        rows.append(f'<tr class="total" data-key=""><td><b>{text("total")}</b></td>'
                    + "".join(f'<td class="num"><b>{_cell(report["total"][f])}</b></td>' for f in FIGURES) + "</tr>")
    table = _table("report", ("by_" + report["by"], *FIGURES), rows)
    zh, en = PAGE["definitions"]
    body = (f'{form}<div class="panel">{table}<p class="help" id="definitions">{escape(zh)}<br>{escape(en)}</p></div>')
    return shell("reports_title", body, account, nav="nav_reports")


def _hours(row: dict) -> str:
    if row["always_open"]:
        return escape(PAGE["always_open"][0])
    return "<br>".join(f'{escape(h["days"])} {escape(h["open"])}–{escape(h["close"])}' for h in row["hours"])


def render_nearby(services: list[tuple], chosen: str | None, halls: list[dict]) -> str:
    """就近办: pick a service, see the halls offering it, fewest waiting first. Open to anyone."""
    options = "".join(f'<option value="{escape(sid)}"{" selected" if sid == chosen else ""}>'
                      f'{escape(name)}{" / " + escape(name_en) if name_en else ""}</option>'
                      for sid, name, name_en, _ in services)
    form = (f'<form class="panel form" method="get" action="/nearby" id="nearby-form"><label>{text("service")} '
            f'<select name="service">{options}</select></label> '
            f'<button class="primary" type="submit">{text("show")}</button></form>')
    rows = []
    for h in halls:
        link = (f'<a href="{escape(h["url"])}" rel="noopener">{text("go_to_hall")}</a>' if h["url"] else "")
        rows.append(f'<tr data-hall="{escape(h["code"])}"><td>{escape(h["name"])}</td>'
                    f'<td class="num">{h["waiting"]}</td><td class="num">{round(h["longest_wait_s"] / 60)}</td>'
                    f'<td>{_hours(h)}</td><td>{link}</td></tr>')
    table = (f'<div class="panel">{_table("nearby", ("hall", "waiting", "longest_wait", "hours", "book"), rows)}</div>'
             if chosen else "")
    return shell("nearby_title", form + table, refresh=bool(chosen))
