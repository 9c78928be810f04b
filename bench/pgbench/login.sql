-- POST /api/v1/auth/login: the SQL one request issues (the argon2id check
-- between the first statement and the transaction is the request's real
-- cost; this is only the database's share).
\set u random(1, :users)
-- GetUserByUsername (sql/queries/users.sql)
SELECT * FROM users WHERE lower(username) COLLATE "C" = lower('user' || :u) \gset
-- CreateSession (adapters/postgres/identity_sessions.go): InsertSession and
-- InsertRefreshToken in one transaction.
BEGIN;
INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at, revoked_at)
VALUES (gen_random_uuid(), :id, now(), now(), now() + interval '720 hours', NULL)
RETURNING id AS sid \gset
INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at, used_at)
VALUES (sha256(random()::text::bytea), :sid,
        now(), now() + interval '720 hours', NULL);
COMMIT;
