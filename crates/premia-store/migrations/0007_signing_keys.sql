-- Issue 10: every public key the servers have signed quote tokens with, current and retired, so that
-- /api/keys on any replica verifies every token issued before a rotation (the private keys stay in their
-- files; only public keys are here).
CREATE TABLE signing_keys (
    kid        TEXT PRIMARY KEY,
    public_key TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    retired_at BIGINT
);
