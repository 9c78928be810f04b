-- Posts and the feed: the social adapter's queries (adapters/postgres/social_posts.go).
-- Lists are keyset-paged on (created_at, id) descending: the adapter always
-- passes a position (the start of a list is a position after every row), so
-- each list is one index range scan of posts_author_created_idx.

-- name: InsertPost :one
-- One statement (atomic on its own): the new post with its author, so a
-- create costs one round trip, not a transaction of three.
INSERT INTO posts (id, author_id, body, visibility, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING sqlc.embed(posts),
          (SELECT u.username FROM users u WHERE u.id = posts.author_id) AS author_username,
          (SELECT u.display_name FROM users u WHERE u.id = posts.author_id) AS author_display_name;

-- name: GetPostForViewer :one
-- The post, its author, and what the rule of visibility needs to know about
-- the viewer (connected to the author? a block either way?).
SELECT sqlc.embed(p),
       u.username AS author_username, u.display_name AS author_display_name,
       EXISTS (SELECT 1 FROM connections c
               WHERE c.user_id = sqlc.arg(viewer)::uuid AND c.other_id = p.author_id) AS connected,
       EXISTS (SELECT 1 FROM blocks b
               WHERE (b.blocker_id = sqlc.arg(viewer)::uuid AND b.blocked_id = p.author_id)
                  OR (b.blocker_id = p.author_id AND b.blocked_id = sqlc.arg(viewer)::uuid)) AS blocked
FROM posts p
JOIN users u ON u.id = p.author_id
WHERE p.id = sqlc.arg(id);

-- name: LockPost :one
SELECT id FROM posts WHERE id = $1 FOR UPDATE;

-- name: UpdatePost :exec
UPDATE posts SET body = $2, visibility = $3, updated_at = $4 WHERE id = $1;

-- name: DeletePost :execrows
DELETE FROM posts WHERE id = $1;

-- name: ListUserPosts :many
-- One author's posts that the viewer may see: public ones, and all of them
-- for the author and the author's connections.
SELECT sqlc.embed(p),
       u.username AS author_username, u.display_name AS author_display_name
FROM posts p
JOIN users u ON u.id = p.author_id
WHERE p.author_id = sqlc.arg(author)::uuid
  AND (p.created_at, p.id) < (sqlc.arg(before_time)::timestamptz, sqlc.arg(before_id)::uuid)
  AND (p.visibility = 'public'
       OR sqlc.arg(author)::uuid = sqlc.arg(viewer)::uuid
       OR EXISTS (SELECT 1 FROM connections c
                  WHERE c.user_id = sqlc.arg(viewer)::uuid AND c.other_id = sqlc.arg(author)::uuid))
ORDER BY p.created_at DESC, p.id DESC
LIMIT sqlc.arg(max_rows);

-- name: Feed :many
-- The viewer's and their connections' posts in one statement: for each
-- author (the viewer, then every connection) the positions of the newest
-- max_rows posts before the position, one range of posts_author_created_idx
-- each, read from the index alone (it holds author_id, created_at and id);
-- the union of those small ranges is sorted and cut to max_rows, and only
-- those rows are then read from posts (by primary key) and joined to their
-- authors. Work is bounded by authors × max_rows index entries plus max_rows
-- rows, whatever the size of the posts table (issue 18: reading every
-- candidate row, authors × max_rows of them, and joining each to users cost
-- most of the statement).
SELECT sqlc.embed(p),
       u.username AS author_username, u.display_name AS author_display_name
FROM (
    SELECT k.id, k.created_at
    FROM (SELECT sqlc.arg(viewer)::uuid AS author_id
          UNION ALL
          SELECT c.other_id FROM connections c WHERE c.user_id = sqlc.arg(viewer)::uuid) AS a
    CROSS JOIN LATERAL (
        SELECT q.id, q.created_at
        FROM posts q
        WHERE q.author_id = a.author_id
          AND (q.created_at, q.id) < (sqlc.arg(before_time)::timestamptz, sqlc.arg(before_id)::uuid)
        ORDER BY q.created_at DESC, q.id DESC
        LIMIT sqlc.arg(max_rows)
    ) AS k
    ORDER BY k.created_at DESC, k.id DESC
    LIMIT sqlc.arg(max_rows)
) AS t
JOIN posts p ON p.id = t.id
JOIN users u ON u.id = p.author_id
ORDER BY t.created_at DESC, t.id DESC;
