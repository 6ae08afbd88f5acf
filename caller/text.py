"""Every word the caller panel shows, Chinese first: {"key": ("中文", "English")}."""
from __future__ import annotations

LANGS = ("zh_CN", "en")

TEXT: dict[str, tuple[str, str]] = {
    "title": ("叫号器 · {window}", "Caller · {window}"),
    "window_label": ("{n}号窗口", "Window {n}"),
    # login
    "login_title": ("工作人员登录", "Clerk login"),
    "clerk_id": ("工号", "Clerk ID"),
    "pin": ("密码", "PIN"),
    "login": ("登录", "Log in"),
    "logout": ("退出", "Log out"),
    "login_missing": ("请输入工号和密码", "Enter your clerk ID and PIN"),
    # state
    "state_open": ("受理中", "Open"),
    "state_paused": ("暂停：{reason}", "Paused: {reason}"),
    "state_paused_short": ("暂停中", "Paused"),
    "state_closed": ("未登录", "Closed"),
    "clerk": ("{name}（{id}）", "{name} ({id})"),
    "no_ticket": ("当前无号", "No current ticket"),
    "called": ("已叫号，等候到窗", "Called, waiting at the desk"),
    "serving": ("办理中", "Being served"),
    "waited": ("已等 {minutes} 分钟", "Waited {minutes} min"),
    "priority": ("绿色通道", "Priority"),
    "appointment": ("预约", "Appointment"),
    "recalls": ("已重呼 {n} 次", "Recalled {n}×"),
    "waiting_here": ("本窗口等候 {n} 人", "{n} waiting for this window"),
    "in_grace": ("过号待回：{tickets} 后可叫", "Missed, back after: {tickets}"),
    "strand_title": ("还有群众在等候", "People are still waiting"),
    "strand_go": ("仍要离开", "Go anyway"),
    "strand_stay": ("留下继续叫号", "Stay and keep calling"),
    "served_today": ("今日已办 {n} 件", "Served today: {n}"),
    "nobody_waiting": ("暂无等候的群众", "Nobody is waiting"),
    "no_show_requeued": ("{number} 已过号，重新排队", "{number} missed the call; back in the queue"),
    "no_show_final": ("{number} 已过号作废", "{number} missed the call and lapsed"),
    "transferred_to": ("{number} 已转出", "{number} transferred"),
    # actions (button labels carry their shortcut)
    "call_next": ("叫号 F1", "Call next F1"),
    "recall": ("重呼 F2", "Recall F2"),
    "no_show": ("过号 F3", "No-show F3"),
    "transfer": ("转移 F4", "Transfer F4"),
    "finish": ("办结 F5", "Finish F5"),
    "pause": ("暂停 F6", "Pause F6"),
    "resume": ("恢复 F6", "Resume F6"),
    "serve": ("开始办理 F7", "Start F7"),
    # pause reasons
    "pause_title": ("请选择暂停原因", "Why are you pausing?"),
    "reason_lunch": ("午休", "Lunch break"),
    "reason_away": ("临时离开", "Away for a moment"),
    "reason_consult": ("业务咨询", "Consultation"),
    "reason_fault": ("系统故障", "System fault"),
    "reason_other": ("其他", "Other"),
    "ok": ("确定", "OK"),
    "cancel": ("取消", "Cancel"),
    # transfer
    "transfer_title": ("转移 {number}", "Transfer {number}"),
    "to_service": ("转到事项", "To a service"),
    "to_window": ("转到窗口", "To a window"),
    "filter": ("搜索…", "Search…"),
    # the waiting list and this window's day
    "line_title": ("本窗口等候队列（按叫号顺序）", "Waiting for this window (in calling order)"),
    "col_number": ("号码", "Number"),
    "col_service": ("事项", "Service"),
    "col_waited": ("已等", "Waited"),
    "col_marks": ("标记", "Marks"),
    "minutes": ("{n} 分", "{n} min"),
    "transferred": ("转入", "Transferred"),
    "longest_wait": ("最长已等 {minutes} 分钟", "Longest wait {minutes} min"),
    "longest_none": ("最长已等 —", "Longest wait —"),
    "average_service": ("平均办理 {minutes} 分钟", "Average service {minutes} min"),
    "average_none": ("平均办理 —", "Average service —"),
    "call_ticket": ("叫所选号 F9", "Call selected F9"),
    "finish_and_next": ("办结并叫下一位 F8", "Finish + next F8"),
    "choose_first": ("请先用 ↑↓ 在等候队列中选择一个号", "Choose a number in the list first (↑/↓)"),
    "call_title": ("叫 {number}：请选择原因", "Call {number}: why out of turn?"),
    "keys_hint": ("↑↓ 选号 · Enter 或 F9 叫所选号（再选原因）", "↑/↓ choose · Enter or F9 calls it (then a reason)"),
    "transfer_hint": ("输入搜索 · ↑↓ 选择 · F4 切换事项/窗口 · Enter 确定 · Esc 返回",
                      "Type to search · ↑/↓ choose · F4 services/windows · Enter confirm · Esc back"),
    # connection
    "offline": ("与服务器的连接已断开", "Connection to the hub lost"),
    "retrying": ("正在重试…", "Retrying…"),
    "state_offline": ("已断开", "Disconnected"),
    "state_reconnecting": ("重连中", "Reconnecting"),
    "working": ("处理中…", "Working…"),
}

PAUSE_REASONS = ("reason_lunch", "reason_away", "reason_consult", "reason_fault", "reason_other")


def tr(key: str, lang: str = "zh_CN", **values) -> str:
    zh, en = TEXT[key]
    return (en if lang == "en" else zh).format(**values)
