-- The county's people: named accounts (admin, viewer), their sign-in sessions, and failed sign-ins
-- (kept here, not in a process, so every region process counts the same attempts).
CREATE TABLE accounts (
    id          serial PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    role        text NOT NULL CHECK (role IN ('admin', 'viewer')),
    password    text NOT NULL,          -- a scrypt record (hub/passwords.py), never the password
    created_at  timestamptz NOT NULL,
    disabled_at timestamptz
);

CREATE TABLE sessions (
    token_hash text PRIMARY KEY,        -- sha256 of the cookie's token
    account_id integer NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    started_at timestamptz NOT NULL,
    seen_at    timestamptz NOT NULL
);

CREATE TABLE sign_in_attempts (
    key text NOT NULL,                  -- 'address:…' or 'account:…'
    at  timestamptz NOT NULL
);
CREATE INDEX sign_in_attempts_key ON sign_in_attempts (key, at);
