-- GET /api/v1/posts/{id}: the SQL one request issued when issue 18 was filed (pgbench -M prepared) (the ceiling make bench compares with; the session check now comes from memory).
-- The token's session and the post are picked at random like wrk picks
-- them; the picks are index probes into small tables (bench_sessions,
-- bench_posts) inside the same statements, so there is no extra round trip.
-- include: session-live.sql
\set p random(1, :posts)
-- GetPostForViewer (sql/queries/posts.sql)
SELECT p.id, p.author_id, p.body, p.visibility, p.created_at, p.updated_at,
       u.username AS author_username, u.display_name AS author_display_name,
       EXISTS (SELECT 1 FROM connections c
               WHERE c.user_id = (SELECT user_id FROM bench_sessions WHERE k = :s) AND c.other_id = p.author_id) AS connected,
       EXISTS (SELECT 1 FROM blocks b
               WHERE (b.blocker_id = (SELECT user_id FROM bench_sessions WHERE k = :s) AND b.blocked_id = p.author_id)
                  OR (b.blocker_id = p.author_id AND b.blocked_id = (SELECT user_id FROM bench_sessions WHERE k = :s))) AS blocked
FROM posts p
JOIN users u ON u.id = p.author_id
WHERE p.id = (SELECT id FROM bench_posts WHERE k = :p);
