-- The social core: posts, connection requests, connections and blocks.

-- +goose Up
CREATE TABLE posts (
    id         uuid        PRIMARY KEY,
    author_id  uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body       text        NOT NULL CHECK (char_length(body) BETWEEN 1 AND 5000 AND body ~ '[^[:space:]]'),
    visibility text        NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'connections')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- Serves a user's posts and the feed (one index range per author), newest first.
CREATE INDEX posts_author_created_idx ON posts (author_id, created_at DESC, id DESC);

CREATE TABLE connection_requests (
    id           uuid        PRIMARY KEY,
    from_id      uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    to_id        uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    message      text        NOT NULL DEFAULT '' CHECK (char_length(message) <= 300),
    status       text        NOT NULL DEFAULT 'pending'
                             CHECK (status IN ('pending', 'accepted', 'declined', 'withdrawn')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    responded_at timestamptz,
    CHECK (from_id <> to_id),
    CHECK ((status = 'pending') = (responded_at IS NULL))
);
-- At most one pending request per pair, whichever direction it goes.
CREATE UNIQUE INDEX connection_requests_one_pending_per_pair
    ON connection_requests (LEAST(from_id, to_id), GREATEST(from_id, to_id))
    WHERE status = 'pending';
CREATE INDEX connection_requests_incoming_idx ON connection_requests (to_id, created_at DESC, id DESC)
    WHERE status = 'pending';
CREATE INDEX connection_requests_outgoing_idx ON connection_requests (from_id, created_at DESC, id DESC)
    WHERE status = 'pending';

-- A connection is stored once in each direction, so "my connections" is one
-- index range and counting is an index-only scan.
CREATE TABLE connections (
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    other_id   uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, other_id),
    CHECK (user_id <> other_id)
);
CREATE INDEX connections_user_created_idx ON connections (user_id, created_at DESC, other_id DESC);

CREATE TABLE blocks (
    blocker_id uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blocked_id uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (blocker_id, blocked_id),
    CHECK (blocker_id <> blocked_id)
);
CREATE INDEX blocks_blocked_idx ON blocks (blocked_id, blocker_id);
CREATE INDEX blocks_blocker_created_idx ON blocks (blocker_id, created_at DESC, blocked_id DESC);

-- +goose Down
DROP TABLE blocks;
DROP TABLE connections;
DROP TABLE connection_requests;
DROP TABLE posts;
