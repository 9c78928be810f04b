// Package session holds the rules of sign-in sessions and of the secrets that
// stand for them: a session is one login; its refresh tokens rotate on every
// use and a spent one presented again revokes the whole session (reuse
// detection). Single-use tokens sent by email (password reset, email
// verification) follow the same "hash stored, used once, expires" rule.
package session

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"time"

	"github.com/google/uuid"

	"agora/domain/errs"
	"agora/domain/text"
)

// Session is one login: the family every refresh token of that login
// descends from, and the id every access token of it carries (sid).
type Session struct {
	ID         uuid.UUID
	UserID     uuid.UUID
	CreatedAt  time.Time
	LastUsedAt time.Time
	ExpiresAt  time.Time
	RevokedAt  *time.Time
}

// Live reports whether the session may still authenticate requests.
func (s Session) Live(now time.Time) bool {
	return s.RevokedAt == nil && now.Before(s.ExpiresAt)
}

// New starts a session for a user that lasts ttl from now.
func New(id, userID uuid.UUID, now time.Time, ttl time.Duration) Session {
	return Session{ID: id, UserID: userID, CreatedAt: now, LastUsedAt: now, ExpiresAt: now.Add(ttl)}
}

// SecretBytes is the entropy of every refresh and email token: 256 bits.
const SecretBytes = 32

// Secret is an opaque token handed to a client once (base64url, no padding).
// Only its Hash is stored.
type Secret string

// Hash is the SHA-256 of a secret: what the database keeps.
type Hash [sha256.Size]byte

// NewSecret draws a secret from rand (crypto/rand.Reader in production).
func NewSecret(rand io.Reader) (Secret, Hash, error) {
	b := make([]byte, SecretBytes)
	if _, err := io.ReadFull(rand, b); err != nil {
		return "", Hash{}, err
	}
	s := Secret(base64.RawURLEncoding.EncodeToString(b))
	return s, s.Hash(), nil
}

// MaxSecret is the longest presented secret accepted (ours are 43
// characters; the bound keeps hashing garbage cheap).
const MaxSecret = 512

// ParseSecret checks a presented refresh or emailed token: present, at most
// MaxSecret characters of clean text. Whether it names anything is the
// store's answer; field names the API field in the error.
func ParseSecret(field, s string) (Secret, error) {
	if p := text.RequiredProblem(s, MaxSecret); p != "" {
		return "", errs.Invalid(errs.FieldError{Field: field, Message: p})
	}
	return Secret(s), nil
}

// Hash returns the stored form of the secret.
func (s Secret) Hash() Hash { return sha256.Sum256([]byte(s)) }

// String hides the secret from fmt and loggers.
func (s Secret) String() string { return "[REDACTED]" }

// RefreshToken is the stored side of one refresh token of a session.
type RefreshToken struct {
	Hash      Hash
	SessionID uuid.UUID
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// NewRefreshToken makes the next token of a session. It never outlives the
// session itself.
func NewRefreshToken(h Hash, s Session, now time.Time) RefreshToken {
	return RefreshToken{Hash: h, SessionID: s.ID, CreatedAt: now, ExpiresAt: s.ExpiresAt}
}

// Why a refresh token is refused.
var (
	// ErrRefreshReused: a spent token came back. Someone holds a copy: the
	// whole session must be revoked.
	ErrRefreshReused = errors.New("refresh token reused")
	// ErrRefreshExpired: the token (or its session) has expired.
	ErrRefreshExpired = errors.New("refresh token expired")
	// ErrSessionRevoked: the session was logged out or revoked.
	ErrSessionRevoked = errors.New("session revoked")
)

// CheckRefresh decides whether a presented refresh token may be exchanged.
// The order matters: reuse is reported even on an expired or revoked
// session, so that revoking is always the answer to a replay.
func CheckRefresh(t RefreshToken, s Session, now time.Time) error {
	switch {
	case t.UsedAt != nil:
		return ErrRefreshReused
	case s.RevokedAt != nil:
		return ErrSessionRevoked
	case !now.Before(t.ExpiresAt) || !now.Before(s.ExpiresAt):
		return ErrRefreshExpired
	}
	return nil
}

// Purpose is what a single-use email token is for.
type Purpose string

// The purposes of single-use tokens.
const (
	PasswordReset     Purpose = "password_reset"
	EmailVerification Purpose = "email_verification"
)

// Lifetimes of single-use tokens. The contract fixes the reset at 30 minutes.
const (
	PasswordResetTTL     = 30 * time.Minute
	EmailVerificationTTL = 24 * time.Hour
)

// TTL is how long a token of this purpose stays valid.
func (p Purpose) TTL() time.Duration {
	if p == PasswordReset {
		return PasswordResetTTL
	}
	return EmailVerificationTTL
}

// OneTimeToken is the stored side of a token sent by email.
type OneTimeToken struct {
	Hash      Hash
	UserID    uuid.UUID
	Purpose   Purpose
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// NewOneTimeToken makes a token for a user and purpose, valid from now.
func NewOneTimeToken(h Hash, userID uuid.UUID, p Purpose, now time.Time) OneTimeToken {
	return OneTimeToken{Hash: h, UserID: userID, Purpose: p, CreatedAt: now, ExpiresAt: now.Add(p.TTL())}
}

// Usable reports whether the token may be redeemed now for purpose p.
func (t OneTimeToken) Usable(p Purpose, now time.Time) bool {
	return t.Purpose == p && t.UsedAt == nil && now.Before(t.ExpiresAt)
}
