-- POST /api/v1/posts: the SQL one request issues. The id is a UUIDv7 made by
-- the server (time-ordered), imitated here from clock_timestamp() and
-- random bits.
\set s random(1, :sessions)
-- authenticate: SessionLive (sql/queries/sessions.sql)
SELECT EXISTS (
    SELECT 1 FROM sessions
    WHERE id = (SELECT session_id FROM bench_sessions WHERE k = :s)
      AND user_id = (SELECT user_id FROM bench_sessions WHERE k = :s)
      AND revoked_at IS NULL AND expires_at > now()
);
-- CreatePost (adapters/postgres/social_posts.go): InsertPost and
-- GetPostForViewer (the author as viewer) in one transaction. RETURNING hands
-- the new id to the second statement, as the server knows it.
BEGIN;
INSERT INTO posts (id, author_id, body, visibility, created_at, updated_at)
VALUES ((lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') || '7' ||
         substr(md5(random()::text), 1, 19))::uuid,
        (SELECT user_id FROM bench_sessions WHERE k = :s),
        'Benchmark post: shipping the quarterly roadmap review today.', 'public', now(), now())
RETURNING id AS pid \gset
SELECT p.id, p.author_id, p.body, p.visibility, p.created_at, p.updated_at,
       u.username AS author_username, u.display_name AS author_display_name,
       EXISTS (SELECT 1 FROM connections c
               WHERE c.user_id = p.author_id AND c.other_id = p.author_id) AS connected,
       EXISTS (SELECT 1 FROM blocks b
               WHERE (b.blocker_id = p.author_id AND b.blocked_id = p.author_id)
                  OR (b.blocker_id = p.author_id AND b.blocked_id = p.author_id)) AS blocked
FROM posts p
JOIN users u ON u.id = p.author_id
WHERE p.id = :pid;
COMMIT;
