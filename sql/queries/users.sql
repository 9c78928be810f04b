-- Users: the identity adapter's queries (adapters/postgres/identity_users.go, identity_directory.go).
-- Usernames compare as lower(username) COLLATE "C", the expression of the
-- unique index users_username_lower_key, so that every lookup is an index probe.

-- name: GetUserByID :one
SELECT * FROM users WHERE id = $1;

-- name: GetUserByUsername :one
SELECT * FROM users WHERE lower(username) COLLATE "C" = lower(sqlc.arg(username)::text);

-- name: GetUserByEmail :one
SELECT * FROM users WHERE lower(email) = lower(sqlc.arg(email)::text);

-- name: InsertUser :exec
INSERT INTO users (id, username, email, email_verified_at, password_hash, display_name, headline, bio, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- name: LockUser :one
SELECT * FROM users WHERE id = $1 FOR UPDATE;

-- name: UpdateProfile :one
-- The profile as the domain decided it (ProfileChanges.Apply), written
-- under LockUser's lock.
UPDATE users SET display_name = $2, headline = $3, bio = $4, updated_at = $5
WHERE id = $1
RETURNING *;

-- name: SetPasswordHash :execrows
UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1;

-- name: SetEmailVerified :exec
UPDATE users SET email_verified_at = coalesce(email_verified_at, sqlc.arg(now)), updated_at = sqlc.arg(now)
WHERE id = sqlc.arg(id);

-- name: DeleteUser :execrows
-- Sessions, tokens, posts, requests, connections and blocks go with the
-- user through ON DELETE CASCADE, in this one statement's transaction.
DELETE FROM users WHERE id = $1;

-- name: ListUsers :many
-- The directory without a query: one walk of the username index.
SELECT u.id, u.username, u.display_name
FROM users u
WHERE lower(u.username) COLLATE "C" > sqlc.arg(after)::text
  AND NOT EXISTS (
    SELECT 1 FROM blocks b
    WHERE (b.blocker_id = sqlc.arg(caller) AND b.blocked_id = u.id)
       OR (b.blocker_id = u.id AND b.blocked_id = sqlc.arg(caller)))
ORDER BY lower(u.username) COLLATE "C"
LIMIT sqlc.arg(lim);

-- name: SearchUsers :many
-- A prefix search: one index range for usernames, one for display names
-- (pattern is an escaped LIKE prefix ending in %), merged and ordered.
SELECT m.id, m.username, m.display_name
FROM (
    SELECT u.id, u.username, u.display_name FROM users u
    WHERE lower(u.username) COLLATE "C" LIKE lower(sqlc.arg(pattern)::text)
      AND lower(u.username) COLLATE "C" > sqlc.arg(after)::text
    UNION
    SELECT u.id, u.username, u.display_name FROM users u
    WHERE lower(u.display_name) LIKE lower(sqlc.arg(pattern)::text)
      AND lower(u.username) COLLATE "C" > sqlc.arg(after)::text
) m
WHERE NOT EXISTS (
    SELECT 1 FROM blocks b
    WHERE (b.blocker_id = sqlc.arg(caller) AND b.blocked_id = m.id)
       OR (b.blocker_id = m.id AND b.blocked_id = sqlc.arg(caller)))
ORDER BY lower(m.username) COLLATE "C"
LIMIT sqlc.arg(lim);
