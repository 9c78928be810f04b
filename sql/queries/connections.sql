-- Connection requests, connections and profiles: the social adapter's
-- queries (adapters/postgres/social_connections.go). Every change to a pair
-- of users first takes LockPair, so sending, accepting, removing and
-- blocking for one pair run one after the other; the unique and check
-- constraints and the transition trigger stay the last line of defence.

-- name: LockPair :exec
-- A transaction-scoped advisory lock on the unordered pair {a, b}.
SELECT pg_advisory_xact_lock(hashtextextended(
    least(sqlc.arg(a)::uuid, sqlc.arg(b)::uuid)::text || greatest(sqlc.arg(a)::uuid, sqlc.arg(b)::uuid)::text, 0));

-- name: PairFacts :one
SELECT EXISTS (SELECT 1 FROM connections c
               WHERE c.user_id = sqlc.arg(a)::uuid AND c.other_id = sqlc.arg(b)::uuid) AS connected,
       EXISTS (SELECT 1 FROM blocks bl
               WHERE (bl.blocker_id = sqlc.arg(a)::uuid AND bl.blocked_id = sqlc.arg(b)::uuid)
                  OR (bl.blocker_id = sqlc.arg(b)::uuid AND bl.blocked_id = sqlc.arg(a)::uuid)) AS blocked;

-- name: PendingRequestBetween :many
-- The pending request between two users, either direction (at most one).
SELECT * FROM connection_requests
WHERE status = 'pending'
  AND least(from_id, to_id) = least(sqlc.arg(a)::uuid, sqlc.arg(b)::uuid)
  AND greatest(from_id, to_id) = greatest(sqlc.arg(a)::uuid, sqlc.arg(b)::uuid)
FOR UPDATE;

-- name: InsertRequest :exec
INSERT INTO connection_requests (id, from_id, to_id, message, status, created_at, responded_at)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: GetRequest :one
SELECT * FROM connection_requests WHERE id = $1;

-- name: LockRequest :one
SELECT * FROM connection_requests WHERE id = $1 FOR UPDATE;

-- name: SetRequestStatus :exec
UPDATE connection_requests SET status = $2, responded_at = $3 WHERE id = $1;

-- name: GetRequestView :one
SELECT sqlc.embed(r),
       f.username AS from_username, f.display_name AS from_display_name,
       t.username AS to_username, t.display_name AS to_display_name
FROM connection_requests r
JOIN users f ON f.id = r.from_id
JOIN users t ON t.id = r.to_id
WHERE r.id = $1;

-- name: ListIncomingRequests :many
SELECT sqlc.embed(r),
       f.username AS from_username, f.display_name AS from_display_name,
       t.username AS to_username, t.display_name AS to_display_name
FROM connection_requests r
JOIN users f ON f.id = r.from_id
JOIN users t ON t.id = r.to_id
WHERE r.to_id = sqlc.arg(user_id)::uuid AND r.status = 'pending'
  AND (r.created_at, r.id) < (sqlc.arg(before_time)::timestamptz, sqlc.arg(before_id)::uuid)
ORDER BY r.created_at DESC, r.id DESC
LIMIT sqlc.arg(max_rows);

-- name: ListOutgoingRequests :many
SELECT sqlc.embed(r),
       f.username AS from_username, f.display_name AS from_display_name,
       t.username AS to_username, t.display_name AS to_display_name
FROM connection_requests r
JOIN users f ON f.id = r.from_id
JOIN users t ON t.id = r.to_id
WHERE r.from_id = sqlc.arg(user_id)::uuid AND r.status = 'pending'
  AND (r.created_at, r.id) < (sqlc.arg(before_time)::timestamptz, sqlc.arg(before_id)::uuid)
ORDER BY r.created_at DESC, r.id DESC
LIMIT sqlc.arg(max_rows);

-- name: InsertConnectionPair :exec
-- A connection is stored once in each direction.
INSERT INTO connections (user_id, other_id, created_at)
VALUES (sqlc.arg(a)::uuid, sqlc.arg(b)::uuid, sqlc.arg(at)::timestamptz),
       (sqlc.arg(b)::uuid, sqlc.arg(a)::uuid, sqlc.arg(at)::timestamptz);

