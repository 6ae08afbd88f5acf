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
    "BAD_RANGE": ("日期范围无效：{detail}（格式 YYYY-MM-DD，起不晚于止，至多 366 天）",
                  "Bad date range: {detail} (YYYY-MM-DD, from not after to, at most 366 days)"),
    "BAD_GROUPING": ("无法按 {by} 分组（可用：hall、zone、service、day、clerk）",
                     "Cannot group by {by} (hall, zone, service, day or clerk)"),
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
    "alerts": ("提醒", "Alerts"),
    "alert_long_wait": ("有人已等候 30 分钟以上", "Someone has waited 30 min or more"),
    "alert_silent": ("有人等候，但大厅 15 分钟未上报", "People wait, but no report for 15 min"),
    "alert_faulty": ("设备故障", "A device is faulty"),
    "alert_clock": ("大厅时钟偏差 1 分钟以上", "Hall clock off by a minute or more"),
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
    "wait_mean_min": ("平均等候（分钟）", "Mean wait (min)"),
    "wait_p90_min": ("90% 等候不超过（分钟）", "p90 wait (min)"),
    "service_mean_min": ("平均办理（分钟）", "Mean service (min)"),
    "cancelled": ("取消", "Cancelled"),
    "rated": ("评价数", "Ratings"),
    "satisfaction_pct": ("满意率 %", "Satisfied %"),
    "bad": ("差评", "Bad ratings"),
    "bad_handled_pct": ("差评处置率 %", "Bad ratings followed up %"),
    "bad_rectified_pct": ("差评整改率 %", "Bad ratings rectified %"),
    "by_hall": ("大厅", "Hall"),
    "by_zone": ("区域", "Zone"),
    "by_service": ("事项", "Service"),
    "by_day": ("日期", "Day"),
    "by_clerk": ("工作人员（首次叫号）", "Clerk (first call)"),
    "total": ("全部大厅合计", "All halls"),
    "reports_title": ("跨厅报表", "Cross-hall report"),
    "nearby_title": ("就近办：哪个大厅能办、现在要等多久", "Near you: which halls offer a service, and the wait now"),
    "hours": ("开放时间", "Opening hours"),
    "always_open": ("24 小时自助", "Open 24 hours (self-service)"),
    "book": ("预约 / 前往", "Book / go"),
    "go_to_hall": ("大厅网页", "Hall's page"),
    "from": ("起", "From"),
    "to": ("止", "To"),
    "group_by": ("分组", "By"),
    "all_halls": ("全部大厅", "All halls"),
    "show": ("查询", "Show"),
    "export_csv": ("导出 CSV", "Export CSV"),
    "export_xlsx": ("导出 Excel", "Export XLSX"),
    "definitions": ("口径：等候 = 取号至首次叫号，仅计到窗口者；办理 = 开始办理（或叫号）至办结；90% 等候按分钟分档内插，"
                    "误差不超过所在档宽；满意率 = 基本满意及以上 / 评价数；差评 = 1–2 分；差评处置率 = 大厅已处理或已整改的差评 / 差评；"
                    "差评整改率 = 已整改的差评 / 差评；按工作人员：该人员首次叫号的票，未叫号的票不计入。",
                    "Definitions: wait = issued to first call, for tickets that reached a window; service = serving "
                    "(or call) to finished; p90 wait from minute buckets, interpolated, right to within its bucket; "
                    "satisfied % = rated 3 or better / ratings; bad = rated 1-2; followed up % = bad ratings the hall "
                    "handled or rectified / bad ratings; rectified % = bad ratings rectified / bad ratings; by clerk: the "
                    "tickets the clerk called first; tickets never called belong to no clerk."),
    "window_open": ("开放", "open"),
    "window_paused": ("暂停", "paused"),
    "window_closed": ("关闭", "closed"),
}


class Refusal(Exception):
    """A request refused with a code of MESSAGES (the API answers it as error_body, with `status`)."""

    def __init__(self, status: int, code: str, **params):
        self.status, self.code, self.params = status, code, params


def error_body(code: str, **params) -> dict:
    zh, en = MESSAGES[code]
    return {"code": code, "message": zh.format(**params), "message_en": en.format(**params), "params": params}
