-- Single-use tokens sent by email (adapters/postgres/identity_tokens.go).

-- name: InsertUserToken :exec
INSERT INTO user_tokens (token_hash, user_id, purpose, created_at, expires_at, used_at)
VALUES ($1, $2, $3, $4, $5, $6);

-- name: LockUserToken :one
SELECT * FROM user_tokens WHERE token_hash = $1 FOR UPDATE;

-- name: MarkUserTokenUsed :exec
UPDATE user_tokens SET used_at = $2 WHERE token_hash = $1;

-- name: PurgeUserTokens :execrows
DELETE FROM user_tokens WHERE expires_at < sqlc.arg(now);

-- name: SpendUserTokens :exec
-- Spends every outstanding emailed token of a user: after a password reset
-- or change no older reset or verification link may be used.
UPDATE user_tokens SET used_at = sqlc.arg(now)
WHERE user_id = sqlc.arg(user_id) AND used_at IS NULL;
