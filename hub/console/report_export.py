"""A report as CSV (UTF-8 with BOM, so Excel shows Chinese) or XLSX (one sheet per breakdown)."""
from __future__ import annotations

import csv
import io

from ..app import report_terms
from ..core.vocabulary import RATING_SCORES

# Section titles and column heads that are not figures; the figures' labels and definitions are in
# hub/app/report_terms.py.
LABELS: dict[str, tuple[str, str]] = {
    "summary": ("汇总", "Summary"),
    "by_zone": ("按区域", "By zone"),
    "by_service": ("按事项", "By service"),
    "by_window": ("按窗口", "By window"),
    "by_clerk": ("按工作人员", "By clerk"),
    "by_day": ("按日期", "By day"),
    "by_hour": ("按小时", "By hour"),
    "punctuality": ("预约守时", "Appointment punctuality"),
    "evaluations_sheet": ("评价", "Evaluations"),
    "definitions": ("指标口径", "Definitions"),
    "key": ("编号", "Key"),
    "name": ("名称", "Name"),
    "hour": ("时段", "Hour"),
    "score": ("评价等级", "Rating"),
    "count": ("数量", "Count"),
    "range": ("统计日期", "Dates"),
    "item": ("项目", "Item"),
    "value": ("数值", "Value"),
    "definition": ("口径", "Definition"),
}

TICKET_BREAKDOWNS = ("by_zone", "by_service", "by_day")
DESK_BREAKDOWNS = ("by_window", "by_clerk")
SUMMARY = ("tickets", "calls", "done", "no_show_presses", "no_show", "cancelled", "day_end", "open", "transfers",
           "wait_mean", "wait_median", "wait_p90", "service_mean", "service_median", "service_p90", "evaluations",
           "satisfaction")
COLUMNS = ("key", "name", *SUMMARY)
DESK_COLUMNS = ("key", "name", "calls", "services", "done", "transfers", "no_show_presses", "no_show", "recalls",
                "visit_wait_mean", "service_mean", "service_median", "service_p90", "evaluations", "satisfaction")
PUNCTUALITY = ("appointments", "early", "on_time", "after_slot", "late", "on_time_rate")


def label(key: str, lang: str = "zh") -> str:
    pair = LABELS.get(key)
    if pair is None:
        return report_terms.label(key, lang)
    return pair[1] if lang == "en" else pair[0]


def _define(report: dict, key: str, lang: str) -> str:
    entry = report.get("definitions", {}).get(key)
    return entry["en" if lang == "en" else "zh"] if entry else ""


def tables(report: dict, lang: str = "zh") -> list[tuple[str, list[list]]]:
    """(title, rows with a header row first) for every part of the report, in page order; the summary
    and punctuality carry each figure's definition beside it, and a last table defines every column."""
    out = []
    s = report["summary"]
    out.append((label("summary", lang), [[label("item", lang), label("value", lang), label("definition", lang)],
                                         [label("range", lang), f"{report['from']} ~ {report['to']}", ""],
                                         *[[label(k, lang), s[k], _define(report, k, lang)] for k in SUMMARY]]))
    for part in ("by_zone", "by_service", "by_window", "by_clerk", "by_day"):
        columns = DESK_COLUMNS if part in DESK_BREAKDOWNS else COLUMNS
        rows = [[label(c, lang) for c in columns]]
        rows += [[r[c] for c in columns] for r in report[part]]
        out.append((label(part, lang), rows))
    hours = [[label("hour", lang), label("tickets", lang), label("wait_mean", lang)]]
    hours += [[f"{h['hour']:02d}:00", h["tickets"], h["wait_mean"]] for h in report["by_hour"]]
    out.append((label("by_hour", lang), hours))
    p = report["punctuality"]
    out.append((label("punctuality", lang), [[label("item", lang), label("value", lang), label("definition", lang)],
                                             *[[label(k, lang), p[k], _define(report, k, lang)]
                                               for k in PUNCTUALITY]]))
    e = report["evaluations"]
    ev_rows = [[label("score", lang), label("count", lang)]]
    ev_rows += [[RATING_SCORES[int(k)][1 if lang == "en" else 0], n] for k, n in e["per_score"].items()]
    ev_rows += [[label("evaluations", lang), e["count"]], [label("bad", lang), e["bad"]],
                [label("satisfaction", lang), e["satisfaction"]]]
    out.append((label("evaluations_sheet", lang), ev_rows))
    defined = [[label("item", lang), label("definition", lang)]]
    defined += [[label(k, lang), _define(report, k, lang)] for k in report.get("definitions", {})]
    out.append((label("definitions", lang), defined))
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
