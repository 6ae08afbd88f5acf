"""What the region says to people and to halls, zh_CN first. Codes are stable; texts may improve.
Errors take the hub's form: {code, message, message_en, params}."""
from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "BAD_CREDENTIAL": ("大厅凭证无效或已停用，未接收任何数据；请向区域管理员重新申领",
                       "The hall credential is wrong or revoked; nothing was stored. "
                       "Ask the region's admin for a new one"),
    "BAD_BATCH": ("上报的事件有误：{detail}；未接收任何数据", "The events sent are not valid: {detail}; nothing was stored"),
    "SEQ_GAP": ("事件不连续：区域已确认到第 {acked} 条，请从第 {next} 条续传",
                "Events out of order: the region holds up to seq {acked}; resume from {next}"),
    "NOT_FOUND": ("没有这个接口", "No such endpoint"),
    "STORAGE": ("区域数据库暂时不可用，未接收任何数据，请稍后重试",
                "The region's database is unavailable; nothing was stored, retry later"),
    "INTERNAL": ("区域服务内部错误，未接收任何数据，请联系管理员",
                 "Internal error at the region; nothing was stored, contact the administrator"),
    "NO_HALL": ("没有这个大厅：{hall}", "No such hall: {hall}"),
    "SIGN_IN_NEEDED": ("请先登录区域管理台（或登录已过期）", "Sign in to the region console first (or the session has ended)"),
    "SIGN_IN_WRONG": ("用户名或密码不正确", "Wrong user name or password"),
    "SIGN_IN_LOCKED": ("尝试次数过多，请 {minutes} 分钟后再试", "Too many attempts; try again in {minutes} min"),
    "ROLE_FORBIDDEN": ("需要管理员账号", "An administrator account is needed"),
    "ACCOUNT_NAME": ("用户名须为 1–40 个可显示字符", "A user name is 1-40 printable characters"),
    "ACCOUNT_ROLE": ("没有这个角色：{role}（可用：admin 管理员、viewer 只读）",
                     "No such role: {role} (admin or viewer)"),
    "PASSWORD_SHORT": ("密码至少 {min} 个字符", "A password has at least {min} characters"),
    "ACCOUNT_EXISTS": ("已有同名账号：{name}", "An account named {name} exists already"),
    "NO_ACCOUNT": ("没有这个账号：{name}", "No such account: {name}"),
}

PAGE: dict[str, tuple[str, str]] = {
    "title": ("区域大厅总览", "Region: every hall"),
    "hall": ("大厅", "Hall"),
    "waiting": ("等候人数", "Waiting"),
    "open_windows": ("开放窗口", "Open windows"),
    "longest_wait": ("最长等候（分钟）", "Longest wait (min)"),
    "faults": ("故障设备", "Faulty devices"),
    "last_seen": ("最近上报（区域时间）", "Last report (region time)"),
    "clock_offset": ("大厅时钟偏差（分钟）", "Hall clock off by (min)"),
    "acked": ("已接收事件", "Events received"),
    "sign_in_title": ("区域管理台登录", "Region console sign-in"),
    "user": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "sign_in": ("登录", "Sign in"),
    "sign_out": ("退出", "Sign out"),
    "role_admin": ("管理员", "administrator"),
    "role_viewer": ("只读查看", "viewer"),
    "nav_halls": ("大厅总览", "Halls"),
    "nav_reports": ("跨厅报表", "Reports"),
    "back": ("返回总览", "Back to all halls"),
    "waiting_by_service": ("各事项等候", "Waiting by service"),
    "windows": ("窗口", "Windows"),
    "recent_days": ("近 7 天各事项", "Last 7 days by service"),
    "service": ("事项", "Service"),
    "window": ("窗口", "Window"),
    "state": ("状态", "State"),
    "clerk": ("工作人员", "Clerk"),
    "device": ("设备", "Device"),
    "fault": ("故障", "Fault"),
    "day": ("日期", "Day"),
    "tickets": ("取号", "Tickets"),
    "served": ("办结", "Served"),
    "no_shows": ("过号", "No-shows"),
    "wait_mean": ("平均等候（分钟）", "Mean wait (min)"),
    "service_mean": ("平均办理（分钟）", "Mean service (min)"),
    "window_open": ("开放", "open"),
    "window_paused": ("暂停", "paused"),
    "window_closed": ("关闭", "closed"),
}


def error_body(code: str, **params) -> dict:
    zh, en = MESSAGES[code]
    return {"code": code, "message": zh.format(**params), "message_en": en.format(**params), "params": params}
