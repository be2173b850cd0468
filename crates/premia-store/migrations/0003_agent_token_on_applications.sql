-- Issue 10: an agent-channel application is made with the agent's bearer token; the token's id (never its
-- secret) is kept with the application and in the audit log.
ALTER TABLE applications ADD COLUMN agent_token_id TEXT;
