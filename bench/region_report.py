"""Region reports over a year: a county's halls (1 district centre, 10 street centres, 124 community
centres) x 250 business days of tickets generated straight into the region's tickets table (in
PostgreSQL, by SQL), summed into the daily rollups with the very statements ingest uses, then the
cross-hall reports the console asks for (region/reports.py) timed. Prints the data volume and each
report's time (best and worst of --repeat).

    python bench/region_report.py [--halls 1,10,124] [--tickets 1500,400,60] [--days 250] [--dsn DSN] [--raw]

--raw also times the by-hall year straight from the tickets (what the rollup saves).
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from region.halls import add_hall  # noqa: E402
from region.reports import cross_hall  # noqa: E402
from region.rollup import resum_all  # noqa: E402
from region.schema import migrate  # noqa: E402
from tests.region_pg import LocalPostgres  # noqa: E402

SERVICES = {"business-license": "business", "tax": "business", "property": "business", "pension": "social",
            "ss-card": "social", "medical": "social", "housing-fund": "civil", "residence": "civil"}

# One day of one hall's tickets: issued 09:00-17:00 local time, a wait skewed short (most under 10 min, a
# few near 40), 3-15 min at the window; 3 % cancelled, 5 % no-shows, a third of the served rated.
_DAY = """
INSERT INTO tickets (hall_id, ticket_id, day, zone_id, service_id, number, priority_reason, appointment, state,
                     issued_at, called_at, serving_at, finished_at, window_id, clerk_id, no_shows, transfers, score)
SELECT h.id, d.i * 10000 + n, d.day, (%(zones)s::text[])[1 + floor(r.c * %(k)s)::int],
       (%(services)s::text[])[1 + floor(r.c * %(k)s)::int], 'A' || lpad(n::text, 4, '0'), NULL, r.a < 0.1,
       CASE WHEN r.s < 0.03 THEN 'cancelled' WHEN r.s < 0.08 THEN 'no_show' ELSE 'finished' END,
       t.issued, CASE WHEN r.s >= 0.03 THEN t.issued + t.wait END, CASE WHEN r.s >= 0.08 THEN t.issued + t.wait END,
       CASE WHEN r.s >= 0.08 THEN t.issued + t.wait + t.service END,
       CASE WHEN r.s >= 0.03 THEN 1 + n %% 10 END, CASE WHEN r.s >= 0.03 THEN 'c' || (1 + n %% 10) END,
       (r.s >= 0.03 AND r.s < 0.08)::int, 0,
       CASE WHEN r.s >= 0.08 AND r.e < 0.33 THEN (ARRAY[5, 5, 5, 5, 5, 5, 4, 4, 3, 1])[1 + floor(r.e * 30)::int] END
FROM halls h
JOIN unnest(%(codes)s::text[], %(sizes)s::int[]) AS z(code, size) ON z.code = h.code
CROSS JOIN unnest(%(days)s::date[], %(index)s::int[]) AS d(day, i)
CROSS JOIN LATERAL generate_series(1, z.size) AS n
CROSS JOIN LATERAL (SELECT random() + 0 * n AS s, random() + 0 * n AS e, random() + 0 * n AS a,
                           random() + 0 * n AS c, random() + 0 * n AS w, random() + 0 * n AS v,
                           random() + 0 * n AS k) r
CROSS JOIN LATERAL (SELECT (d.day + time '09:00' + r.k * interval '8 hours') AT TIME ZONE 'Asia/Shanghai' AS issued,
                           r.w * r.w * interval '40 minutes' AS wait,
                           (3 + r.v * 12) * interval '1 minute' AS service) t
