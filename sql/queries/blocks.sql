-- Blocks and the user lookups of the social area (adapters/postgres/social_blocks.go).

-- name: FindUserSummary :one
SELECT id, username, display_name FROM users
WHERE lower(username) COLLATE "C" = lower(sqlc.arg(username)::text);

-- name: FindVisibleUserSummary :one
-- No row when absent or when a block exists either way with the viewer.
SELECT u.id, u.username, u.display_name FROM users u
WHERE lower(u.username) COLLATE "C" = lower(sqlc.arg(username)::text)
  AND NOT EXISTS (SELECT 1 FROM blocks b
                  WHERE (b.blocker_id = sqlc.arg(viewer)::uuid AND b.blocked_id = u.id)
                     OR (b.blocker_id = u.id AND b.blocked_id = sqlc.arg(viewer)::uuid));

-- name: InsertBlock :exec
-- Idempotent: blocking again keeps the first block and its time.
INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES ($1, $2, $3)
ON CONFLICT (blocker_id, blocked_id) DO NOTHING;

-- name: DeletePendingRequestsBetween :exec
DELETE FROM connection_requests
WHERE status = 'pending'
  AND least(from_id, to_id) = least(sqlc.arg(a)::uuid, sqlc.arg(b)::uuid)
  AND greatest(from_id, to_id) = greatest(sqlc.arg(a)::uuid, sqlc.arg(b)::uuid);

-- name: DeleteBlock :exec
DELETE FROM blocks WHERE blocker_id = $1 AND blocked_id = $2;

-- name: ListBlocks :many
SELECT b.blocked_id, b.created_at, u.username, u.display_name
FROM blocks b
JOIN users u ON u.id = b.blocked_id
WHERE b.blocker_id = sqlc.arg(blocker)::uuid
  AND (b.created_at, b.blocked_id) < (sqlc.arg(before_time)::timestamptz, sqlc.arg(before_id)::uuid)
ORDER BY b.created_at DESC, b.blocked_id DESC
LIMIT sqlc.arg(max_rows);
