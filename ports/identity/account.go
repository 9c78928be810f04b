package identity

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"agora/domain/errs"
	"agora/domain/user"
	"agora/ports"
)

// Me returns the caller's account.
func (s *Service) Me(ctx context.Context, id uuid.UUID) (user.User, error) {
	u, err := s.users.UserByID(ctx, id)
	if errors.Is(err, errs.ErrNotFound) {
		// The account went away between authentication and now.
		return user.User{}, errNotSignedIn
	}
	return u, err
}

// UpdateMe changes the caller's profile fields; no change leaves updated_at.
func (s *Service) UpdateMe(ctx context.Context, id uuid.UUID, c user.ProfileChanges) (user.User, error) {
	if c.Empty() {
		return s.Me(ctx, id)
	}
	u, err := s.users.UpdateProfile(ctx, id, func(u user.User) (user.User, error) {
		return c.Apply(u, s.now()), nil
	})
	if errors.Is(err, errs.ErrNotFound) {
		return user.User{}, errNotSignedIn
	}
	return u, err
}

// ChangePassword replaces the caller's password after checking the current
// one (403 when wrong) and revokes every other session of theirs.
func (s *Service) ChangePassword(ctx context.Context, caller AccessClaims, current, next user.Password) error {
	u, err := s.Me(ctx, caller.UserID)
	if err != nil {
		return err
	}
	// A check of current_password is a password guess like a login: it is
	// counted with the login attempts (and spends the account's login budget
	// in the HTTP adapter), so guessing through this endpoint shows up.
	match, _, err := s.d.Hasher.Verify(ctx, current, u.PasswordHash)
	if err != nil {
		s.d.Metrics.LoginAttempt(LoginError)
		return err
	}
	if !match {
		s.d.Metrics.LoginAttempt(LoginInvalidCredentials)
		return errs.New(errs.ErrForbidden, "The current password is incorrect.")
	}
	s.d.Metrics.LoginAttempt(LoginSuccess)
	hash, err := s.d.Hasher.Hash(ctx, next)
	if err != nil {
		return err
	}
	return s.users.ChangePassword(ctx, u.ID, hash, caller.SessionID, s.now())
}

// DeleteMe removes the caller and everything of theirs.
func (s *Service) DeleteMe(ctx context.Context, id uuid.UUID) error {
	err := s.users.DeleteUser(ctx, id)
	if errors.Is(err, errs.ErrNotFound) {
		return errNotSignedIn
	}
	return err
}

// Search pages through the user directory as the caller sees it.
func (s *Service) Search(ctx context.Context, caller uuid.UUID, q user.SearchQuery, page ports.PageRequest) (ports.Page[user.Summary], error) {
	return s.directory.SearchUsers(ctx, caller, string(q), page)
}
