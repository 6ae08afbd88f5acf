"""Every word the wall display shows, Chinese first: {"key": ("中文", "English")}."""
from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    "window_label": ("{n}号窗口", "Window {n}"),
    "call_line": ("{number} → {window}", "{number} → {window}"),
    "please": ("请{number}号到{window}办理", "Number {number}, please go to {window}"),
    "no_calls": ("请留意叫号", "Please wait for your number"),
    "recent": ("最近叫号", "Recent calls"),
    "waiting": ("等候人数", "Waiting"),
    "zone_count": ("{n} 人", "{n}"),
    "zone_closed": ("休息中", "Closed"),
    "offline": ("连接中断，正在重新连接…", "Connection lost; reconnecting…"),
    "zone_key": ("{prefix} {n}人", "{prefix} {n}"),
    # the small screen above one window
    "win_called": ("请{number}号到本窗口办理", "Number {number}, please come to this window"),
    "win_serving": ("正在办理", "Now serving"),
    "win_free": ("请留意叫号", "Next number soon"),
    "win_closed": ("本窗口暂停服务", "This window is closed"),
    "win_clerk": ("工作人员：{name}", "Clerk: {name}"),
    "win_idle_number": ("—", "—"),
    # a zone's screen
    "zone_waiting": ("等候 {n} 人", "{n} waiting"),
    "zone_free": ("空闲", "Free"),
    "zone_paused": ("暂停", "Paused"),
    "zone_window_closed": ("未开放", "Closed"),
    "zone_unknown": ("本大厅没有这个分区：{zone}", "This hall has no zone {zone}"),
    "win_paused_big": ("暂停服务", "Paused"),
    "win_paused_reason": ("原因：{reason}", "Reason: {reason}"),
    "weekday": ("星期一 星期二 星期三 星期四 星期五 星期六 星期日", "Mon Tue Wed Thu Fri Sat Sun"),
}


def tr(key: str, lang: str = "zh_CN", **values) -> str:
    zh, en = TEXT[key]
    return (en if lang == "en" else zh).format(**values)
