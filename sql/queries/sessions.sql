-- Sessions and their refresh tokens (adapters/postgres/identity_sessions.go).

-- name: InsertSession :exec
-- A new session and its first refresh token in one statement: atomic
-- without BEGIN and COMMIT, and one round trip where a login made four.
WITH s AS (
  INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at, revoked_at)
  VALUES (sqlc.arg(id), sqlc.arg(user_id), sqlc.arg(created_at), sqlc.arg(last_used_at),
          sqlc.arg(expires_at), sqlc.narg(revoked_at))
  RETURNING id
)
INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at, used_at)
SELECT sqlc.arg(token_hash), s.id, sqlc.arg(token_created_at), sqlc.arg(token_expires_at), sqlc.narg(token_used_at)
FROM s;

-- name: InsertRefreshToken :exec
INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at, used_at)
VALUES ($1, $2, $3, $4, $5);

-- name: SessionExpiry :one
-- The session check (identity.Store.SessionLive) when the session cache
-- (adapters/postgres/sessions.go) cannot answer: a primary-key probe that
-- returns how long the cache may keep the session (no row: not live). A
-- deleted user's sessions are gone with them (ON DELETE CASCADE).
SELECT expires_at FROM sessions
WHERE id = sqlc.arg(id) AND user_id = sqlc.arg(user_id)
  AND revoked_at IS NULL AND expires_at > sqlc.arg(now);

-- name: LockRefreshToken :one
-- Serialises concurrent refreshes of the same token (and of its session):
-- the second waits and then sees the token spent.
SELECT sqlc.embed(rt), sqlc.embed(s)
FROM refresh_tokens rt
JOIN sessions s ON s.id = rt.session_id
WHERE rt.token_hash = $1
FOR UPDATE OF rt, s;

-- name: MarkRefreshTokenUsed :exec
UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1;

-- name: TouchSession :exec
UPDATE sessions SET last_used_at = $2 WHERE id = $1;

-- name: RevokeSession :exec
UPDATE sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL;

-- name: RevokeSessionByRefreshToken :many
-- The session's id (none: unknown token), so that this replica's session
-- cache forgets it at once.
UPDATE sessions s
SET revoked_at = coalesce(s.revoked_at, sqlc.arg(now))
FROM refresh_tokens rt
WHERE rt.token_hash = sqlc.arg(token_hash) AND s.id = rt.session_id
RETURNING s.id;

-- name: RevokeUserSessions :exec
-- Every live session of the user but one (uuid.Nil keeps none).
UPDATE sessions SET revoked_at = sqlc.arg(now)
WHERE user_id = sqlc.arg(user_id) AND revoked_at IS NULL AND id <> sqlc.arg(keep);

-- name: PurgeSessions :execrows
-- Sessions that ended (expired or revoked) before the cutoff; their refresh
-- tokens go with them (ON DELETE CASCADE).
DELETE FROM sessions WHERE expires_at < sqlc.arg(cutoff) OR revoked_at < sqlc.arg(cutoff);

-- name: PurgeRefreshTokens :execrows
-- Expired refresh tokens can never be used again; spent ones that have not
-- expired stay, so that their reuse is still detected.
DELETE FROM refresh_tokens WHERE expires_at < sqlc.arg(now);
