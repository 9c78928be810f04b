-- +goose Up
-- Every replica keeps an in-process cache of live sessions so that an
-- authenticated request costs one statement, not two (issue 18). What makes
-- that safe is this trigger: whatever ends a live session (logout, a refresh
-- token's reuse, a password change or reset, the user's deletion through
-- ON DELETE CASCADE) notifies channel agora_session_revoked with the
-- session's id, delivered at commit to every replica's listening connection.
-- Sessions already ended (expired or revoked) notify nothing when purged.
-- +goose StatementBegin
CREATE FUNCTION sessions_notify_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('agora_session_revoked', OLD.id::text);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER sessions_notify_revoked AFTER UPDATE ON sessions
    FOR EACH ROW
    WHEN (OLD.revoked_at IS NULL AND (NEW.revoked_at IS NOT NULL OR NEW.expires_at < OLD.expires_at
                                      OR NEW.user_id <> OLD.user_id OR NEW.id <> OLD.id))
    EXECUTE FUNCTION sessions_notify_revoked();

CREATE TRIGGER sessions_notify_deleted AFTER DELETE ON sessions
    FOR EACH ROW
    WHEN (OLD.revoked_at IS NULL AND OLD.expires_at > now())
    EXECUTE FUNCTION sessions_notify_revoked();

-- +goose Down
DROP TRIGGER sessions_notify_deleted ON sessions;
DROP TRIGGER sessions_notify_revoked ON sessions;
DROP FUNCTION sessions_notify_revoked();
