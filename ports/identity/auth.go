package identity

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"agora/domain/errs"
	"agora/domain/session"
	"agora/domain/user"
)

// SignedIn is the answer to register, login and refresh.
type SignedIn struct {
	AccessToken  string
	RefreshToken session.Secret
	ExpiresIn    time.Duration
	User         user.User
}

// errBadCredentials is the one answer to an unknown login and a wrong
// password: same kind, same message.
var errBadCredentials = errs.New(errs.ErrUnauthenticated, "The login or the password is incorrect.")

// errBadRefresh is the one answer to any refused refresh token.
var errBadRefresh = errs.New(errs.ErrUnauthenticated, "The refresh token is invalid, expired or revoked.")

// Register creates an account and signs it in.
func (s *Service) Register(ctx context.Context, r user.Registration) (SignedIn, error) {
	hash, err := s.d.Hasher.Hash(ctx, r.Password)
	if err != nil {
		return SignedIn{}, err
	}
	id, err := s.newID()
	if err != nil {
		return SignedIn{}, err
	}
	now := s.now()
	u := user.User{
		ID: id, Username: r.Username, Email: r.Email, PasswordHash: hash,
		DisplayName: r.DisplayName, CreatedAt: now, UpdatedAt: now,
	}
	sess, secret, rt, err := s.newSession(u.ID, now)
	if err != nil {
		return SignedIn{}, err
	}
	if err := s.users.CreateUser(ctx, u, sess, rt); err != nil {
		return SignedIn{}, err
	}
	s.d.Metrics.Registered()
	return s.signedIn(u, sess, secret, now)
}

// Login checks a username or email and a password and starts a session.
func (s *Service) Login(ctx context.Context, login user.Login, pw user.Password) (SignedIn, error) {
	out, err := s.login(ctx, login, pw)
	switch {
	case err == nil:
		s.d.Metrics.LoginAttempt(LoginSuccess)
	case errors.Is(err, errs.ErrUnauthenticated):
		s.d.Metrics.LoginAttempt(LoginInvalidCredentials)
	default:
		s.d.Metrics.LoginAttempt(LoginError)
	}
	return out, err
}

// CountRateLimitedLogin counts a password guess (a login or a password
// change) that a rate limit refused before it reached this service: the
// adapter enforces the budgets, the count is this area's like the others.
func (s *Service) CountRateLimitedLogin() { s.d.Metrics.LoginAttempt(LoginRateLimited) }

// LoginBudgetKey names the per-account login budget a login spends: the
// account's id when the login (username or email, any case) names one, so
// that both forms share one budget; else the normalised (lower-case) login,
// so that guesses at names that do not exist are limited as well. A failed
// lookup falls back to the normalised login rather than failing the login.
func (s *Service) LoginBudgetKey(ctx context.Context, login user.Login) string {
	u, err := s.userByLogin(ctx, login)
	if err != nil {
		return "login:" + login.Key()
	}
	return AccountBudgetKey(u.ID)
}

// AccountBudgetKey is the per-account password-guess budget of one account:
// logins naming it and the current_password of its password changes spend
// the same budget, so a stolen access token gives no more guesses at the
// password than the login form does.
func AccountBudgetKey(id uuid.UUID) string { return "account:" + id.String() }

// userByLogin finds the user a login names: an email address or a username.
// A login that is neither names no account, without a query.
func (s *Service) userByLogin(ctx context.Context, login user.Login) (user.User, error) {
	if e, ok := login.Email(); ok {
		return s.users.UserByEmail(ctx, e)
	}
	if un, ok := login.Username(); ok {
		return s.users.UserByUsername(ctx, un)
	}
	return user.User{}, user.ErrNotFound
}

func (s *Service) login(ctx context.Context, login user.Login, pw user.Password) (SignedIn, error) {
	u, err := s.userByLogin(ctx, login)
	if errors.Is(err, errs.ErrNotFound) {
		// Spend the same work as for a wrong password.
		if _, _, herr := s.d.Hasher.Verify(ctx, pw, s.dummyHash); herr != nil {
			return SignedIn{}, herr
		}
		return SignedIn{}, errBadCredentials
	}
	if err != nil {
		return SignedIn{}, err
	}
	match, rehash, err := s.d.Hasher.Verify(ctx, pw, u.PasswordHash)
	if err != nil {
		return SignedIn{}, err
	}
	if !match {
		return SignedIn{}, errBadCredentials
	}
	now := s.now()
	if rehash {
		s.rehash(ctx, u.ID, pw, now)
	}
	sess, secret, rt, err := s.newSession(u.ID, now)
	if err != nil {
		return SignedIn{}, err
	}
	if err := s.sessions.CreateSession(ctx, sess, rt); err != nil {
		return SignedIn{}, err
	}
	return s.signedIn(u, sess, secret, now)
}

