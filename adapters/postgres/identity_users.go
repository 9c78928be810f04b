package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"

	"agora/adapters/postgres/internal/db"
	"agora/domain/errs"
	"agora/domain/session"
	"agora/domain/user"
	"agora/ports/identity"
)

// The unique indexes whose violation means "taken".
const (
	constraintUsername = "users_username_lower_key"
	constraintEmail    = "users_email_lower_key"
)

// CreateUser implements identity.UserStore.
func (s *IdentityStore) CreateUser(ctx context.Context, u user.User, sess session.Session, rt session.RefreshToken) error {
	return inTx(ctx, s.pool, s.q, func(q *db.Queries) error {
		err := q.InsertUser(ctx, db.InsertUserParams{
			ID: u.ID, Username: string(u.Username), Email: string(u.Email), EmailVerifiedAt: u.EmailVerifiedAt,
			PasswordHash: u.PasswordHash, DisplayName: u.DisplayName, Headline: u.Headline, Bio: u.Bio,
			CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt,
		})
		switch constraintOf(err) {
		case constraintUsername:
			return errs.WithCause(identity.ErrUsernameTaken, err)
		case constraintEmail:
			return errs.WithCause(identity.ErrEmailTaken, err)
		}
		if err != nil {
			return err
		}
		return insertSession(ctx, q, sess, rt)
	})
}

// UserByID implements identity.UserStore.
func (s *IdentityStore) UserByID(ctx context.Context, id uuid.UUID) (user.User, error) {
	r, err := s.q.GetUserByID(ctx, id)
	if err != nil {
		return user.User{}, translate(err)
	}
	return toUser(r), nil
}

// UserByUsername implements identity.UserStore.
func (s *IdentityStore) UserByUsername(ctx context.Context, username user.Username) (user.User, error) {
	r, err := s.q.GetUserByUsername(ctx, string(username))
	if err != nil {
		return user.User{}, translate(err)
	}
	return toUser(r), nil
}

// UserByEmail implements identity.UserStore.
func (s *IdentityStore) UserByEmail(ctx context.Context, email user.Email) (user.User, error) {
	r, err := s.q.GetUserByEmail(ctx, string(email))
	if err != nil {
		return user.User{}, translate(err)
	}
	return toUser(r), nil
}

// UpdateProfile implements identity.UserStore.
func (s *IdentityStore) UpdateProfile(ctx context.Context, id uuid.UUID, update func(user.User) (user.User, error)) (user.User, error) {
	var out user.User
	err := inTx(ctx, s.pool, s.q, func(q *db.Queries) error {
		r, err := q.LockUser(ctx, id)
		if err != nil {
			return err
		}
		u, err := update(toUser(r))
		if err != nil {
			return err
		}
		r, err = q.UpdateProfile(ctx, db.UpdateProfileParams{
			ID: id, DisplayName: u.DisplayName, Headline: u.Headline, Bio: u.Bio, UpdatedAt: u.UpdatedAt,
		})
		if err != nil {
			return err
		}
		out = toUser(r)
		return nil
	})
	return out, err
}

// SetPasswordHash implements identity.UserStore.
func (s *IdentityStore) SetPasswordHash(ctx context.Context, id uuid.UUID, hash string, now time.Time) error {
	n, err := s.q.SetPasswordHash(ctx, db.SetPasswordHashParams{ID: id, PasswordHash: hash, UpdatedAt: now})
	if err != nil {
		return translate(err)
	}
	if n == 0 {
		return user.ErrNotFound
	}
	return nil
}

// ChangePassword implements identity.UserStore.
func (s *IdentityStore) ChangePassword(ctx context.Context, id uuid.UUID, hash string, keep uuid.UUID, now time.Time) error {
	defer s.sessions.ForgetUser(id)
	return inTx(ctx, s.pool, s.q, func(q *db.Queries) error {
		n, err := q.SetPasswordHash(ctx, db.SetPasswordHashParams{ID: id, PasswordHash: hash, UpdatedAt: now})
		if err != nil {
			return err
		}
		if n == 0 {
			return user.ErrNotFound
		}
		if err := q.SpendUserTokens(ctx, db.SpendUserTokensParams{Now: &now, UserID: id}); err != nil {
			return err
		}
		return q.RevokeUserSessions(ctx, db.RevokeUserSessionsParams{Now: &now, UserID: id, Keep: keep})
	})
}

// DeleteUser implements identity.UserStore.
func (s *IdentityStore) DeleteUser(ctx context.Context, id uuid.UUID) error {
	defer s.sessions.ForgetUser(id)
	n, err := s.q.DeleteUser(ctx, id)
	if err != nil {
		return translate(err)
	}
	if n == 0 {
		return user.ErrNotFound
	}
	return nil
}
