-- Premia store schema, version 1. The same SQL runs on SQLite and PostgreSQL: only TEXT and BIGINT
-- columns, no auto-increment, no backend-specific types. Times are unix milliseconds (UTC).

-- An accepted (or referred) application: the request as submitted, the quote as re-computed by the
-- server, and the signed token the client received.
CREATE TABLE applications (
    number            TEXT PRIMARY KEY,
    created_at        BIGINT NOT NULL,
    status            TEXT NOT NULL,
    channel           TEXT NOT NULL,
    agent_code        TEXT,
    resident_id_hash  TEXT,
    catalogue_id      TEXT NOT NULL,
    catalogue_version TEXT NOT NULL,
    digest            TEXT NOT NULL,
    decision          TEXT NOT NULL,
    request_json      TEXT NOT NULL,
    quote_json        TEXT NOT NULL,
    token             TEXT NOT NULL
);
CREATE INDEX applications_by_agent ON applications (agent_code, created_at);

-- Idempotency-Key header → the application it made; body_hash tells a retry from a different body.
CREATE TABLE idempotency_keys (
    idempotency_key    TEXT PRIMARY KEY,
    body_hash          TEXT NOT NULL,
    application_number TEXT NOT NULL REFERENCES applications (number),
    created_at         BIGINT NOT NULL
);

-- Single-use coupons: the primary key is what makes a voucher redeemable exactly once.
CREATE TABLE coupon_redemptions (
    coupon_id          TEXT PRIMARY KEY,
    application_number TEXT NOT NULL REFERENCES applications (number),
    redeemed_at        BIGINT NOT NULL
);

-- Blocked customers and intermediaries. Customers by salted hash of the resident ID (never the number),
-- agents by agent code.
CREATE TABLE blacklist (
    kind       TEXT NOT NULL,
    value      TEXT NOT NULL,
    reason     TEXT NOT NULL,
    added_at   BIGINT NOT NULL,
    PRIMARY KEY (kind, value)
);

-- Agent credentials: only a hash of each token's secret is kept.
CREATE TABLE agent_tokens (
    id          TEXT PRIMARY KEY,
    agent_code  TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    label       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX agent_tokens_by_agent ON agent_tokens (agent_code);

-- Who did what, when: accepted applications, blacklist hits, refused coupons, token changes.
CREATE TABLE audit_log (
    id                 TEXT PRIMARY KEY,
    at                 BIGINT NOT NULL,
    event              TEXT NOT NULL,
    application_number TEXT,
    actor              TEXT,
    detail             TEXT NOT NULL
);
CREATE INDEX audit_log_by_time ON audit_log (at);
