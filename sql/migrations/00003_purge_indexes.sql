-- Indexes for the periodic purge of expired sessions and tokens
-- (identity.Service.PurgeExpired), so it never scans the whole tables.

-- +goose Up
CREATE INDEX sessions_expires_idx ON sessions (expires_at);
CREATE INDEX sessions_revoked_idx ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;
CREATE INDEX refresh_tokens_expires_idx ON refresh_tokens (expires_at);
CREATE INDEX user_tokens_expires_idx ON user_tokens (expires_at);

-- +goose Down
DROP INDEX user_tokens_expires_idx;
DROP INDEX refresh_tokens_expires_idx;
DROP INDEX sessions_revoked_idx;
DROP INDEX sessions_expires_idx;
