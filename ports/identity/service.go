package identity

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"

	"agora/domain/errs"
	"agora/domain/timestamp"
	"agora/domain/user"
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
	purge     PurgeStore
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
		d.Clock = time.Now // s.now() brings it to UTC microseconds
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
		users: d.Store, directory: d.Store, sessions: d.Store, tokens: d.Store, purge: d.Store,
	}
	s.bg = newBackground(cfg.MaxPendingMail, cfg.MailTimeout, d.OnError)
	return s, nil
}

// Close waits (up to ctx) for background email jobs to finish.
func (s *Service) Close(ctx context.Context) error { return s.bg.wait(ctx) }

// now is the clock at the database's precision (microseconds, UTC), so that
// what a write answers equals what a later read returns.
func (s *Service) now() time.Time { return timestamp.Of(s.d.Clock()) }

// newID draws a fresh id; uuid.NewV7 reads the random source, which can fail.
func (s *Service) newID() (uuid.UUID, error) {
	id, err := s.d.NewID()
	if err != nil {
		return uuid.Nil, fmt.Errorf("identity: new id: %w", err)
	}
	return id, nil
}

// errNotSignedIn answers a missing, invalid or revoked access token.
var errNotSignedIn = errs.New(errs.ErrUnauthenticated, "The access token is missing, invalid, expired or revoked.")

// errBadOneTimeToken answers an unknown, used or expired emailed token.
var errBadOneTimeToken = errs.New(errs.ErrBadRequest, "The token is unknown, used or expired.")

// detach keeps a cause's text for the log but not its kind, so that a
// "not found" behind a refusal cannot turn the answer into a 404.
func detach(err error) error { return errors.New(err.Error()) }

type noMetrics struct{}

func (noMetrics) LoginAttempt(string) {}
func (noMetrics) Registered()         {}
