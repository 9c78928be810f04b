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
    CONSTRAINT connection_requests_not_to_self CHECK (from_id <> to_id),
    CONSTRAINT connection_requests_responded_iff_settled CHECK ((status = 'pending') = (responded_at IS NULL))
);
-- At most one pending request per pair, whichever direction it goes.
CREATE UNIQUE INDEX connection_requests_one_pending_per_pair
    ON connection_requests (LEAST(from_id, to_id), GREATEST(from_id, to_id))
    WHERE status = 'pending';
CREATE INDEX connection_requests_incoming_idx ON connection_requests (to_id, created_at DESC, id DESC)
    WHERE status = 'pending';
CREATE INDEX connection_requests_outgoing_idx ON connection_requests (from_id, created_at DESC, id DESC)
    WHERE status = 'pending';
-- Every state, for the export and for the cascade when an account is deleted.
CREATE INDEX connection_requests_from_idx ON connection_requests (from_id);
CREATE INDEX connection_requests_to_idx ON connection_requests (to_id);

-- The state machine, enforced again by the database: only a pending request
-- changes, only once, and only its status and responded_at.
-- +goose StatementBegin
CREATE FUNCTION connection_requests_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status <> 'pending' OR NEW.status NOT IN ('accepted', 'declined', 'withdrawn')
       OR NEW.id <> OLD.id OR NEW.from_id <> OLD.from_id OR NEW.to_id <> OLD.to_id
       OR NEW.message <> OLD.message OR NEW.created_at <> OLD.created_at THEN
        RAISE EXCEPTION 'connection request % cannot go from % to %', OLD.id, OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'connection_requests_transition';
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER connection_requests_transition BEFORE UPDATE ON connection_requests
    FOR EACH ROW EXECUTE FUNCTION connection_requests_transition();

-- A connection is stored once in each direction, so "my connections" is one
-- index range and counting is an index-only scan.
CREATE TABLE connections (
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    other_id   uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, other_id),
    CONSTRAINT connections_not_self CHECK (user_id <> other_id)
);
CREATE INDEX connections_user_created_idx ON connections (user_id, created_at DESC, other_id DESC);
-- For the cascade when the other side's account is deleted.
CREATE INDEX connections_other_idx ON connections (other_id);

CREATE TABLE blocks (
    blocker_id uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blocked_id uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (blocker_id, blocked_id),
    CONSTRAINT blocks_not_self CHECK (blocker_id <> blocked_id)
);
CREATE INDEX blocks_blocked_idx ON blocks (blocked_id, blocker_id);
CREATE INDEX blocks_blocker_created_idx ON blocks (blocker_id, created_at DESC, blocked_id DESC);

-- +goose Down
DROP TABLE blocks;
DROP TABLE connections;
DROP TABLE connection_requests;
DROP FUNCTION connection_requests_transition();
DROP TABLE posts;
