"""The reports' daily rollup (table daily_stats): tickets summed per hall, day, zone and service.

Ingest re-sums the (day, zone, service) groups a batch touched, from the tickets it has just written, in
the same transaction, so the rollup never disagrees with the tickets; `rebuild` sums them all again.

Definitions (the region's, shown beside its figures):
- wait: issued -> first call, for tickets that reached a window (called, serving or finished); a wait a
  hall's clock stepped back would make negative counts as 0;
- service: serving (or the call) -> finished, for finished tickets;
- p90 wait: from the waits counted into WAIT_BUCKETS (minutes), interpolated within its bucket, so it is
  right to within that bucket's width (1 min up to 6 min, 2-5 min up to 30, 10-30 min up to 180);
- 满意 (satisfied): rated 3 (基本满意) or better; 差评: rated 1 or 2 (the hall's BAD_SCORE_MAX);
- 差评处置率: 差评 the hall has followed up (handled or rectified) / 差评; 整改率: 差评 rectified / 差评.
"""
from __future__ import annotations

import psycopg

# upper bounds (minutes) of the wait buckets w00..w18; w19 holds the waits beyond the last
WAIT_BUCKETS = (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 90, 120, 180)
BUCKET_COLUMNS = tuple(f"w{i:02d}" for i in range(len(WAIT_BUCKETS) + 1))
BAD_SCORE_MAX = 2  # as the hall's vocabulary: 1-2 are 差评
SUMS = ("tickets", "served", "no_shows", "cancelled", "waited", "wait_sum_s", "service_n", "service_sum_s", "rated",
        "satisfied", "bad", "bad_handled", "bad_rectified", *BUCKET_COLUMNS)

_BOUNDS = "ARRAY[" + ", ".join(str(m * 60) for m in WAIT_BUCKETS) + "]::double precision[]"
_SUM = f"""
SELECT hall_id, day, zone_id, service_id,
       count(*), count(*) FILTER (WHERE state = 'finished'), count(*) FILTER (WHERE state = 'no_show'),
       count(*) FILTER (WHERE state = 'cancelled'),
       count(wait), coalesce(sum(wait), 0), max(wait),
       count(service), coalesce(sum(service), 0),
       count(score), count(*) FILTER (WHERE score > {BAD_SCORE_MAX}), count(*) FILTER (WHERE score <= {BAD_SCORE_MAX}),
       count(*) FILTER (WHERE score <= {BAD_SCORE_MAX} AND followup IN ('handled', 'rectified')),
       count(*) FILTER (WHERE score <= {BAD_SCORE_MAX} AND followup = 'rectified'),
       {", ".join(f"count(*) FILTER (WHERE bucket = {i})" for i in range(len(BUCKET_COLUMNS)))}
FROM (SELECT t.*, f.state AS followup, w.wait, width_bucket(w.wait, {_BOUNDS}) AS bucket,
             CASE WHEN t.state = 'finished' THEN
                  greatest(0, extract(epoch FROM t.finished_at - coalesce(t.serving_at, t.called_at))) END AS service
      FROM tickets t LEFT JOIN followups f ON f.hall_id = t.hall_id AND f.ticket_id = t.ticket_id,
           LATERAL (SELECT CASE WHEN t.state IN ('called', 'serving', 'finished') THEN
                               greatest(0, extract(epoch FROM t.called_at - t.issued_at)) END AS wait) w
      {{where}}) s
GROUP BY hall_id, day, zone_id, service_id
"""
_COLUMNS = ("hall_id, day, zone_id, service_id, tickets, served, no_shows, cancelled, waited, wait_sum_s, wait_max_s,"
            " service_n, service_sum_s, rated, satisfied, bad, bad_handled, bad_rectified, " + ", ".join(BUCKET_COLUMNS))


def _in_groups(p: str = "") -> str:
    return f"({p}day, {p}zone_id, {p}service_id) IN (SELECT * FROM unnest(%s::date[], %s::text[], %s::text[]))"


def resum(cur: psycopg.Cursor, hall: int, groups: set[tuple]) -> None:
    """Sum again the (day, zone_id, service_id) `groups` of one hall from its tickets."""
    if not groups:
        return
    days, zones, services = (list(x) for x in zip(*sorted(groups)))
    cur.execute(f"DELETE FROM daily_stats WHERE hall_id = %s AND {_in_groups()}", (hall, days, zones, services))
    where = f"WHERE t.hall_id = %s AND {_in_groups('t.')}"
    cur.execute(f"INSERT INTO daily_stats ({_COLUMNS}) " + _SUM.format(where=where), (hall, days, zones, services))


def resum_all(cur: psycopg.Cursor) -> None:
    cur.execute("TRUNCATE daily_stats")
    cur.execute(f"INSERT INTO daily_stats ({_COLUMNS}) " + _SUM.format(where=""))
