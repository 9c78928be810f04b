-- The data export (GET /users/me/export): everything stored about one user,
-- read in one repeatable-read snapshot (adapters/postgres/social_export.go).
-- Sessions are read without any secret: refresh-token hashes stay out. The
-- account is read with GetUserByID (users.sql), so that one mapper (toUser)
-- turns a users row into a user.User; the store drops the password hash.

-- name: ExportPosts :many
SELECT sqlc.embed(p), u.username AS author_username, u.display_name AS author_display_name
FROM posts p JOIN users u ON u.id = p.author_id
WHERE p.author_id = $1
ORDER BY p.created_at DESC, p.id DESC;

-- name: ExportRequests :many
SELECT sqlc.embed(r),
       f.username AS from_username, f.display_name AS from_display_name,
       t.username AS to_username, t.display_name AS to_display_name
FROM connection_requests r
JOIN users f ON f.id = r.from_id
JOIN users t ON t.id = r.to_id
WHERE r.from_id = sqlc.arg(user_id)::uuid OR r.to_id = sqlc.arg(user_id)::uuid
ORDER BY r.created_at DESC, r.id DESC;

-- name: ExportConnections :many
SELECT c.other_id, c.created_at, u.username, u.display_name
FROM connections c JOIN users u ON u.id = c.other_id
WHERE c.user_id = $1
ORDER BY c.created_at DESC, c.other_id DESC;

-- name: ExportBlocks :many
SELECT b.blocked_id, u.username, u.display_name
FROM blocks b JOIN users u ON u.id = b.blocked_id
WHERE b.blocker_id = $1
ORDER BY b.created_at DESC, b.blocked_id DESC;

-- name: ExportSessions :many
-- The sessions table holds no secret (refresh-token hashes are in their own).
SELECT * FROM sessions WHERE user_id = $1
ORDER BY created_at DESC, id DESC;
