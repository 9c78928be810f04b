-- The session check every request made when issue 18 was filed, before its
-- own statements: feed.sql, post.sql and create.sql include it (a line
-- "-- include: session-live.sql", which scripts/bench.sh expands: pgbench
-- has no include of its own). The token's session is picked at random.
\set s random(1, :sessions)
-- authenticate: SessionLive (sql/queries/sessions.sql)
SELECT EXISTS (
    SELECT 1 FROM sessions
    WHERE id = (SELECT session_id FROM bench_sessions WHERE k = :s)
      AND user_id = (SELECT user_id FROM bench_sessions WHERE k = :s)
      AND revoked_at IS NULL AND expires_at > now()
);
