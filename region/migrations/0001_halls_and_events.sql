-- The halls a region knows, and the raw event log each hall ships (the truth the projections fold).
CREATE TABLE halls (
    id              serial PRIMARY KEY,
    code            text NOT NULL UNIQUE,
    name            text NOT NULL,
    credential_hash text NOT NULL UNIQUE,   -- sha256 of the hall credential; the credential itself is never kept
    acked_seq       bigint NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL,
    revoked_at      timestamptz
);

CREATE TABLE events (
    hall_id     integer NOT NULL REFERENCES halls(id),
    seq         bigint NOT NULL,
    type        text NOT NULL,
    version     integer NOT NULL,
    at          timestamptz NOT NULL,
    data        jsonb NOT NULL,
    received_at timestamptz NOT NULL,
    PRIMARY KEY (hall_id, seq)
);
