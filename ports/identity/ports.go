// Package identity is the boundary of accounts, sessions and authentication:
// the Service holds the use cases (register, login, refresh, logout, password
// reset, email verification, the caller's account, user search, and the
// check behind every authenticated request) and this file declares the small
// interfaces it needs from the outside world, implemented by adapters.
package identity

import (
	"context"
	"time"

	"github.com/google/uuid"

	"agora/domain/errs"
	"agora/domain/session"
	"agora/domain/user"
	"agora/ports"
)

// Errors a Store reports for a taken username or email; both are conflicts.
var (
	ErrUsernameTaken = errs.New(errs.ErrConflict, "The username is already taken.")
	ErrEmailTaken    = errs.New(errs.ErrConflict, "The email address is already registered.")
)

// Store is everything the service keeps: one implementation (the
// PostgreSQL adapter, or identitytest.MemStore) serves every concern, but
// each use case reaches it through the one small interface it needs, and
// each interface has its own contract suite (identitytest). Lookups of
// absent rows return an error of kind errs.ErrNotFound.
type Store interface {
	UserStore
	DirectoryStore
	SessionStore
	TokenStore
	PurgeStore
}

// UserStore keeps accounts: what register, login and the caller's own
// account (me, profile, password change, delete) read and write.
type UserStore interface {
	// CreateUser stores a new user together with its first session and
	// refresh token, atomically. A taken username or email answers
	// ErrUsernameTaken or ErrEmailTaken (case-insensitively).
	CreateUser(ctx context.Context, u user.User, s session.Session, rt session.RefreshToken) error
	// UserByID, UserByUsername and UserByEmail look a user up; username and
	// email compare case-insensitively.
	UserByID(ctx context.Context, id uuid.UUID) (user.User, error)
	UserByUsername(ctx context.Context, username user.Username) (user.User, error)
	UserByEmail(ctx context.Context, email user.Email) (user.User, error)
	// UpdateProfile locks the user, passes it to update and stores the
	// profile (display name, headline, bio) and updated_at of what update
	// returns, in one transaction; it returns the user as stored. An error
	// from update stores nothing and comes back as it is; an absent user is
	// not found, without calling update.
	UpdateProfile(ctx context.Context, id uuid.UUID, update func(user.User) (user.User, error)) (user.User, error)
	// SetPasswordHash replaces the hash (a rehash after login), revoking nothing.
	SetPasswordHash(ctx context.Context, id uuid.UUID, hash string, now time.Time) error
	// ChangePassword replaces the hash, spends every outstanding emailed
	// token of the user (reset and verification) and revokes every live
	// session of the user except keep, atomically.
	ChangePassword(ctx context.Context, id uuid.UUID, hash string, keep uuid.UUID, now time.Time) error
	// DeleteUser removes the user and everything of theirs (sessions, tokens,
	// posts, requests, connections, blocks) in one transaction.
	DeleteUser(ctx context.Context, id uuid.UUID) error
}

// DirectoryStore is the user directory as one user sees it: a read that
// tolerates replica lag and leaves out whoever blocks or is blocked by the
// caller (blocks are the social area's rows), which is why it is apart
// from UserStore and its suite alone needs to record blocks.
type DirectoryStore interface {
	// SearchUsers pages through users whose username or display name starts
	// with prefix (case-insensitive), ordered by lower(username), leaving out
	// users blocked by or blocking caller. The cursor's Key is lower(username).
	SearchUsers(ctx context.Context, caller uuid.UUID, prefix string, page ports.PageRequest) (ports.Page[user.Summary], error)
}

