package identitytest

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/google/uuid"

	"agora/domain/errs/errstest"
	"agora/domain/session"
	"agora/domain/user"
	"agora/ports/identity"
)

// Harness is one fresh, empty store with the means to record what the
// identity stores do not own.
type Harness struct {
	Store identity.Store
	// Block records that blocker blocks blocked (the social area's rows);
	// only the DirectoryStore suite uses it.
	Block func(t *testing.T, blocker, blocked uuid.UUID)
}

// Open makes the harness of one subtest.
type Open func(t *testing.T) Harness

// RunStoreContract runs the suite of every interface identity.Store embeds,
// each subtest on a store of its own.
func RunStoreContract(t *testing.T, open Open) {
	t.Run("UserStore", func(t *testing.T) { t.Parallel(); RunUserStore(t, open) })
	t.Run("DirectoryStore", func(t *testing.T) { t.Parallel(); RunDirectoryStore(t, open) })
	t.Run("SessionStore", func(t *testing.T) { t.Parallel(); RunSessionStore(t, open) })
	t.Run("TokenStore", func(t *testing.T) { t.Parallel(); RunTokenStore(t, open) })
	t.Run("PurgeStore", func(t *testing.T) { t.Parallel(); RunPurgeStore(t, open) })
}

// run runs one case in parallel on a fresh store.
func run(t *testing.T, open Open, name string, fn func(f *fixture)) {
	t.Run(name, func(t *testing.T) {
		t.Parallel()
		h := open(t)
		fn(&fixture{t: t, h: h, s: h.Store, ctx: context.Background()})
	})
}

// base is a fixed instant at microsecond precision, as PostgreSQL keeps it.
var base = time.Date(2025, 1, 15, 9, 30, 0, 0, time.UTC)

func newSecret(t *testing.T) (session.Secret, session.Hash) {
	t.Helper()
	s, h, err := session.NewSecret(rand.Reader)
	errstest.Must(t, err)
	return s, h
}

// NewUser makes a valid user named name (email name@example.com).
func NewUser(name string, now time.Time) user.User {
	return user.User{ //nolint:gosec // a well-formed fake hash, no credential
		ID: uuid.Must(uuid.NewV7()), Username: user.Username(name), Email: user.Email(name + "@example.com"),
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
		DisplayName:  "Display " + name, CreatedAt: now, UpdatedAt: now,
	}
}

// fixture is one case's store and the steps the cases share.
type fixture struct {
	t   *testing.T
	h   Harness
	s   identity.Store
	ctx context.Context
}

func (f *fixture) register(name string) (user.User, session.Session, session.Hash) {
	f.t.Helper()
	u := NewUser(name, base)
	sess := session.New(uuid.Must(uuid.NewV7()), u.ID, base, 24*time.Hour)
	_, h := newSecret(f.t)
	if err := f.s.CreateUser(f.ctx, u, sess, session.NewRefreshToken(h, sess, base)); err != nil {
		f.t.Fatalf("CreateUser %s: %v", name, err)
	}
	return u, sess, h
}

func (f *fixture) login(u user.User, now time.Time) (session.Session, session.Hash) {
	f.t.Helper()
	return f.loginFor(u, now, 24*time.Hour)
}

// loginFor stores a session of u made at now that lasts ttl, with its first
// refresh token.
func (f *fixture) loginFor(u user.User, now time.Time, ttl time.Duration) (session.Session, session.Hash) {
	f.t.Helper()
	sess := session.New(uuid.Must(uuid.NewV7()), u.ID, now, ttl)
	_, h := newSecret(f.t)
	if err := f.s.CreateSession(f.ctx, sess, session.NewRefreshToken(h, sess, now)); err != nil {
		f.t.Fatalf("CreateSession: %v", err)
	}
	return sess, h
}

// token stores a new emailed token of the user, made at base.
func (f *fixture) token(owner user.User, p session.Purpose) session.Hash {
	f.t.Helper()
	return f.tokenAt(owner, p, base)
}

// tokenAt stores a new emailed token of the user, made at at.
func (f *fixture) tokenAt(owner user.User, p session.Purpose, at time.Time) session.Hash {
	f.t.Helper()
	_, h := newSecret(f.t)
	if err := f.s.CreateOneTimeToken(f.ctx, session.NewOneTimeToken(h, owner.ID, p, at)); err != nil {
		f.t.Fatal(err)
	}
	return h
}

func (f *fixture) live(sess session.Session, now time.Time) bool {
	f.t.Helper()
	ok, err := f.s.SessionLive(f.ctx, sess.ID, sess.UserID, now)
	if err != nil {
		f.t.Fatalf("SessionLive: %v", err)
	}
	return ok
}
