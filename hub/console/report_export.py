"""A report as CSV (UTF-8 with BOM, so Excel shows Chinese) or XLSX (one sheet per breakdown)."""
from __future__ import annotations

import csv
import io

from ..core.vocabulary import RATING_SCORES

LABELS: dict[str, tuple[str, str]] = {
    "summary": ("汇总", "Summary"),
    "by_zone": ("按区域", "By zone"),
    "by_service": ("按事项", "By service"),
    "by_window": ("按窗口", "By window"),
    "by_clerk": ("按工作人员", "By clerk"),
    "by_day": ("按日期", "By day"),
    "by_hour": ("按小时", "By hour"),
    "punctuality": ("预约守时", "Appointment punctuality"),
    "evaluations": ("评价", "Evaluations"),
    "key": ("编号", "Key"),
    "name": ("名称", "Name"),
    "tickets": ("取号数", "Tickets"),
    "done": ("办结", "Done"),
    "no_show": ("过号", "No-shows"),
    "cancelled": ("取消", "Cancelled"),
    "transfers": ("转办次数", "Transfers"),
    "wait_mean": ("平均等候(分)", "Mean wait (min)"),
    "wait_median": ("等候中位数(分)", "Median wait (min)"),
    "wait_p90": ("等候P90(分)", "P90 wait (min)"),
    "service_mean": ("平均办理(分)", "Mean service (min)"),
    "service_median": ("办理中位数(分)", "Median service (min)"),
    "service_p90": ("办理P90(分)", "P90 service (min)"),
    "evaluations_count": ("评价数", "Ratings"),
    "satisfaction": ("满意率(%)", "Satisfaction (%)"),
    "hour": ("时段", "Hour"),
    "appointments": ("预约签到", "Checked-in appointments"),
    "early": ("提前", "Early"),
    "on_time": ("准时", "On time"),
    "late": ("迟到", "Late"),
    "on_time_rate": ("准时率(%)", "On-time rate (%)"),
    "score": ("评价等级", "Rating"),
    "count": ("数量", "Count"),
    "bad": ("差评", "Poor ratings"),
    "range": ("统计日期", "Dates"),
    "item": ("项目", "Item"),
    "value": ("数值", "Value"),
}

BREAKDOWNS = ("by_zone", "by_service", "by_window", "by_clerk", "by_day")
COLUMNS = ("key", "name", "tickets", "done", "no_show", "cancelled", "transfers", "wait_mean", "wait_median",
           "wait_p90", "service_mean", "service_median", "service_p90", "evaluations", "satisfaction")
SUMMARY = ("tickets", "done", "no_show", "cancelled", "transfers", "wait_mean", "wait_median", "wait_p90",
           "service_mean", "service_median", "service_p90", "evaluations", "satisfaction")


def label(key: str, lang: str = "zh") -> str:
    if key == "evaluations":
        key = "evaluations_count"
    pair = LABELS.get(key, (key, key))
    return pair[1] if lang == "en" else pair[0]


def tables(report: dict, lang: str = "zh") -> list[tuple[str, list[list]]]:
    """(title, rows with a header row first) for every part of the report, in page order."""
    out = []
    s = report["summary"]
    out.append((label("summary", lang), [[label("item", lang), label("value", lang)],
                                         [label("range", lang), f"{report['from']} ~ {report['to']}"],
                                         *[[label(k, lang), s[k]] for k in SUMMARY]]))
    for part in BREAKDOWNS:
        rows = [[label(c, lang) for c in COLUMNS]]
        rows += [[r[c] for c in COLUMNS] for r in report[part]]
        out.append((label(part, lang), rows))
    hours = [[label("hour", lang), label("tickets", lang), label("wait_mean", lang)]]
    hours += [[f"{h['hour']:02d}:00", h["tickets"], h["wait_mean"]] for h in report["by_hour"]]
    out.append((label("by_hour", lang), hours))
    p = report["punctuality"]
    out.append((label("punctuality", lang), [[label("item", lang), label("value", lang)],
                                             *[[label(k, lang), p[k]] for k in
                                               ("appointments", "early", "on_time", "late", "on_time_rate")]]))
    e = report["evaluations"]
    ev_rows = [[label("score", lang), label("count", lang)]]
    ev_rows += [[RATING_SCORES[int(k)][1 if lang == "en" else 0], n] for k, n in e["per_score"].items()]
    ev_rows += [[label("evaluations_count", lang), e["count"]], [label("bad", lang), e["bad"]],
                [label("satisfaction", lang), e["satisfaction"]]]
    out.append((label("evaluations", lang), ev_rows))
    return out


def _safe(value):
    """Keep spreadsheet apps from running a name that starts like a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return "" if value is None else value


def to_csv(report: dict, lang: str = "zh") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    for i, (title, rows) in enumerate(tables(report, lang)):
        if i:
            writer.writerow([])
        writer.writerow([f"[{title}]"])
        for row in rows:
            writer.writerow([_safe(v) for v in row])
    return buf.getvalue().encode("utf-8-sig")


def to_xlsx(report: dict, lang: str = "zh") -> bytes:
    # Imported when a manager exports: openpyxl (and the numpy it loads) would add ~0.15 s to every hub start.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in tables(report, lang):
        ws = wb.create_sheet(title[:31])
        for row in rows:
            ws.append([_safe(v) if isinstance(v, str) else v for v in row])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for col in ws.columns:
            width = max(len(str(c.value)) if c.value is not None else 0 for c in col)
            ws.column_dimensions[col[0].column_letter].width = min(40, max(8, width * 2))
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
