-- GET /api/v1/feed (first page, limit 20: 21 rows asked for, to know
-- whether there is a next one): the SQL one request issued when issue 18 was filed (the ceiling make bench compares with; the session check now comes from memory).
-- include: session-live.sql
-- Feed (sql/queries/posts.sql)
SELECT p.id, p.author_id, p.body, p.visibility, p.created_at, p.updated_at,
       u.username AS author_username, u.display_name AS author_display_name
FROM (SELECT (SELECT user_id FROM bench_sessions WHERE k = :s) AS author_id
      UNION ALL
      SELECT c.other_id FROM connections c WHERE c.user_id = (SELECT user_id FROM bench_sessions WHERE k = :s)) AS a
CROSS JOIN LATERAL (
    SELECT q.id, q.author_id, q.body, q.visibility, q.created_at, q.updated_at
    FROM posts q
    WHERE q.author_id = a.author_id
      AND (q.created_at, q.id) < ('9999-12-31T00:00:00Z'::timestamptz, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid)
    ORDER BY q.created_at DESC, q.id DESC
    LIMIT 21
) AS p
JOIN users u ON u.id = p.author_id
ORDER BY p.created_at DESC, p.id DESC
LIMIT 21;
