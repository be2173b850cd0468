-- Staff accounts of the underwriting desk and the premium dashboard, their sessions, and failed logins.
-- Same SQL on SQLite and PostgreSQL (TEXT and BIGINT, times in unix milliseconds).

-- The roles there are (premia_desk::Role; a test keeps the two lists in step). A new role is a new row.
CREATE TABLE staff_roles (
    role TEXT PRIMARY KEY
);
INSERT INTO staff_roles (role) VALUES ('underwriter'), ('senior_underwriter'), ('manager'), ('analyst');

-- A person who signs in. Only an Argon2id hash of the password is kept (PHC string).
CREATE TABLE staff (
    id                  TEXT PRIMARY KEY,
    username            TEXT NOT NULL UNIQUE,
    display_name        TEXT NOT NULL,
    role                TEXT NOT NULL REFERENCES staff_roles (role),
    password_hash       TEXT NOT NULL,
    created_at          BIGINT NOT NULL,
    password_changed_at BIGINT NOT NULL,
    disabled_at         BIGINT
);

-- A signed-in browser. The id is the SHA-256 of the cookie's secret (a copy of the database opens no
-- session); csrf is the token the page sends back in X-CSRF-Token. Revoked by logout, by disabling the
-- account or by a new password; expires at expires_at, or after a while unused (the server's setting).
CREATE TABLE staff_sessions (
    id           TEXT PRIMARY KEY,
    staff_id     TEXT NOT NULL REFERENCES staff (id),
    csrf         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX staff_sessions_by_staff ON staff_sessions (staff_id);

-- Failed logins in a row, per username (known or not): the server waits longer after each.
CREATE TABLE staff_login_failures (
    username       TEXT PRIMARY KEY,
    failures       BIGINT NOT NULL,
    last_failed_at BIGINT NOT NULL
);
