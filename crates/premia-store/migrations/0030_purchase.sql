-- Buying (issue 15): the application's details and consent, payment orders for the server's own first
-- premium, the providers' notifications (each applied once), policies and cooling-off refunds. Same SQL
-- on SQLite and PostgreSQL; times are unix milliseconds, money is whole fen (BIGINT).

-- What a person applied with beyond the quote: the checked application (premia_core::purchase::
-- Application: parties without ID numbers, beneficiaries, confirmations by document hash and the
-- person's time) and the server's time it received them.
CREATE TABLE purchases (
    application_number TEXT PRIMARY KEY REFERENCES applications (number),
    application_json   TEXT NOT NULL,
    received_at        BIGINT NOT NULL,
    first_premium_fen  BIGINT NOT NULL,
    currency           TEXT NOT NULL,
    -- awaiting_payment | issued | cancelled | flagged
    state              TEXT NOT NULL,
    flag               TEXT
);

-- One order at a provider for the first premium. At most one order per application is open at a time
-- and at most one is ever paid: both held by the database, whatever the replicas do.
CREATE TABLE payment_orders (
    out_trade_no       TEXT PRIMARY KEY,
    application_number TEXT NOT NULL REFERENCES applications (number),
    provider           TEXT NOT NULL,
    amount_fen         BIGINT NOT NULL,
    currency           TEXT NOT NULL,
    placed_at          BIGINT NOT NULL,
    expires_at         BIGINT NOT NULL,
    -- open | paid | expired | closed | mismatch
    state              TEXT NOT NULL,
    action_json        TEXT NOT NULL,
    provider_trade_no  TEXT,
    paid_at            BIGINT
);
CREATE INDEX payment_orders_by_application ON payment_orders (application_number);
CREATE INDEX payment_orders_by_state ON payment_orders (state, expires_at);
CREATE UNIQUE INDEX payment_orders_one_open ON payment_orders (application_number) WHERE state = 'open';
CREATE UNIQUE INDEX payment_orders_one_paid ON payment_orders (application_number) WHERE state = 'paid';

-- Every verified notification (or query result) applied, by premia_pay::Notice::id: the key that makes
-- a duplicate, replayed or late notification change nothing.
CREATE TABLE payment_notices (
    notice_id    TEXT PRIMARY KEY,
    out_trade_no TEXT NOT NULL,
    received_at  BIGINT NOT NULL,
    -- issued | mismatch | paid_twice | unknown_order | refunded | closed
    outcome      TEXT NOT NULL,
    detail       TEXT NOT NULL
);

-- The policy issued on payment, as signed.
CREATE TABLE policies (
    number             TEXT PRIMARY KEY,
    application_number TEXT NOT NULL UNIQUE REFERENCES applications (number),
    issued_at          BIGINT NOT NULL,
    policy_json        TEXT NOT NULL,
    signature          TEXT NOT NULL,
    -- issued | cancelled
    status             TEXT NOT NULL,
    cancelled_at       BIGINT
);

-- A cooling-off cancellation's refund at the provider: the request as sent (UnionPay keys a refund by
-- number and time), then its outcome.
CREATE TABLE refunds (
    out_refund_no     TEXT PRIMARY KEY,
    policy_number     TEXT NOT NULL UNIQUE REFERENCES policies (number),
    out_trade_no      TEXT NOT NULL REFERENCES payment_orders (out_trade_no),
    amount_fen        BIGINT NOT NULL,
    requested_at      BIGINT NOT NULL,
    -- requested | processing | succeeded | failed
    state             TEXT NOT NULL,
    settled_at        BIGINT
);
