-- GET /api/v1/feed as Agora runs it now (first page, limit 20: 21 rows
-- asked for): the Feed statement alone, since the session check is answered
-- from the session cache. The yardstick of the feed's database CPU per
-- request; feed.sql (the SQL of issue 18's time) stays the ceiling.
\set s random(1, :sessions)
-- Feed (sql/queries/posts.sql)
SELECT p.id, p.author_id, p.body, p.visibility, p.created_at, p.updated_at,
       u.username AS author_username, u.display_name AS author_display_name
FROM (
    SELECT k.id, k.created_at
    FROM (SELECT (SELECT user_id FROM bench_sessions WHERE k = :s) AS author_id
          UNION ALL
          SELECT c.other_id FROM connections c WHERE c.user_id = (SELECT user_id FROM bench_sessions WHERE k = :s)) AS a
    CROSS JOIN LATERAL (
        SELECT q.id, q.created_at
        FROM posts q
        WHERE q.author_id = a.author_id
          AND (q.created_at, q.id) < ('9999-12-31T00:00:00Z'::timestamptz, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid)
        ORDER BY q.created_at DESC, q.id DESC
        LIMIT 21
    ) AS k
    ORDER BY k.created_at DESC, k.id DESC
    LIMIT 21
) AS t
JOIN posts p ON p.id = t.id
JOIN users u ON u.id = p.author_id
ORDER BY t.created_at DESC, t.id DESC;
