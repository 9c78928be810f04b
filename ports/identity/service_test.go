package identity_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"agora/domain/errs"
	"agora/domain/errs/errstest"
	"agora/domain/user"
	"agora/ports/identity"
	"agora/ports/identity/identitytest"
)

// ctx is every case's context: none of them cancels one.
var ctx = context.Background()

// fakeHasher "hashes" as a reversible string; the rules under test do not
// depend on the cost of hashing. rehash makes Verify ask for a rehash.
type fakeHasher struct {
	verifies atomic.Int32
	rehash   atomic.Bool
	err      error
}

func (h *fakeHasher) Hash(_ context.Context, pw user.Password) (string, error) {
	if h.err != nil {
		return "", h.err
	}
	return "hash:" + pw.Reveal(), nil
}

func (h *fakeHasher) Verify(_ context.Context, pw user.Password, enc string) (bool, bool, error) {
	h.verifies.Add(1)
	if h.err != nil {
		return false, false, h.err
	}
	ok := enc == "hash:"+pw.Reveal()
	return ok, ok && h.rehash.Load(), nil
}

// fakeTokens issues "access|user|session" strings.
type fakeTokens struct{}

func (fakeTokens) Issue(c identity.AccessClaims, _ time.Time, _ time.Duration) (string, error) {
	return "access|" + c.UserID.String() + "|" + c.SessionID.String(), nil
}

func (fakeTokens) Verify(tok string) (identity.AccessClaims, error) {
	p := strings.Split(tok, "|")
	if len(p) != 3 || p[0] != "access" {
		return identity.AccessClaims{}, errors.New("bad token")
	}
	u, err1 := uuid.Parse(p[1])
	s, err2 := uuid.Parse(p[2])
	if err1 != nil || err2 != nil {
		return identity.AccessClaims{}, errors.New("bad token")
	}
	return identity.AccessClaims{UserID: u, SessionID: s}, nil
}

type fakeMailer struct {
	mu   sync.Mutex
	sent []identity.Message
	err  error
}

func (m *fakeMailer) Send(_ context.Context, msg identity.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return m.err
	}
	m.sent = append(m.sent, msg)
	return nil
}

func (m *fakeMailer) messages() []identity.Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]identity.Message(nil), m.sent...)
}

type fakeMetrics struct {
	mu       sync.Mutex
	logins   map[string]int
	register int
}

func (m *fakeMetrics) LoginAttempt(r string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.logins[r]++
}

func (m *fakeMetrics) Registered() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.register++
}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type env struct {
	svc     *identity.Service
	store   *identitytest.MemStore
	hasher  *fakeHasher
	mailer  *fakeMailer
	metrics *fakeMetrics
	clock   *clock
	errors  chan string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{
		store: identitytest.NewMemStore(), hasher: &fakeHasher{}, mailer: &fakeMailer{},
		metrics: &fakeMetrics{logins: map[string]int{}},
		clock:   &clock{now: time.Date(2025, 1, 15, 9, 30, 0, 0, time.UTC)},
		errors:  make(chan string, 100),
	}
	svc, err := identity.New(identity.Config{
		AccessTTL: 15 * time.Minute, RefreshTTL: 720 * time.Hour, PublicBaseURL: "https://agora.test",
	}, identity.Deps{
		Store: e.store, Hasher: e.hasher, Tokens: fakeTokens{}, Mailer: e.mailer, Metrics: e.metrics,
		Clock: e.clock.Now, OnError: func(msg string, err error) { e.errors <- msg + ": " + err.Error() },
	})
	errstest.Must(t, err)
	e.svc = svc
	t.Cleanup(func() { _ = svc.Close(ctx) })
	return e
}

func (e *env) register(t *testing.T, name, pw string) identity.SignedIn {
	t.Helper()
	r, err := user.ParseRegistration(name, name+"@example.com", pw, nil)
	errstest.Must(t, err)
	out, err := e.svc.Register(ctx, r)
	errstest.Must(t, err)
	return out
}

// candidate is a password as a login presents it, strong one as a new
// password must be; both go through the domain's parsers.
func candidate(t *testing.T, s string) user.Password {
	t.Helper()
	return password(t, user.CandidatePassword, "password", s)
}

func strong(t *testing.T, s string) user.Password {
	t.Helper()
	return password(t, user.ParsePassword, "new_password", s)
}

func password(t *testing.T, parse func(field, s string) (user.Password, error), field, s string) user.Password {
	t.Helper()
	p, err := parse(field, s)
	errstest.Must(t, err)
	return p
}

// login logs in with a login and a password as typed.
func (e *env) login(t *testing.T, login, pw string) (identity.SignedIn, error) {
	t.Helper()
	return e.svc.Login(ctx, loginOf(t, login), candidate(t, pw))
}

func (e *env) authenticated(t *testing.T, access string) bool {
	t.Helper()
	_, err := e.svc.Authenticate(ctx, access)
	if err != nil && !errors.Is(err, errs.ErrUnauthenticated) {
		t.Fatalf("Authenticate: unexpected %v", err)
	}
	return err == nil
}

func (failingStore) SessionLive(context.Context, uuid.UUID, uuid.UUID, time.Time) (bool, error) {
	return false, errs.New(errs.ErrUnavailable, "db down")
}

func TestNewChecksItsDependencies(t *testing.T) {
	t.Parallel()
	if _, err := identity.New(identity.Config{AccessTTL: time.Minute, RefreshTTL: time.Hour}, identity.Deps{}); err == nil {
		t.Fatal("no dependencies accepted")
	}
	_, err := identity.New(identity.Config{}, identity.Deps{
		Store: identitytest.NewMemStore(), Hasher: &fakeHasher{}, Tokens: fakeTokens{}, Mailer: &fakeMailer{},
	})
	if err == nil {
		t.Fatal("zero lifetimes accepted")
	}
}

func loginOf(t *testing.T, s string) user.Login {
	t.Helper()
	l, err := user.ParseLogin(s)
	if err != nil {
		t.Fatalf("ParseLogin(%q): %v", s, err)
	}
	return l
}
