-- Issue 10: people are keyed by HMAC-SHA-256 of the resident ID number under the server's own secret
-- (scheme 'hmac'), no longer by the catalogue's public salted SHA-256 (scheme 'salted'), which a quote
-- used to carry and from which the number could be found again offline. Rows written before keep their
-- value and are marked 'salted': the server still recognises them (nothing on the blacklist is lost) by
-- hashing the number sent with each application under every salt recorded in legacy_id_salts, filled on
-- the first start after this migration from the catalogues then configured.
ALTER TABLE blacklist ADD COLUMN scheme TEXT NOT NULL DEFAULT 'salted';
ALTER TABLE applications ADD COLUMN resident_id_scheme TEXT NOT NULL DEFAULT 'salted';

CREATE TABLE legacy_id_salts (
    salt        TEXT PRIMARY KEY,
    recorded_at BIGINT NOT NULL
);

-- The fingerprint of the server secret every identity is keyed with (an HMAC of a fixed label, never the
-- secret): a replica started with another secret refuses to start instead of keying people differently.
CREATE TABLE server_secret (
    id          TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
