"""The region's page: every hall live, in the hall console's look (its stylesheet, hub/static/console.css).
Rendered on the server from the projections and refreshed every few seconds."""
from __future__ import annotations

from datetime import datetime, tzinfo
from html import escape

from .messages import PAGE

REFRESH_SECONDS = 10


def _label(key: str) -> str:
    zh, en = PAGE[key]
    return f'{escape(zh)}<br><span class="muted">{escape(en)}</span>'


def _local(moment: str | None, tz: tzinfo) -> str:
    return datetime.fromisoformat(moment).astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _row(h: dict, tz: tzinfo) -> str:
    wait = round(h["longest_wait_s"] / 60)
    faults = h["faulty_devices"]
    cells = [
        f'<td>{escape(h["name"])}<br><span class="muted mono">{escape(h["code"])}</span></td>',
        f'<td class="num">{h["waiting"]}</td>',
        f'<td class="num">{h["open_windows"]}</td>',
        f'<td class="num">{wait}</td>',
        f'<td class="num{" warn" if faults else ""}">{faults}</td>',
        f'<td class="mono">{_local(h["last_event_at"], tz)}</td>',
        f'<td class="num">{h["acked_seq"]}</td>',
    ]
    return f'<tr data-hall="{escape(h["code"])}">{"".join(cells)}</tr>'


def render_page(halls: list[dict], tz: tzinfo) -> str:
    """`tz`: the region's time zone, in which times are shown."""
    zh, en = PAGE["title"]
    heads = "".join(f"<th>{_label(k)}</th>" for k in
                    ("hall", "waiting", "open_windows", "longest_wait", "faults", "last_seen", "acked"))
    rows = "".join(_row(h, tz) for h in halls)
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta http-equiv="refresh" content="{REFRESH_SECONDS}">
<title>{escape(zh)} · HallQ</title><link rel="stylesheet" href="/static/console.css"></head>
<body><header class="topbar"><div class="brand"><span class="logo">Q</span>
<span>{escape(zh)} / {escape(en)}</span></div></header><main><div class="panel"><table class="grid" id="halls"><thead><tr>{heads}</tr></thead>
<tbody>{rows}</tbody></table></div></main></body></html>"""
