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
}

PAGE: dict[str, tuple[str, str]] = {
    "title": ("区域大厅总览", "Region: every hall"),
    "hall": ("大厅", "Hall"),
    "waiting": ("等候人数", "Waiting"),
    "open_windows": ("开放窗口", "Open windows"),
    "longest_wait": ("最长等候（分钟）", "Longest wait (min)"),
    "faults": ("故障设备", "Faulty devices"),
    "last_seen": ("最近上报", "Last report"),
    "acked": ("已接收事件", "Events received"),
}


def error_body(code: str, **params) -> dict:
    zh, en = MESSAGES[code]
    return {"code": code, "message": zh.format(**params), "message_en": en.format(**params), "params": params}
