-- POST /api/v1/posts: the SQL one request issued when issue 18 was filed (the ceiling make bench compares with; the session check now comes from memory). The id is a UUIDv7 made by
-- the server (time-ordered), imitated here from clock_timestamp() and
-- random bits.
-- include: session-live.sql
-- CreatePost (adapters/postgres/social_posts.go): InsertPost, one statement
-- that inserts and returns the post with its author.
WITH inserted AS (
    INSERT INTO posts (id, author_id, body, visibility, created_at, updated_at)
    VALUES ((lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') || '7' ||
             substr(md5(random()::text), 1, 19))::uuid,
            (SELECT user_id FROM bench_sessions WHERE k = :s),
            'Benchmark post: shipping the quarterly roadmap review today.', 'public', now(), now())
    RETURNING id, author_id, body, visibility, created_at, updated_at
)
SELECT i.id, i.author_id, i.body, i.visibility, i.created_at, i.updated_at,
       u.username AS author_username, u.display_name AS author_display_name
FROM inserted i
JOIN users u ON u.id = i.author_id;
