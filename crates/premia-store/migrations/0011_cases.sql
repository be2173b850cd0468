-- The underwriting desk: a case for every application not decided automatically (written in the same
-- transaction as the application), its decisions, second reviews and final decision, and the receipt
-- an applicant reads their status with.

-- The status receipt of an application (unguessable: 256 random bits). Kept as issued: an idempotent
-- retry of the submission answers with it again, as it does with the token.
CREATE TABLE application_receipts (
    receipt            TEXT PRIMARY KEY,
    application_number TEXT NOT NULL UNIQUE REFERENCES applications (number)
);

-- "Earlier applications of the same person": by the stored identity of the insured.
CREATE INDEX applications_by_person ON applications (resident_id_hash, created_at);
-- A case's history.
CREATE INDEX audit_log_by_application ON audit_log (application_number, at);

CREATE TABLE cases (
    application_number  TEXT PRIMARY KEY REFERENCES applications (number),
    created_at          BIGINT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('open', 'waiting', 'provisional', 'escalated', 'decided')),
    product             TEXT NOT NULL,
    line                TEXT NOT NULL,
    needs_second_review BIGINT NOT NULL CHECK (needs_second_review IN (0, 1)),
    blacklist_referral  BIGINT NOT NULL CHECK (blacklist_referral IN (0, 1)),
    opened_at           BIGINT,
    pending_decision    TEXT,
    counter_decision    TEXT,
    requested_decision  TEXT,
    final_decision      TEXT,
    decided_at          BIGINT,
    version             BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    -- What case_finals refers to, so that a final decision carries the case's own review flag.
    UNIQUE (application_number, needs_second_review)
);
-- The queue, oldest first: what is still with the desk (the default view), by status, by age.
CREATE INDEX cases_active ON cases (created_at, application_number) WHERE status <> 'decided';
CREATE INDEX cases_active_by_product ON cases (product, created_at, application_number) WHERE status <> 'decided';
CREATE INDEX cases_active_by_line ON cases (line, created_at, application_number) WHERE status <> 'decided';
CREATE INDEX cases_queue ON cases (status, created_at, application_number);
CREATE INDEX cases_by_age ON cases (created_at, application_number);
CREATE INDEX cases_by_product ON cases (product, created_at, application_number);
CREATE INDEX cases_by_line ON cases (line, created_at, application_number);
CREATE INDEX cases_by_decision_time ON cases (decided_at);

-- Every decision made on a case, by whom. quote_json is the core's new quote of an acceptance.
CREATE TABLE case_decisions (
    id                 TEXT PRIMARY KEY,
    application_number TEXT NOT NULL REFERENCES cases (application_number),
    staff_id           TEXT NOT NULL REFERENCES staff (id),
    role               TEXT NOT NULL REFERENCES staff_roles (role),
    kind               TEXT NOT NULL,
    verdict_json       TEXT NOT NULL,
    note               TEXT NOT NULL,
    quote_json         TEXT,
    created_at         BIGINT NOT NULL,
    UNIQUE (id, staff_id)
);
CREATE INDEX case_decisions_by_case ON case_decisions (application_number, created_at);

-- Second reviews (双人复核). The author of the reviewed decision is copied through a foreign key on
-- (decision, author), so it cannot be copied wrong, and the CHECK keeps authors from reviewing their own.
CREATE TABLE case_reviews (
    id                 TEXT PRIMARY KEY,
    application_number TEXT NOT NULL REFERENCES cases (application_number),
    decision_id        TEXT NOT NULL,
    decided_by         TEXT NOT NULL,
    reviewer           TEXT NOT NULL REFERENCES staff (id),
    agree              BIGINT NOT NULL CHECK (agree IN (0, 1)),
    note               TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    FOREIGN KEY (decision_id, decided_by) REFERENCES case_decisions (id, staff_id),
    CHECK (decided_by <> reviewer)
);

-- The final decision: one per case (the primary key: concurrent confirmations finalise once), and for
-- a case that needs a second review never finalised by the decision's own author (the review flag
-- comes from the case through the foreign key, the author from the decision).
CREATE TABLE case_finals (
    application_number  TEXT PRIMARY KEY,
    needs_second_review BIGINT NOT NULL,
    decision_id         TEXT NOT NULL,
    decided_by          TEXT NOT NULL,
    finalised_by        TEXT NOT NULL REFERENCES staff (id),
    outcome             TEXT NOT NULL CHECK (outcome IN ('accepted', 'postponed', 'declined')),
    quote_json          TEXT,
    token               TEXT,
    finalised_at        BIGINT NOT NULL,
    FOREIGN KEY (application_number, needs_second_review) REFERENCES cases (application_number, needs_second_review),
    FOREIGN KEY (decision_id, decided_by) REFERENCES case_decisions (id, staff_id),
    CHECK (needs_second_review = 0 OR decided_by <> finalised_by)
);

-- Idempotency-Key of desk requests, per staff member: a retry gets the first answer again.
CREATE TABLE desk_idempotency (
    staff_id        TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    body_hash       TEXT NOT NULL,
    response_json   TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (staff_id, idempotency_key)
);