// SessionStore keeps login sessions and their refresh tokens: what login,
// refresh, logout and the check behind every authenticated request use.
type SessionStore interface {
	// CreateSession stores a new session with its first refresh token (one
	// of that session). A user that does not exist answers not found, a
	// session id already stored a conflict.
	CreateSession(ctx context.Context, s session.Session, rt session.RefreshToken) error
	// Refresh locks the refresh token with the presented hash and its session
	// and calls decide. The plan decide returns is applied and committed even
	// when decide also returns an error (a reuse must revoke the session
	// although the refresh is refused); that error is then returned. An
	// unknown hash answers errs.ErrNotFound without calling decide.
	Refresh(ctx context.Context, presented session.Hash, decide func(session.RefreshToken, session.Session) (RefreshPlan, error)) (session.Session, error)
	// RevokeSessionOf revokes the session a refresh token (used or not)
	// belongs to; errs.ErrNotFound for an unknown token.
	RevokeSessionOf(ctx context.Context, presented session.Hash, now time.Time) error
	// SessionLive reports whether the session exists, belongs to the user,
	// is not revoked and has not expired. It runs on every authenticated
	// request, so it must be a primary-key lookup, or an answer from memory
	// that a revocation anywhere (another replica included) invalidates.
	SessionLive(ctx context.Context, sessionID, userID uuid.UUID, now time.Time) (bool, error)
}

// TokenStore keeps the single-use tokens sent by email (password reset,
// email verification) and redeems them: what recovery.go uses.
type TokenStore interface {
	// CreateOneTimeToken stores a token sent by email.
	CreateOneTimeToken(ctx context.Context, t session.OneTimeToken) error
	// ResetPassword redeems a password-reset token: when it is usable, it is
	// marked used together with every other outstanding emailed token of the
	// user, the hash replaced and every session of the user revoked,
	// atomically. An unknown, used or expired token answers errs.ErrNotFound.
	ResetPassword(ctx context.Context, presented session.Hash, hash string, now time.Time) error
	// VerifyEmail redeems an email-verification token and marks the user's
	// address verified, atomically; errs.ErrNotFound as for ResetPassword.
	VerifyEmail(ctx context.Context, presented session.Hash, now time.Time) error
}

// PurgeStore deletes what can never be used again, across sessions and tokens;
// the periodic purge job is its one user.
type PurgeStore interface {
	// PurgeExpired deletes sessions that expired or were revoked before
	// sessionsBefore (with their refresh tokens), refresh tokens and
	// emailed tokens that expired before now. It returns how many rows went.
	PurgeExpired(ctx context.Context, now, sessionsBefore time.Time) (int64, error)
}

// RefreshPlan is what Store.Refresh writes: revoke the session, or spend the
// presented token and store Next in its place (touching last_used_at).
type RefreshPlan struct {
	Revoke bool
	Next   *session.RefreshToken
	Now    time.Time
}

// PasswordHasher hashes and checks passwords. Implementations bound their
// concurrency; waiting for a slot respects ctx (errs.ErrUnavailable when it
// ends first).
type PasswordHasher interface {
	Hash(ctx context.Context, pw user.Password) (string, error)
	// Verify reports whether pw matches encoded and, when it does, whether
	// the hash was made with other parameters than today's and should be
	// replaced.
	Verify(ctx context.Context, pw user.Password, encoded string) (match, rehash bool, err error)
}

// AccessClaims are what an access token says: whose it is and which session
// it belongs to.
type AccessClaims struct {
	UserID    uuid.UUID
	SessionID uuid.UUID
}

// TokenIssuer signs and verifies access tokens.
type TokenIssuer interface {
	// Issue signs a token valid from now for ttl.
	Issue(c AccessClaims, now time.Time, ttl time.Duration) (string, error)
	// Verify checks signature, algorithm, key, issuer, audience and lifetime;
	// any failure is an error (the caller answers 401 whatever it is).
	Verify(token string) (AccessClaims, error)
}

// Message is an email to one recipient, plain text.
type Message struct {
	To      string
	Subject string
	Text    string
}

// Mailer sends email (SMTP in production, files in development).
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// Metrics records the domain counters of this area.
type Metrics interface {
	LoginAttempt(result string)
	Registered()
}

// Login attempt results, as auth_login_attempts_total{result} labels them.
const (
	LoginSuccess            = "success"
	LoginInvalidCredentials = "invalid_credentials" //nolint:gosec // a metric label
	LoginError              = "error"
	// LoginRateLimited: refused by a rate limit before the password was
	// looked at (CountRateLimitedLogin).
	LoginRateLimited = "rate_limited"
)

// LoginResults are every result label, for a counter that creates its
// series before the first event.
func LoginResults() []string {
	return []string{LoginSuccess, LoginInvalidCredentials, LoginRateLimited, LoginError}
}
