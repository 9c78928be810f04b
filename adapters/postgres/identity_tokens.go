package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"

	"agora/adapters/postgres/internal/db"
	"agora/domain/errs"
	"agora/domain/session"
)

func toOneTimeToken(r db.UserToken) session.OneTimeToken {
	return session.OneTimeToken{
		Hash: toHash(r.TokenHash), UserID: r.UserID, Purpose: session.Purpose(r.Purpose), CreatedAt: r.CreatedAt.UTC(),
		ExpiresAt: r.ExpiresAt.UTC(), UsedAt: utcPtr(r.UsedAt),
	}
}

// CreateOneTimeToken implements identity.TokenStore.
func (s *IdentityStore) CreateOneTimeToken(ctx context.Context, t session.OneTimeToken) error {
	return translate(s.q.InsertUserToken(ctx, db.InsertUserTokenParams{
		TokenHash: t.Hash[:], UserID: t.UserID, Purpose: string(t.Purpose), CreatedAt: t.CreatedAt,
		ExpiresAt: t.ExpiresAt, UsedAt: t.UsedAt,
	}))
}

// redeem locks a token, checks it with the domain rule and spends it, inside
// a transaction (inTx translates its errors).
func redeem(ctx context.Context, q *db.Queries, presented session.Hash, p session.Purpose, now time.Time) (uuid.UUID, error) {
	r, err := q.LockUserToken(ctx, presented[:])
	if err != nil {
		return uuid.Nil, err
	}
	t := toOneTimeToken(r)
	if !t.Usable(p, now) {
		return uuid.Nil, errs.New(errs.ErrNotFound, "token unusable")
	}
	if err := q.MarkUserTokenUsed(ctx, db.MarkUserTokenUsedParams{TokenHash: presented[:], UsedAt: &now}); err != nil {
		return uuid.Nil, err
	}
	return t.UserID, nil
}

// ResetPassword implements identity.TokenStore.
func (s *IdentityStore) ResetPassword(ctx context.Context, presented session.Hash, hash string, now time.Time) error {
	var reset uuid.UUID // forgotten once committed (see Refresh)
	defer func() {
		if reset != uuid.Nil {
			s.sessions.ForgetUser(reset)
		}
	}()
	return inTx(ctx, s.pool, s.q, func(q *db.Queries) error {
		id, err := redeem(ctx, q, presented, session.PasswordReset, now)
		if err != nil {
			return err
		}
		reset = id
		if _, err := q.SetPasswordHash(ctx, db.SetPasswordHashParams{ID: id, PasswordHash: hash, UpdatedAt: now}); err != nil {
			return err
		}
		// The other reset (and verification) links of the user die with this one.
		if err := q.SpendUserTokens(ctx, db.SpendUserTokensParams{Now: &now, UserID: id}); err != nil {
			return err
		}
		return q.RevokeUserSessions(ctx, db.RevokeUserSessionsParams{Now: &now, UserID: id, Keep: uuid.Nil})
	})
}

// VerifyEmail implements identity.TokenStore.
func (s *IdentityStore) VerifyEmail(ctx context.Context, presented session.Hash, now time.Time) error {
	return inTx(ctx, s.pool, s.q, func(q *db.Queries) error {
		id, err := redeem(ctx, q, presented, session.EmailVerification, now)
		if err != nil {
			return err
		}
		return q.SetEmailVerified(ctx, db.SetEmailVerifiedParams{Now: now, ID: id})
	})
}
