"""What each report figure means, in zh_CN and English: the one catalogue the reports page (tooltips
and footnotes), the CSV and the XLSX export all read, so a figure never travels without its definition."""
from __future__ import annotations

# key -> (label zh, label en, definition zh, definition en)
TERMS: dict[str, tuple[str, str, str, str]] = {
    "tickets": ("取号数", "Tickets",
                "当日发出的号（含预约签到的号）；一张号转办到别的窗口仍算一张。",
                "Tickets issued (appointment check-ins included); a transferred ticket still counts once."),
    "calls": ("叫号次数", "Calls",
              "窗口叫号的次数：每次叫到窗口算一次（转办后再叫、过号重排后再叫都另算），重呼不另算。",
              ("Times a window called a ticket: each call to a window counts (again after a transfer or a "
              "no-show requeue); a repeat announcement (recall) does not.")),
    "services": ("接待次数", "Services",
                 "窗口实际接待的次数：叫到后办结或转办出去的每次到窗（过号不算）。",
                 ("Window visits where the citizen was attended: called and then finished or transferred "
                 "onwards (no-shows excluded).")),
    "done": ("办结", "Done", "在窗口办结的号。", "Tickets finished at a window."),
    "no_show_presses": ("过号次数", "No-show presses",
                        "窗口按“过号”的次数（含过号后重新排队的）。",
                        "Times a clerk pressed no-show, including those put back in line."),
    "no_show": ("过号作废", "No-show lapses",
                "过号次数用尽后作废、不再叫的号。",
                "Tickets that lapsed: no-show after the hall's requeues were used up, never called again."),
    "cancelled": ("取消", "Cancelled", "群众或取号机在叫号前取消的号。",
                  "Tickets cancelled before a call, by the citizen or the kiosk."),
    "day_end": ("日终作废", "Cancelled at day end",
                "营业日结束时仍在等候或未办结的号，按日终作废计（营业日已过即计，无需等次日第一笔业务）。",
                ("Tickets still waiting or at a window when the business day ended, counted as cancelled at day "
                "end (as soon as the day is over by the clock, not when the next day's first command arrives).")),
    "open": ("未办结", "Still open",
             "统计时仍在等候或正在窗口办理的号（只可能出现在当天）。",
             "Tickets waiting or at a window when the report was made (only on a day not yet over)."),
    "transfers": ("转办次数", "Transfers", "从窗口转到其他事项或窗口的次数。",
                  "Times a window transferred a ticket to another service or window."),
    "recalls": ("重呼次数", "Recalls", "同一次叫号重复播报的次数。", "Repeat announcements of a call."),
    "wait_mean": ("平均等候(分)", "Mean wait (min)",
                  "等候 = 取号到第一次被叫的分钟数（转办后在新窗口的等候和前一窗口的办理时间不计入）；只计被叫过的号。",
                  ("Wait = minutes from issue to the FIRST call (time at a first window and after a transfer is "
                  "not included); tickets never called are left out.")),
    "wait_median": ("等候中位数(分)", "Median wait (min)", "等候（取号到第一次被叫）的中位数。",
                    "Median of the waits (issue to first call)."),
    "wait_p90": ("等候P90(分)", "P90 wait (min)", "90% 的号等候不超过此值（取最近秩）。",
                 "90% of waits are at or below this (nearest rank)."),
    "service_mean": ("平均办理(分)", "Mean service (min)",
                     "办理 = 每次到窗的办理分钟数：从开始办理（未按则从叫号）到办结或转办；一张号转办后各窗口分别计。",
                     ("Service = minutes of each window visit: from serving (or the call, if not pressed) to "
                     "finished or transferred; each window of a transferred ticket counts on its own.")),
    "service_median": ("办理中位数(分)", "Median service (min)", "每次到窗办理时间的中位数。",
                       "Median of the per-visit service times."),
    "service_p90": ("办理P90(分)", "P90 service (min)", "90% 的到窗办理不超过此值（取最近秩）。",
                    "90% of visits' service times are at or below this (nearest rank)."),
    "visit_wait_mean": ("叫号前平均等候(分)", "Mean wait before the call (min)",
                        "本窗口每次叫号前，该号排队的分钟数：从取号、转入或过号重排起，到本窗口叫号。",
                        ("Per call at this window: minutes the ticket had been in line since it was issued, "
                        "transferred in or put back after a no-show.")),
    "evaluations": ("评价数", "Ratings", "收到的评价数；按窗口和人员时计在办结的那次到窗。",
                    "Ratings received; by window and clerk, credited to the visit that finished the ticket."),
    "satisfaction": ("满意率(%)", "Satisfaction (%)", "基本满意及以上的评价占全部评价的百分比。",
                     "Share of ratings that are 'fairly satisfied' or better, in percent."),
    "bad": ("差评", "Poor ratings", "不满意和非常不满意的评价。", "Ratings of dissatisfied or very dissatisfied."),
    "appointments": ("预约签到", "Checked-in appointments", "签到取号的预约。",
                     "Appointments checked in (a ticket issued for them)."),
    "early": ("提前", "Early",
              "早于本厅允许的提前签到时间（时段开始前 {early} 分钟）签到。",
              "Checked in before the hall's early window ({early} min before the slot starts)."),
    "on_time": ("准时", "On time",
                "在本厅的签到窗口内：时段开始前 {early} 分钟至时段结束后 {late} 分钟。",
                "Inside the hall's check-in window: from {early} min before the slot to {late} min after it ends."),
    "after_slot": ("其中宽限内", "Of which in the late grace",
                   "准时中，在时段结束后、{late} 分钟宽限内签到的。",
                   "On-time check-ins made after the slot ended, within the {late} min grace."),
    "late": ("迟到", "Late", "晚于时段结束后 {late} 分钟签到。",
             "Checked in more than {late} min after the slot ended."),
    "on_time_rate": ("准时率(%)", "On-time rate (%)", "准时签到占全部签到的百分比。",
                     "On-time check-ins as a share of all check-ins, in percent."),
}


def label(key: str, lang: str = "zh") -> str:
    entry = TERMS.get(key)
    return key if entry is None else entry[1 if lang == "en" else 0]


def definitions(params: dict) -> dict[str, dict[str, str]]:
    """Every figure's definition in both languages, with the hall's own settings filled in."""
    return {k: {"zh": zh.format(**params), "en": en.format(**params)} for k, (_, _, zh, en) in TERMS.items()}