-- name: DeleteConnectionPair :execrows
DELETE FROM connections
WHERE (user_id = sqlc.arg(a)::uuid AND other_id = sqlc.arg(b)::uuid)
   OR (user_id = sqlc.arg(b)::uuid AND other_id = sqlc.arg(a)::uuid);

-- name: ListConnections :many
-- A user's connections, leaving out anyone with a block to or from the viewer.
SELECT c.other_id, c.created_at, u.username, u.display_name
FROM connections c
JOIN users u ON u.id = c.other_id
WHERE c.user_id = sqlc.arg(user_id)::uuid
  AND (c.created_at, c.other_id) < (sqlc.arg(before_time)::timestamptz, sqlc.arg(before_id)::uuid)
  AND NOT EXISTS (SELECT 1 FROM blocks b
                  WHERE (b.blocker_id = sqlc.arg(viewer)::uuid AND b.blocked_id = c.other_id)
                     OR (b.blocker_id = c.other_id AND b.blocked_id = sqlc.arg(viewer)::uuid))
ORDER BY c.created_at DESC, c.other_id DESC
LIMIT sqlc.arg(max_rows);

-- name: ListMutualConnections :many
-- The viewer's connections who are also connected to user, in the order the
-- viewer connected with them.
SELECT c.other_id, c.created_at, u.username, u.display_name
FROM connections c
JOIN connections theirs ON theirs.user_id = sqlc.arg(user_id)::uuid AND theirs.other_id = c.other_id
JOIN users u ON u.id = c.other_id
WHERE c.user_id = sqlc.arg(viewer)::uuid
  AND (c.created_at, c.other_id) < (sqlc.arg(before_time)::timestamptz, sqlc.arg(before_id)::uuid)
ORDER BY c.created_at DESC, c.other_id DESC
LIMIT sqlc.arg(max_rows);

-- name: GetProfile :one
-- A user as the viewer sees them, with counts and the relation facts;
-- no row when absent or when a block exists either way. connections_count
-- counts exactly whom ListConnections shows this viewer: the same filter
-- leaves out anyone with a block to or from the viewer.
SELECT u.id, u.username, u.display_name, u.headline, u.bio, u.created_at,
       (SELECT count(*) FROM connections c
        WHERE c.user_id = u.id
          AND NOT EXISTS (SELECT 1 FROM blocks b
                          WHERE (b.blocker_id = sqlc.arg(viewer)::uuid AND b.blocked_id = c.other_id)
                             OR (b.blocker_id = c.other_id AND b.blocked_id = sqlc.arg(viewer)::uuid))) AS connections_count,
       (SELECT count(*) FROM connections mine
        JOIN connections theirs ON theirs.user_id = u.id AND theirs.other_id = mine.other_id
        WHERE mine.user_id = sqlc.arg(viewer)::uuid) AS mutual_count,
       EXISTS (SELECT 1 FROM connections c
               WHERE c.user_id = sqlc.arg(viewer)::uuid AND c.other_id = u.id) AS connected,
       EXISTS (SELECT 1 FROM connection_requests r
               WHERE r.from_id = sqlc.arg(viewer)::uuid AND r.to_id = u.id AND r.status = 'pending') AS pending_outgoing,
       EXISTS (SELECT 1 FROM connection_requests r
               WHERE r.from_id = u.id AND r.to_id = sqlc.arg(viewer)::uuid AND r.status = 'pending') AS pending_incoming
FROM users u
WHERE lower(u.username) COLLATE "C" = lower(sqlc.arg(username)::text)
  AND NOT EXISTS (SELECT 1 FROM blocks b
                  WHERE (b.blocker_id = sqlc.arg(viewer)::uuid AND b.blocked_id = u.id)
                     OR (b.blocker_id = u.id AND b.blocked_id = sqlc.arg(viewer)::uuid));