// rehash upgrades a hash made with older parameters. A failure only delays
// the upgrade to the next login, so it is reported, not returned.
func (s *Service) rehash(ctx context.Context, id uuid.UUID, pw user.Password, now time.Time) {
	hash, err := s.d.Hasher.Hash(ctx, pw)
	if err == nil {
		err = s.users.SetPasswordHash(ctx, id, hash, now)
	}
	if err != nil {
		s.d.OnError("password rehash failed", err)
	}
}

// Refresh exchanges a refresh token for a new pair. A token that was already
// used revokes its whole session.
func (s *Service) Refresh(ctx context.Context, presented session.Secret) (SignedIn, error) {
	now := s.now()
	secret, next, err := session.NewSecret(s.d.Rand)
	if err != nil {
		return SignedIn{}, err
	}
	sess, err := s.sessions.Refresh(ctx, presented.Hash(),
		func(t session.RefreshToken, sess session.Session) (RefreshPlan, error) {
			switch err := session.CheckRefresh(t, sess, now); {
			case errors.Is(err, session.ErrRefreshReused):
				return RefreshPlan{Revoke: sess.RevokedAt == nil, Now: now}, err
			case err != nil:
				return RefreshPlan{Now: now}, err
			}
			rt := session.NewRefreshToken(next, sess, now)
			return RefreshPlan{Next: &rt, Now: now}, nil
		})
	switch {
	case errors.Is(err, errs.ErrNotFound),
		errors.Is(err, session.ErrRefreshReused),
		errors.Is(err, session.ErrRefreshExpired),
		errors.Is(err, session.ErrSessionRevoked):
		return SignedIn{}, errs.WithCause(errBadRefresh, detach(err))
	case err != nil:
		return SignedIn{}, err
	}
	u, err := s.users.UserByID(ctx, sess.UserID)
	if errors.Is(err, errs.ErrNotFound) {
		return SignedIn{}, errBadRefresh
	}
	if err != nil {
		return SignedIn{}, err
	}
	return s.signedIn(u, sess, secret, now)
}

// Logout revokes the session of a refresh token, and with it every access
// token of that session. Like RFC 7009 it succeeds for an unknown token.
func (s *Service) Logout(ctx context.Context, presented session.Secret) error {
	err := s.sessions.RevokeSessionOf(ctx, presented.Hash(), s.now())
	if errors.Is(err, errs.ErrNotFound) {
		return nil
	}
	return err
}

// Authenticate admits an access token: valid signature and claims, and a
// live session of an existing user. It is called on every request.
func (s *Service) Authenticate(ctx context.Context, token string) (AccessClaims, error) {
	c, err := s.d.Tokens.Verify(token)
	if err != nil {
		return AccessClaims{}, errs.WithCause(errNotSignedIn, detach(err))
	}
	live, err := s.sessions.SessionLive(ctx, c.SessionID, c.UserID, s.now())
	if err != nil {
		return AccessClaims{}, err
	}
	if !live {
		return AccessClaims{}, errNotSignedIn
	}
	return c, nil
}

func (s *Service) newSession(userID uuid.UUID, now time.Time) (session.Session, session.Secret, session.RefreshToken, error) {
	id, err := s.newID()
	if err != nil {
		return session.Session{}, "", session.RefreshToken{}, err
	}
	secret, hash, err := session.NewSecret(s.d.Rand)
	if err != nil {
		return session.Session{}, "", session.RefreshToken{}, err
	}
	sess := session.New(id, userID, now, s.cfg.RefreshTTL)
	return sess, secret, session.NewRefreshToken(hash, sess, now), nil
}

func (s *Service) signedIn(u user.User, sess session.Session, secret session.Secret, now time.Time) (SignedIn, error) {
	tok, err := s.d.Tokens.Issue(AccessClaims{UserID: u.ID, SessionID: sess.ID}, now, s.cfg.AccessTTL)
	if err != nil {
		return SignedIn{}, err
	}
	return SignedIn{AccessToken: tok, RefreshToken: secret, ExpiresIn: s.cfg.AccessTTL, User: u}, nil
}
