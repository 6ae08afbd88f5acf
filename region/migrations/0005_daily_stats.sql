-- How each hall followed up its ratings (the console's 差评 follow-up: handled, rectified), as the hall
-- ships them beside its events (a hall keeps follow-ups as records, not events); the latest one counts.
CREATE TABLE followups (
    hall_id    integer NOT NULL REFERENCES halls(id),
    ticket_id  bigint NOT NULL,
    state      text NOT NULL CHECK (state IN ('open', 'handled', 'rectified')),
    updated_at text NOT NULL,            -- the hall's stamp, as the hall wrote it (its order is the hall's)
    PRIMARY KEY (hall_id, ticket_id)
);
ALTER TABLE halls ADD COLUMN followups_at text NOT NULL DEFAULT '';   -- where the hall resumes shipping them
ALTER TABLE halls ADD COLUMN followups_ticket bigint NOT NULL DEFAULT 0;

-- The reports' daily rollup: one row per hall, day, zone and service, kept by ingest in the same
-- transaction as the tickets it sums (region/rollup.py), rebuilt with them. A year of a county
-- (135 halls x 250 days x their services) is a few hundred thousand rows, so a cross-hall report over a
-- year sums these, not millions of tickets. Waits are counted into minute buckets (w00..) for the p90.
CREATE TABLE daily_stats (
    hall_id       integer NOT NULL REFERENCES halls(id),
    day           date NOT NULL,
    zone_id       text NOT NULL,
    service_id    text NOT NULL,
    tickets       integer NOT NULL,
    served        integer NOT NULL,
    no_shows      integer NOT NULL,
    cancelled     integer NOT NULL,
    waited        integer NOT NULL,       -- tickets that reached a window: the ones with a wait
    wait_sum_s    double precision NOT NULL,
    wait_max_s    double precision,
    service_n     integer NOT NULL,
    service_sum_s double precision NOT NULL,
    rated         integer NOT NULL,
    satisfied     integer NOT NULL,       -- rated 3 (基本满意) or better
    bad           integer NOT NULL,       -- 差评: rated 1 or 2
    bad_handled   integer NOT NULL,       -- of those, followed up at the hall (处置): handled or rectified
    bad_rectified integer NOT NULL,       -- of those, rectified (整改)
    w00 integer NOT NULL, w01 integer NOT NULL, w02 integer NOT NULL, w03 integer NOT NULL, w04 integer NOT NULL,
    w05 integer NOT NULL, w06 integer NOT NULL, w07 integer NOT NULL, w08 integer NOT NULL, w09 integer NOT NULL,
    w10 integer NOT NULL, w11 integer NOT NULL, w12 integer NOT NULL, w13 integer NOT NULL, w14 integer NOT NULL,
    w15 integer NOT NULL, w16 integer NOT NULL, w17 integer NOT NULL, w18 integer NOT NULL, w19 integer NOT NULL,
    PRIMARY KEY (hall_id, day, zone_id, service_id)
);
CREATE INDEX daily_stats_day ON daily_stats (day, hall_id);

-- The same figures per hall, day and clerk (the clerk who first called the ticket).
CREATE TABLE daily_clerk_stats (LIKE daily_stats INCLUDING DEFAULTS);
ALTER TABLE daily_clerk_stats DROP COLUMN zone_id, DROP COLUMN service_id, ADD COLUMN clerk_id text NOT NULL,
    ADD PRIMARY KEY (hall_id, day, clerk_id), ADD FOREIGN KEY (hall_id) REFERENCES halls(id);
CREATE INDEX daily_clerk_stats_day ON daily_clerk_stats (day, hall_id);

-- Tickets stored before this step are summed by `hallq region rebuild`.
