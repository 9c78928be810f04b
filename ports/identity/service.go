package identity

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"

	"agora/domain/errs"
	"agora/domain/session"
	"agora/domain/user"
	"agora/ports"
)

// Config holds the lifetimes and the link base of the service.
type Config struct {
	AccessTTL  time.Duration
	RefreshTTL time.Duration
	// PublicBaseURL starts the links inside emails (no trailing slash).
	PublicBaseURL string
	// MailTimeout bounds one background email job (default 30s).
	MailTimeout time.Duration
	// MaxPendingMail bounds queued email jobs (default 64); beyond it a job
	// is dropped and reported, so a flood cannot grow memory without end.
	MaxPendingMail int
}

// Deps are the adapters the service uses. Clock, Rand, NewID and OnError
// have production defaults when nil.
type Deps struct {
	Store   Store
	Hasher  PasswordHasher
	Tokens  TokenIssuer
	Mailer  Mailer
	Metrics Metrics
	Clock   func() time.Time
	Rand    io.Reader
	NewID   func() (uuid.UUID, error)
	// OnError hears about failures that no caller waits for (background
	// email, best-effort rehash). Messages never contain secrets.
	OnError func(msg string, err error)
}

// Service holds the identity use cases. Each reaches the store through the
// one interface it needs, so a reader sees at a glance which concern a use
// case touches.
type Service struct {
	cfg       Config
	d         Deps
	users     UserStore
	directory DirectoryStore
	sessions  SessionStore
	tokens    TokenStore
	purger    Purger
	dummyHash string
	bg        *background
}

// dummyPassword is hashed once at start; an unknown login is checked
// against its hash so that it costs what a wrong password costs.
const dummyPassword = "not-a-password-of-anyone"

// dummyHashTimeout bounds the hash of the dummy password at start-up. The
// hash takes tens of milliseconds; the bound only matters if the hasher's
// slots were somehow all taken, and then start-up fails instead of hanging.
const dummyHashTimeout = 30 * time.Second

// New builds the service. It hashes a dummy password once (tens of
// milliseconds) so that failed logins of unknown users take as long as
// those of known ones from the first request on. It takes no context, like
// every area's constructor: the one call that waits is that hash, bounded by
// dummyHashTimeout, and nothing else outlives New.
func New(cfg Config, d Deps) (*Service, error) {
	if d.Store == nil || d.Hasher == nil || d.Tokens == nil || d.Mailer == nil {
		return nil, errors.New("identity: Store, Hasher, Tokens and Mailer are required")
	}
	if cfg.AccessTTL <= 0 || cfg.RefreshTTL <= 0 {
		return nil, errors.New("identity: AccessTTL and RefreshTTL must be positive")
	}
	if cfg.MailTimeout <= 0 {
		cfg.MailTimeout = 30 * time.Second
	}
	if cfg.MaxPendingMail <= 0 {
		cfg.MaxPendingMail = 64
	}
	if d.Clock == nil {
		d.Clock = func() time.Time { return time.Now().UTC() }
	}
	if d.Rand == nil {
		d.Rand = rand.Reader
	}
	if d.NewID == nil {
		d.NewID = uuid.NewV7
	}
	if d.OnError == nil {
		d.OnError = func(string, error) {}
	}
	if d.Metrics == nil {
		d.Metrics = noMetrics{}
	}
	pw, _ := user.ParsePassword("password", dummyPassword)
	ctx, cancel := context.WithTimeout(context.Background(), dummyHashTimeout)
	defer cancel()
	dummy, err := d.Hasher.Hash(ctx, pw)
	if err != nil {
		return nil, fmt.Errorf("identity: hash the dummy password: %w", err)
	}
	s := &Service{
		cfg: cfg, d: d, dummyHash: dummy,
		users: d.Store, directory: d.Store, sessions: d.Store, tokens: d.Store, purger: d.Store,
	}
	s.bg = newBackground(cfg.MaxPendingMail, cfg.MailTimeout, d.OnError)
	return s, nil
}

// Close waits (up to ctx) for background email jobs to finish.
func (s *Service) Close(ctx context.Context) error { return s.bg.wait(ctx) }

