-- +goose Up
-- TRUNCATE fires no row trigger, so `TRUNCATE sessions` (or `TRUNCATE users
-- CASCADE`, an operator's reset) ended sessions that every replica's cache
-- still answered live. A statement trigger notifies '*' instead of an id;
-- the listener forgets everything it holds on a payload that is not a
-- session id.
-- +goose StatementBegin
CREATE FUNCTION sessions_notify_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('agora_session_revoked', '*');
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER sessions_notify_truncated AFTER TRUNCATE ON sessions
    FOR EACH STATEMENT
    EXECUTE FUNCTION sessions_notify_truncated();

-- +goose Down
DROP TRIGGER sessions_notify_truncated ON sessions;
DROP FUNCTION sessions_notify_truncated();
