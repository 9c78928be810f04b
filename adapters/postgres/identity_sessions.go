package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"agora/adapters/postgres/internal/db"
	"agora/domain/errs"
	"agora/domain/session"
	"agora/ports/identity"
)

func toRefreshToken(r db.RefreshToken) session.RefreshToken {
	return session.RefreshToken{
		Hash: toHash(r.TokenHash), SessionID: r.SessionID, CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(),
		UsedAt: utcPtr(r.UsedAt),
	}
}

// insertSession writes a session and its first refresh token, in one
// statement (which files the token under the new session).
func insertSession(ctx context.Context, q *db.Queries, s session.Session, rt session.RefreshToken) error {
	if rt.SessionID != s.ID {
		return fmt.Errorf("postgres: refresh token of session %s filed with session %s", rt.SessionID, s.ID)
	}
	return q.InsertSession(ctx, db.InsertSessionParams{
		ID: s.ID, UserID: s.UserID, CreatedAt: s.CreatedAt, LastUsedAt: s.LastUsedAt,
		ExpiresAt: s.ExpiresAt, RevokedAt: s.RevokedAt,
		TokenHash: rt.Hash[:], TokenCreatedAt: rt.CreatedAt, TokenExpiresAt: rt.ExpiresAt, TokenUsedAt: rt.UsedAt,
	})
}

func insertRefreshToken(ctx context.Context, q *db.Queries, rt session.RefreshToken) error {
	return q.InsertRefreshToken(ctx, db.InsertRefreshTokenParams{
		TokenHash: rt.Hash[:], SessionID: rt.SessionID, CreatedAt: rt.CreatedAt, ExpiresAt: rt.ExpiresAt, UsedAt: rt.UsedAt,
	})
}

// CreateSession implements identity.SessionStore.
func (s *IdentityStore) CreateSession(ctx context.Context, sess session.Session, rt session.RefreshToken) error {
	return translate(insertSession(ctx, s.q, sess, rt))
}

// Refresh implements identity.SessionStore.
func (s *IdentityStore) Refresh(ctx context.Context, presented session.Hash, decide func(session.RefreshToken, session.Session) (identity.RefreshPlan, error)) (session.Session, error) {
	var sess session.Session
	var refused error
	// Forgotten once the revocation has committed: forgotten before, a check
	// made during the commit could still find the session live and
	// remember it until the notification comes back.
	var revoked uuid.UUID
	defer func() {
		if revoked != uuid.Nil {
			s.sessions.Forget(revoked)
		}
	}()
	err := inTx(ctx, s.pool, s.q, func(q *db.Queries) error {
		row, err := q.LockRefreshToken(ctx, presented[:])
		if err != nil {
			return err
		}
		rt, cur := toRefreshToken(row.RefreshToken), toSession(row.Session)
		plan, derr := decide(rt, cur)
		refused = derr
		now := plan.Now
		if plan.Revoke && cur.RevokedAt == nil {
			revoked = cur.ID
			if err := q.RevokeSession(ctx, db.RevokeSessionParams{ID: cur.ID, RevokedAt: &now}); err != nil {
				return err
			}
			cur.RevokedAt = ptr(now.UTC())
		}
		if plan.Next != nil {
			if err := q.MarkRefreshTokenUsed(ctx, db.MarkRefreshTokenUsedParams{TokenHash: presented[:], UsedAt: &now}); err != nil {
				return err
			}
			if err := insertRefreshToken(ctx, q, *plan.Next); err != nil {
				return err
			}
			if err := q.TouchSession(ctx, db.TouchSessionParams{ID: cur.ID, LastUsedAt: now}); err != nil {
				return err
			}
			cur.LastUsedAt = now.UTC()
		}
		sess = cur
		return nil
	})
	if err != nil {
		return session.Session{}, err
	}
	return sess, refused
}

// RevokeSessionOf implements identity.SessionStore.
func (s *IdentityStore) RevokeSessionOf(ctx context.Context, presented session.Hash, now time.Time) error {
	ids, err := s.q.RevokeSessionByRefreshToken(ctx, db.RevokeSessionByRefreshTokenParams{Now: &now, TokenHash: presented[:]})
	if err != nil {
		return translate(err)
	}
	s.sessions.Forget(ids...)
	if len(ids) == 0 {
		return errs.New(errs.ErrNotFound, "no such refresh token")
	}
	return nil
}

// SessionLive implements identity.SessionStore, through the session cache.
func (s *IdentityStore) SessionLive(ctx context.Context, sessionID, userID uuid.UUID, now time.Time) (bool, error) {
	return s.sessions.Live(ctx, sessionID, userID, now)
}
