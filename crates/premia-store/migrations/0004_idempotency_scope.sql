-- Issue 10: Idempotency-Keys are scoped per caller (the agent, or the person applying directly), so that
-- a key another client chose can never answer with its application. Keys recorded before get the scope
-- 'legacy', which no new request has: a retry across the upgrade makes a new application.
CREATE TABLE idempotency_keys_scoped (
    scope              TEXT NOT NULL,
    idempotency_key    TEXT NOT NULL,
    body_hash          TEXT NOT NULL,
    application_number TEXT NOT NULL REFERENCES applications (number),
    created_at         BIGINT NOT NULL,
    PRIMARY KEY (scope, idempotency_key)
);
INSERT INTO idempotency_keys_scoped (scope, idempotency_key, body_hash, application_number, created_at)
    SELECT 'legacy', idempotency_key, body_hash, application_number, created_at FROM idempotency_keys;
DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_scoped RENAME TO idempotency_keys;
