-- Projections of the events, rebuilt from them by `hallq region rebuild`.
CREATE TABLE tickets (
    hall_id         integer NOT NULL REFERENCES halls(id),
    ticket_id       bigint NOT NULL,
    day             date NOT NULL,
    zone_id         text NOT NULL,
    service_id      text NOT NULL,
    number          text NOT NULL,
    priority_reason text,
    appointment     boolean NOT NULL,
    state           text NOT NULL,
    issued_at       timestamptz NOT NULL,
    called_at       timestamptz,   -- the first call: the wait ends here
    serving_at      timestamptz,
    finished_at     timestamptz,
    window_id       integer,
    clerk_id        text,
    no_shows        integer NOT NULL DEFAULT 0,
    transfers       integer NOT NULL DEFAULT 0,
    score           integer,
    PRIMARY KEY (hall_id, ticket_id)
);
CREATE INDEX tickets_hall_day ON tickets (hall_id, day, service_id);
CREATE INDEX tickets_waiting ON tickets (hall_id, issued_at) WHERE state = 'waiting';

CREATE TABLE windows (
    hall_id   integer NOT NULL REFERENCES halls(id),
    window_id integer NOT NULL,
    state     text NOT NULL,
    clerk_id  text,
    PRIMARY KEY (hall_id, window_id)
);

CREATE TABLE devices (
    hall_id integer NOT NULL REFERENCES halls(id),
    device  text NOT NULL,
    fault   text,
    PRIMARY KEY (hall_id, device)
);

CREATE TABLE hall_days (
    hall_id       integer PRIMARY KEY REFERENCES halls(id),
    day           date,
    last_event_at timestamptz NOT NULL
);

-- Tickets per hall, day and service with their waits and service times (seconds).
CREATE VIEW daily_service AS
SELECT hall_id, day, service_id,
       count(*) AS tickets,
       count(finished_at) AS served,
       count(*) FILTER (WHERE state = 'no_show') AS no_shows,
       avg(extract(epoch FROM called_at - issued_at)) AS avg_wait_s,
       max(extract(epoch FROM called_at - issued_at)) AS max_wait_s,
       avg(extract(epoch FROM finished_at - coalesce(serving_at, called_at))) AS avg_service_s
FROM tickets GROUP BY hall_id, day, service_id;
