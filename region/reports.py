"""Cross-hall reports: the rollup (region/rollup.py, where the figures are defined) summed over a date
range by hall, zone, service or day, with the county's total; and their CSV and XLSX files."""
from __future__ import annotations

import csv
import io
import math
from datetime import date

import psycopg
from psycopg.rows import dict_row

from .messages import PAGE
from .rollup import BUCKET_COLUMNS, SUMS, WAIT_BUCKETS

# grouping -> (its key, the rollup it reads). By clerk: the tickets a clerk called (first); a clerk id is
# the hall's own, so the key is hall/clerk.
GROUPINGS = {"hall": ("h.code", "daily_stats"), "zone": ("s.zone_id", "daily_stats"),
             "service": ("s.service_id", "daily_stats"), "day": ("s.day", "daily_stats"),
             "clerk": ("h.code || '/' || s.clerk_id", "daily_clerk_stats")}
MAX_DAYS = 366
FIGURES = ("tickets", "served", "no_shows", "cancelled", "wait_mean_min", "wait_p90_min", "service_mean_min",
           "rated", "satisfaction_pct", "bad", "bad_handled_pct", "bad_rectified_pct")


class ReportError(Exception):
    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code, self.params = code, params


def report_range(first: str, last: str) -> tuple[date, date]:
    try:
        start, end = date.fromisoformat(first), date.fromisoformat(last)
    except ValueError:
        raise ReportError("BAD_RANGE", detail=f"{first} .. {last}") from None
    if end < start or (end - start).days >= MAX_DAYS:
        raise ReportError("BAD_RANGE", detail=f"{first} .. {last}")
    return start, end


def p90_minutes(buckets: list[int], wait_max_s: float | None) -> float | None:
    """The 90th percentile wait (nearest rank, as the hall report's), placed within its bucket as if the
    bucket's waits were spread evenly across it (each at the middle of its share)."""
    n = sum(buckets)
    if not n:
        return None
    rank, below = math.ceil(0.9 * n), 0
    for i, count in enumerate(buckets):
        if below + count >= rank:
            low = WAIT_BUCKETS[i - 1] * 60 if i else 0
            high = WAIT_BUCKETS[i] * 60 if i < len(WAIT_BUCKETS) else max(low, wait_max_s or low)
            return round((low + (high - low) * (rank - below - 0.5) / count) / 60, 1)
        below += count
    return None


def _figures(row: dict) -> dict:
    waited, served_n, rated = row["waited"], row["service_n"], row["rated"]
    return {
        "tickets": row["tickets"], "served": row["served"], "no_shows": row["no_shows"], "cancelled": row["cancelled"],
        "wait_mean_min": round(row["wait_sum_s"] / waited / 60, 1) if waited else None,
        "wait_p90_min": p90_minutes([row[c] for c in BUCKET_COLUMNS], row["wait_max_s"]),
        "service_mean_min": round(row["service_sum_s"] / served_n / 60, 1) if served_n else None,
        "rated": rated, "satisfaction_pct": round(100 * row["satisfied"] / rated, 1) if rated else None,
        "bad": row["bad"],
        "bad_handled_pct": round(100 * row["bad_handled"] / row["bad"], 1) if row["bad"] else None,
        "bad_rectified_pct": round(100 * row["bad_rectified"] / row["bad"], 1) if row["bad"] else None,
    }


def cross_hall(conn: psycopg.Connection, first: str, last: str, by: str = "hall", hall: str | None = None) -> dict:
    """Figures for days first..last (YYYY-MM-DD) grouped `by` hall, zone, service, day or clerk; `hall`: one
    hall only."""
    if by not in GROUPINGS:
        raise ReportError("BAD_GROUPING", by=by)
    start, end = report_range(first, last)
    key, table = GROUPINGS[by]
    sums = ", ".join(f"coalesce(sum(s.{c}), 0) AS {c}" for c in SUMS)
    where = "s.day BETWEEN %(start)s AND %(end)s AND (%(hall)s::text IS NULL OR h.code = %(hall)s)"
    name = "min(h.name)" if by == "hall" else "NULL"
    sql = (f"SELECT {key}::text AS key, {name} AS name, {sums}, max(s.wait_max_s) AS wait_max_s"
           f" FROM {table} s JOIN halls h ON h.id = s.hall_id WHERE {where}"
           f" GROUP BY ROLLUP ({key}) ORDER BY {key} NULLS LAST")
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(sql, {"start": start, "end": end, "hall": hall}).fetchall()
    total = next((r for r in rows if r["key"] is None), None)
    return {"from": start.isoformat(), "to": end.isoformat(), "by": by, "hall": hall,
            "rows": [{"key": r["key"], "name": r["name"], **_figures(r)} for r in rows if r["key"] is not None],
            "total": _figures(total) if total else None}


def _table(report: dict) -> tuple[list[str], list[list]]:
    heads = [f"{PAGE['by_' + report['by']][0]} {PAGE['by_' + report['by']][1]}"]
    heads += [f"{PAGE[f][0]} {PAGE[f][1]}" for f in FIGURES]
    body = [[r["key"] if not r["name"] else f"{r['name']} ({r['key']})", *(r[f] for f in FIGURES)]
            for r in report["rows"]]
    if report["total"]:
        body.append([f"{PAGE['total'][0]} {PAGE['total'][1]}", *(report["total"][f] for f in FIGURES)])
    return heads, body


def to_csv(report: dict) -> bytes:
    """UTF-8 with a BOM, so Excel opens the Chinese headings right."""
    out = io.StringIO()
    writer = csv.writer(out)
    heads, body = _table(report)
    writer.writerow(heads)
    writer.writerows([["" if v is None else v for v in row] for row in body])
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(report: dict) -> bytes:
    from openpyxl import Workbook  # imported when a report is exported, as the hall's reports do

    book = Workbook()
    sheet = book.active
    sheet.title = f"{report['from']}..{report['to']}"[:31]
    heads, body = _table(report)
    sheet.append(heads)
    for row in body:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
