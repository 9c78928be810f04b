-- Identity: users, login sessions (refresh-token families) and single-use
-- tokens for password reset and email verification.

-- +goose Up
CREATE TABLE users (
    id                uuid        PRIMARY KEY,
    username          text        NOT NULL CHECK (username ~ '^[A-Za-z0-9_]{3,30}$'),
    email             text        NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254),
    email_verified_at timestamptz,
    password_hash     text        NOT NULL,
    display_name      text        NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 100),
    headline          text        NOT NULL DEFAULT '' CHECK (char_length(headline) <= 200),
    bio               text        NOT NULL DEFAULT '' CHECK (char_length(bio) <= 2000),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);

-- Usernames are ASCII, so the "C" collation gives both case-insensitive
-- uniqueness and an index that serves prefix search and keyset order.
CREATE UNIQUE INDEX users_username_lower_key ON users ((lower(username) COLLATE "C"));
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
CREATE INDEX users_display_name_prefix_idx ON users ((lower(display_name)) text_pattern_ops);

-- One row per login. Every refresh token descends from one session; revoking
-- the session revokes all of them and every access token carrying its id.
CREATE TABLE sessions (
    id           uuid        PRIMARY KEY,
    user_id      uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- Refresh tokens are stored only as SHA-256 hashes. A used token stays as a
-- tombstone so that its reuse can be detected and the session revoked.
CREATE TABLE refresh_tokens (
    token_hash bytea       PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    session_id uuid        NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

-- Single-use tokens sent by email, stored only as SHA-256 hashes.
CREATE TABLE user_tokens (
    token_hash bytea       PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    text        NOT NULL CHECK (purpose IN ('password_reset', 'email_verification')),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX user_tokens_user_idx ON user_tokens (user_id, purpose);

-- +goose Down
DROP TABLE user_tokens;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE users;