"""


def business_days(count: int, first: date = date(2025, 1, 2)) -> list[date]:
    days, day = [], first
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def timed(fn, repeat: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - began)
    return min(times), max(times), result


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--halls", default="1,10,124", help="halls of each kind")
    p.add_argument("--tickets", default="1500,400,60", help="tickets a day for each kind")
    p.add_argument("--days", type=int, default=250)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--raw", action="store_true", help="also time the year by hall straight from the tickets")
    p.add_argument("--dsn", help="an empty PostgreSQL database (default: a throwaway cluster)")
    args = p.parse_args()
    cluster = None
    if not args.dsn:
        cluster = LocalPostgres().start()  # fsync off: generating a year is not what is measured
        args.dsn = cluster.create("bench")
    try:
        with psycopg.connect(args.dsn, autocommit=True) as conn:
            migrate(conn)
            codes, sizes = [], []
            for k, (count, tickets) in enumerate(zip(*(map(int, v.split(",")) for v in (args.halls, args.tickets)))):
                for i in range(count):
                    codes.append(f"k{k}-{i:03d}")
                    sizes.append(tickets)
                    add_hall(conn, codes[-1], f"大厅 {codes[-1]}", datetime.now(timezone.utc))
            days = business_days(args.days)
            began = time.monotonic()
            names = list(SERVICES)
            for m in range(0, len(days), 25):  # a month or so a statement, to show progress
                chunk = days[m:m + 25]
                conn.execute(_DAY, {"zones": [SERVICES[s] for s in names], "services": names, "k": len(names),
                                    "codes": codes, "sizes": sizes, "days": chunk,
                                    "index": list(range(m + 1, m + 1 + len(chunk)))})
                print(f"  generated {m + len(chunk)}/{len(days)} days", file=sys.stderr, flush=True)
            generated = time.monotonic() - began
            began = time.monotonic()
            with conn.transaction(), conn.cursor() as cur:
                resum_all(cur)
            rolled = time.monotonic() - began
            conn.execute("VACUUM ANALYZE tickets")
            conn.execute("VACUUM ANALYZE daily_stats")
            conn.execute("VACUUM ANALYZE daily_clerk_stats")
            tables = ("tickets", "daily_stats", "daily_clerk_stats")
            tickets, stats, clerk_stats = (conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables)
            sizes_mb = {t: conn.execute("SELECT pg_total_relation_size(%s) / 1e6", (t,)).fetchone()[0] for t in tables}
            first, last = days[0].isoformat(), days[-1].isoformat()
            print(f"data: {len(codes)} halls x {len(days)} business days ({first} .. {last}): {tickets:,} tickets "
                  f"({sizes_mb['tickets']:.0f} MB with indexes), generated in {generated:.0f} s; "
                  f"daily rollups {stats:,} rows by service ({sizes_mb['daily_stats']:.0f} MB) and {clerk_stats:,} by clerk "
                  f"({sizes_mb['daily_clerk_stats']:.0f} MB), summed in {rolled:.1f} s")
            for label, query in (("the year by hall", lambda: cross_hall(conn, first, last, "hall")),
                                 ("the year by service", lambda: cross_hall(conn, first, last, "service")),
                                 ("the year by zone", lambda: cross_hall(conn, first, last, "zone")),
                                 ("the year by day", lambda: cross_hall(conn, first, last, "day")),
                                 ("the year by clerk", lambda: cross_hall(conn, first, last, "clerk")),
                                 ("one month by hall", lambda: cross_hall(conn, days[-min(21, len(days))].isoformat(), last, "hall")),
                                 ("one hall's year by day", lambda: cross_hall(conn, first, last, "day", codes[0]))):
                best, worst, report = timed(query, args.repeat)
                total = report["total"]
                print(f"{label}: {best * 1000:.0f} ms (worst of {args.repeat}: {worst * 1000:.0f} ms), "
                      f"{len(report['rows'])} rows, {total['tickets']:,} tickets, mean/p90 wait "
                      f"{total['wait_mean_min']}/{total['wait_p90_min']} min, satisfied {total['satisfaction_pct']} %")
            if args.raw:
                best, worst, rows = timed(lambda: conn.execute(
                    "SELECT hall_id, count(*), avg(extract(epoch FROM called_at - issued_at)),"
                    " percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM called_at - issued_at))"
                    " FROM tickets WHERE day BETWEEN %s AND %s GROUP BY hall_id", (first, last)).fetchall(), 1)
                print(f"without the rollup, the year by hall straight from the tickets: {best:.1f} s")
        return 0
    finally:
        if cluster:
            cluster.close()


if __name__ == "__main__":
    sys.exit(main())
