"""The reports' daily rollups: tickets summed per hall, day, zone and service (daily_stats), and per
hall, day and clerk (daily_clerk_stats).

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

from dataclasses import dataclass

import psycopg

# upper bounds (minutes) of the wait buckets w00..w18; w19 holds the waits beyond the last
WAIT_BUCKETS = (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 90, 120, 180)
BUCKET_COLUMNS = tuple(f"w{i:02d}" for i in range(len(WAIT_BUCKETS) + 1))
BAD_SCORE_MAX = 2  # as the hall's vocabulary: 1-2 are 差评
SUMS = ("tickets", "served", "no_shows", "cancelled", "waited", "wait_sum_s", "service_n", "service_sum_s", "rated",
        "satisfied", "bad", "bad_handled", "bad_rectified", *BUCKET_COLUMNS)

_BOUNDS = "ARRAY[" + ", ".join(str(m * 60) for m in WAIT_BUCKETS) + "]::double precision[]"
_SUM = f"""
SELECT hall_id, day, {{keys}},
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
      WHERE {{where}}) s
GROUP BY hall_id, day, {{keys}}
"""
_FIGURES = ("tickets, served, no_shows, cancelled, waited, wait_sum_s, wait_max_s, service_n, service_sum_s, rated,"
            " satisfied, bad, bad_handled, bad_rectified, " + ", ".join(BUCKET_COLUMNS))


@dataclass(frozen=True)
class Rollup:
    """A rollup table: the figures per hall, day and `keys`, of the tickets that have every key."""
    table: str
    keys: tuple[str, ...]

    def groups(self, tickets: list[dict]) -> set[tuple]:
        return {(str(t["day"]), *(t[k] for k in self.keys)) for t in tickets if all(t[k] is not None for k in self.keys)}

    def _sum(self, where: str) -> str:
        keys = ", ".join(self.keys)
        have = " AND ".join(f"t.{k} IS NOT NULL" for k in self.keys)
        return (f"INSERT INTO {self.table} (hall_id, day, {keys}, {_FIGURES}) "
                + _SUM.format(keys=keys, where=f"{have} AND {where}" if where else have))

    def _in(self, prefix: str = "") -> str:
        columns = ", ".join(f"{prefix}{c}" for c in ("day", *self.keys))
        arrays = ", ".join(["%s::date[]", *("%s::text[]" for _ in self.keys)])
        return f"({columns}) IN (SELECT * FROM unnest({arrays}))"

    def resum(self, cur: psycopg.Cursor, hall: int, groups: set[tuple]) -> None:
        if not groups:
            return
        columns = [list(x) for x in zip(*sorted(groups))]
        cur.execute(f"DELETE FROM {self.table} WHERE hall_id = %s AND {self._in()}", (hall, *columns))
        cur.execute(self._sum(f"t.hall_id = %s AND {self._in('t.')}"), (hall, *columns))

    def resum_all(self, cur: psycopg.Cursor) -> None:
        cur.execute(f"TRUNCATE {self.table}")
        cur.execute(self._sum(""))


BY_SERVICE = Rollup("daily_stats", ("zone_id", "service_id"))
BY_CLERK = Rollup("daily_clerk_stats", ("clerk_id",))  # the clerk who first called the ticket
ROLLUPS = (BY_SERVICE, BY_CLERK)


def resum(cur: psycopg.Cursor, hall: int, tickets: list[dict]) -> None:
    """Sum again every rollup group of one hall that any of `tickets` (rows as before and after a change)
    belongs to, from the tickets table."""
    for rollup in ROLLUPS:
        rollup.resum(cur, hall, rollup.groups(tickets))


def resum_all(cur: psycopg.Cursor) -> None:
    for rollup in ROLLUPS:
        rollup.resum_all(cur)