// now is the clock at the database's precision (microseconds, UTC), so that
// what a write answers equals what a later read returns.
func (s *Service) now() time.Time { return s.d.Clock().UTC().Truncate(time.Microsecond) }

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

// errBadOneTimeToken answers an unknown, used or expired emailed token.
var errBadOneTimeToken = errs.New(errs.ErrBadRequest, "The token is unknown, used or expired.")

// errNotSignedIn answers a missing, invalid or revoked access token.
var errNotSignedIn = errs.New(errs.ErrUnauthenticated, "The access token is missing, invalid, expired or revoked.")

// Register creates an account and signs it in.
func (s *Service) Register(ctx context.Context, r user.Registration) (SignedIn, error) {
	hash, err := s.d.Hasher.Hash(ctx, r.Password)
	if err != nil {
		return SignedIn{}, err
	}
	id, err := s.d.NewID()
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
func (s *Service) Login(ctx context.Context, login string, pw user.Password) (SignedIn, error) {
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

// LoginBudgetKey names the per-account login budget a login spends: the
// account's id when the login (username or email, any case) names one, so
// that both forms share one budget; else the normalised (lower-case) login,
// so that guesses at names that do not exist are limited as well. A failed
// lookup falls back to the normalised login rather than failing the login.
func (s *Service) LoginBudgetKey(ctx context.Context, login string) string {
	u, err := s.userByLogin(ctx, login)
	if err != nil {
		return "login:" + strings.ToLower(login)
	}
	return AccountBudgetKey(u.ID)
}

// AccountBudgetKey is the per-account password-guess budget of one account:
// logins naming it and the current_password of its password changes spend
// the same budget, so a stolen access token gives no more guesses at the
// password than the login form does.
func AccountBudgetKey(id uuid.UUID) string { return "account:" + id.String() }

// userByLogin finds the user a login names: an email address or a username.
func (s *Service) userByLogin(ctx context.Context, login string) (user.User, error) {
	if user.LooksLikeEmail(login) {
		return s.users.UserByEmail(ctx, login)
	}
	return s.users.UserByUsername(ctx, login)
}

func (s *Service) login(ctx context.Context, login string, pw user.Password) (SignedIn, error) {
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
func (s *Service) Refresh(ctx context.Context, presented string) (SignedIn, error) {
	now := s.now()
	secret, next, err := session.NewSecret(s.d.Rand)
	if err != nil {
		return SignedIn{}, err
	}
	sess, err := s.sessions.Refresh(ctx, session.Secret(presented).Hash(),
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
		return SignedIn{}, errs.Wrap(errs.ErrUnauthenticated, errs.MessageOf(errBadRefresh), detach(err))
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
func (s *Service) Logout(ctx context.Context, presented string) error {
	err := s.sessions.RevokeSessionOf(ctx, session.Secret(presented).Hash(), s.now())
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
		return AccessClaims{}, errs.Wrap(errs.ErrUnauthenticated, errs.MessageOf(errNotSignedIn), detach(err))
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
	id, err := s.d.NewID()
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
	u, err := s.users.UpdateProfile(ctx, id, c, s.now())
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
func (s *Service) Search(ctx context.Context, caller uuid.UUID, q string, page ports.PageRequest) (ports.Page[user.Summary], error) {
	return s.directory.SearchUsers(ctx, caller, q, page)
}

// detach keeps a cause's text for the log but not its kind, so that a
// "not found" behind a refusal cannot turn the answer into a 404.
func detach(err error) error { return errors.New(err.Error()) }

type noMetrics struct{}

func (noMetrics) LoginAttempt(string) {}
func (noMetrics) Registered()         {}

// EndedSessionRetention is how long a session stays listed (in the export)
// after it expired or was revoked, before the purge deletes it.
const EndedSessionRetention = 30 * 24 * time.Hour

// PurgeExpired deletes sessions that ended more than EndedSessionRetention
// ago and tokens that can no longer be used, so the tables do not grow
// without end. It is safe to run from every replica at once.
func (s *Service) PurgeExpired(ctx context.Context) (int64, error) {
	now := s.now()
	return s.purger.PurgeExpired(ctx, now, now.Add(-EndedSessionRetention))
}
