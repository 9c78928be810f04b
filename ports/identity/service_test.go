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
	"agora/domain/user"
	"agora/ports"
	"agora/ports/identity"
	"agora/ports/identity/identitytest"
)

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
	if err != nil {
		t.Fatal(err)
	}
	e.svc = svc
	t.Cleanup(func() { _ = svc.Close(context.Background()) })
	return e
}

func (e *env) register(t *testing.T, name, pw string) identity.SignedIn {
	t.Helper()
	r, err := user.ParseRegistration(name, name+"@example.com", pw, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.svc.Register(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func candidate(t *testing.T, s string) user.Password {
	t.Helper()
	p, err := user.CandidatePassword("password", s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func strong(t *testing.T, s string) user.Password {
	t.Helper()
	p, err := user.ParsePassword("new_password", s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (e *env) authenticated(t *testing.T, access string) bool {
	t.Helper()
	_, err := e.svc.Authenticate(context.Background(), access)
	if err != nil && !errors.Is(err, errs.ErrUnauthenticated) {
		t.Fatalf("Authenticate: unexpected %v", err)
	}
	return err == nil
}

func kind(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got %v, want kind %v", err, want)
	}
}

func TestRegister(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	out := e.register(t, "Ada", "correct horse")
	if out.User.Username != "Ada" || out.User.DisplayName != "Ada" || out.User.PasswordHash != "hash:correct horse" ||
		out.ExpiresIn != 15*time.Minute || out.RefreshToken == "" || !e.authenticated(t, out.AccessToken) {
		t.Fatalf("%+v", out)
	}
	if e.metrics.register != 1 {
		t.Fatal("registration not counted")
	}
	r, _ := user.ParseRegistration("ADA", "other@example.com", "whatever1", nil)
	_, err := e.svc.Register(context.Background(), r)
	kind(t, err, errs.ErrConflict)
	if e.metrics.register != 1 {
		t.Fatal("a refused registration was counted")
	}
}

func TestLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.register(t, "grace", "correct horse")
	ctx := context.Background()
	for _, login := range []string{"grace", "GRACE", "Grace@Example.com"} {
		out, err := e.svc.Login(ctx, login, candidate(t, "correct horse"))
		if err != nil || out.User.Username != "grace" || !e.authenticated(t, out.AccessToken) {
			t.Fatalf("%s: %+v %v", login, out, err)
		}
	}
	before := e.hasher.verifies.Load()
	_, wrong := e.svc.Login(ctx, "grace", candidate(t, "wrong horse"))
	_, unknown := e.svc.Login(ctx, "nobody", candidate(t, "wrong horse"))
	_, unknownEmail := e.svc.Login(ctx, "nobody@example.com", candidate(t, "wrong horse"))
	for _, err := range []error{wrong, unknown, unknownEmail} {
		kind(t, err, errs.ErrUnauthenticated)
		if errs.MessageOf(err) != errs.MessageOf(wrong) {
			t.Fatalf("different answers: %q vs %q", errs.MessageOf(err), errs.MessageOf(wrong))
		}
	}
	if got := e.hasher.verifies.Load() - before; got != 3 {
		t.Fatalf("an unknown login must cost one hash verification like a known one: %d verifications for 3 attempts", got)
	}
	if e.metrics.logins[identity.LoginSuccess] != 3 || e.metrics.logins[identity.LoginInvalidCredentials] != 3 {
		t.Fatalf("metrics: %v", e.metrics.logins)
	}
	e.hasher.err = errs.New(errs.ErrUnavailable, "busy")
	_, err := e.svc.Login(ctx, "grace", candidate(t, "correct horse"))
	kind(t, err, errs.ErrUnavailable)
	if e.metrics.logins[identity.LoginError] != 1 {
		t.Fatalf("metrics: %v", e.metrics.logins)
	}
}

// A hash with old parameters is replaced at login.
func TestLoginRehashes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	out := e.register(t, "hedy", "correct horse")
	ctx := context.Background()
	if err := e.store.SetPasswordHash(ctx, out.User.ID, "hash:correct horse", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	e.hasher.rehash.Store(true)
	e.clock.Advance(time.Minute)
	if _, err := e.svc.Login(ctx, "hedy", candidate(t, "correct horse")); err != nil {
		t.Fatal(err)
	}
	// The fake's Hash is deterministic, so look at the write itself.
	u, _ := e.store.UserByID(ctx, out.User.ID)
	if !u.UpdatedAt.Equal(e.clock.Now()) {
		t.Fatal("no rehash was stored")
	}
}

func TestRefreshRotatesAndDetectsReuse(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	first := e.register(t, "alan", "correct horse")
	e.clock.Advance(time.Minute)
	second, err := e.svc.Refresh(ctx, string(first.RefreshToken))
	if err != nil || second.RefreshToken == first.RefreshToken || second.User.Username != "alan" {
		t.Fatalf("%+v %v", second, err)
	}
	if !e.authenticated(t, second.AccessToken) || !e.authenticated(t, first.AccessToken) {
		t.Fatal("a rotation must not end the session")
	}
	third, err := e.svc.Refresh(ctx, string(second.RefreshToken))
	if err != nil {
		t.Fatal(err)
	}
	// Replaying the first token: refused, and the whole session is revoked.
	_, err = e.svc.Refresh(ctx, string(first.RefreshToken))
	kind(t, err, errs.ErrUnauthenticated)
	if e.authenticated(t, third.AccessToken) {
		t.Fatal("reuse did not revoke the session's access tokens")
	}
	_, err = e.svc.Refresh(ctx, string(third.RefreshToken))
	kind(t, err, errs.ErrUnauthenticated)

	_, err = e.svc.Refresh(ctx, "never-issued")
	kind(t, err, errs.ErrUnauthenticated)
	if errors.Is(err, errs.ErrNotFound) {
		t.Fatal("an unknown refresh token must be a 401 only, never also a 404")
	}
}

func TestRefreshAfterExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	out := e.register(t, "barbara", "correct horse")
	e.clock.Advance(721 * time.Hour)
	_, err := e.svc.Refresh(context.Background(), string(out.RefreshToken))
	kind(t, err, errs.ErrUnauthenticated)
	if e.authenticated(t, out.AccessToken) {
		t.Fatal("an expired session authenticates")
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a := e.register(t, "ken", "correct horse")
	b, _ := e.svc.Login(ctx, "ken", candidate(t, "correct horse"))
	if err := e.svc.Logout(ctx, string(a.RefreshToken)); err != nil {
		t.Fatal(err)
	}
	if e.authenticated(t, a.AccessToken) || !e.authenticated(t, b.AccessToken) {
		t.Fatal("logout must end exactly its own session")
	}
	_, err := e.svc.Refresh(ctx, string(a.RefreshToken))
	kind(t, err, errs.ErrUnauthenticated)
	if err := e.svc.Logout(ctx, "unknown"); err != nil {
		t.Fatalf("logout of an unknown token: %v", err)
	}
	if err := e.svc.Logout(ctx, string(a.RefreshToken)); err != nil {
		t.Fatalf("second logout: %v", err)
	}
}

type failingStore struct {
	*identitytest.MemStore
}

func (failingStore) SessionLive(context.Context, uuid.UUID, uuid.UUID, time.Time) (bool, error) {
	return false, errs.New(errs.ErrUnavailable, "db down")
}

// A database failure during authentication is a 503, not a 401: clients
// must not throw their tokens away because the database blinked.
func TestAuthenticateDistinguishesOutagesFromBadTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	out := e.register(t, "radia", "correct horse")
	svc, err := identity.New(identity.Config{AccessTTL: time.Minute, RefreshTTL: time.Hour},
		identity.Deps{Store: failingStore{e.store}, Hasher: e.hasher, Tokens: fakeTokens{}, Mailer: e.mailer})
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.Authenticate(context.Background(), out.AccessToken)
	kind(t, err, errs.ErrUnavailable)
	_, err = e.svc.Authenticate(context.Background(), "garbage")
	kind(t, err, errs.ErrUnauthenticated)
	_, err = e.svc.Authenticate(context.Background(), "access|"+out.User.ID.String()+"|"+uuid.NewString())
	kind(t, err, errs.ErrUnauthenticated)
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a := e.register(t, "edsger", "correct horse")
	b, _ := e.svc.Login(ctx, "edsger", candidate(t, "correct horse"))
	caller, _ := e.svc.Authenticate(ctx, a.AccessToken)
	err := e.svc.ChangePassword(ctx, caller, candidate(t, "wrong horse"), strong(t, "a new passphrase"))
	kind(t, err, errs.ErrForbidden)
	if !e.authenticated(t, b.AccessToken) {
		t.Fatal("a refused change revoked sessions")
	}
	if err := e.svc.ChangePassword(ctx, caller, candidate(t, "correct horse"), strong(t, "a new passphrase")); err != nil {
		t.Fatal(err)
	}
	if !e.authenticated(t, a.AccessToken) || e.authenticated(t, b.AccessToken) {
		t.Fatal("the caller's session must stay and every other go")
	}
	if _, err := e.svc.Login(ctx, "edsger", candidate(t, "correct horse")); !errors.Is(err, errs.ErrUnauthenticated) {
		t.Fatal("the old password still works")
	}
	if _, err := e.svc.Login(ctx, "edsger", candidate(t, "a new passphrase")); err != nil {
		t.Fatal(err)
	}
}

// Each check of current_password is counted as a password guess in the
// login-attempt metric, with the same closed set of results.
func TestChangePasswordCountsGuesses(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a := e.register(t, "guessed", "correct horse")
	caller, _ := e.svc.Authenticate(ctx, a.AccessToken)
	for range 3 {
		kind(t, e.svc.ChangePassword(ctx, caller, candidate(t, "wrong horse"), strong(t, "a new passphrase")), errs.ErrForbidden)
	}
	if err := e.svc.ChangePassword(ctx, caller, candidate(t, "correct horse"), strong(t, "a new passphrase")); err != nil {
		t.Fatal(err)
	}
	if e.metrics.logins[identity.LoginInvalidCredentials] != 3 || e.metrics.logins[identity.LoginSuccess] != 1 {
		t.Fatalf("metrics: %v", e.metrics.logins)
	}
}

func TestMeUpdateAndDelete(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	out := e.register(t, "frances", "correct horse")
	id := out.User.ID
	e.clock.Advance(time.Minute)
	same, err := e.svc.UpdateMe(ctx, id, user.ProfileChanges{})
	if err != nil || !same.UpdatedAt.Equal(out.User.UpdatedAt) {
		t.Fatalf("an empty update moved updated_at: %+v %v", same, err)
	}
	head := "Compilers"
	c, _ := user.ParseProfileChanges(nil, &head, nil)
	got, err := e.svc.UpdateMe(ctx, id, c)
	if err != nil || got.Headline != head || !got.UpdatedAt.Equal(e.clock.Now()) {
		t.Fatalf("%+v %v", got, err)
	}
	if err := e.svc.DeleteMe(ctx, id); err != nil {
		t.Fatal(err)
	}
	if e.authenticated(t, out.AccessToken) {
		t.Fatal("a deleted user's token still works")
	}
	_, err = e.svc.Me(ctx, id)
	kind(t, err, errs.ErrUnauthenticated)
	_, err = e.svc.UpdateMe(ctx, id, c)
	kind(t, err, errs.ErrUnauthenticated)
	kind(t, e.svc.DeleteMe(ctx, id), errs.ErrUnauthenticated)
	if _, err := e.svc.Login(ctx, "frances", candidate(t, "correct horse")); !errors.Is(err, errs.ErrUnauthenticated) {
		t.Fatal("a deleted user can log in")
	}
}

func tokenOf(t *testing.T, m identity.Message) string {
	t.Helper()
	for _, line := range strings.Split(m.Text, "\n") {
		if tok, ok := strings.CutPrefix(line, "Token: "); ok {
			return tok
		}
	}
	t.Fatalf("no token in %q", m.Text)
	return ""
}

func TestPasswordReset(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a := e.register(t, "margaret", "correct horse")
	if err := e.svc.RequestPasswordReset(ctx, "nobody@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.RequestPasswordReset(ctx, "not an email"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.RequestPasswordReset(ctx, "MARGARET@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Close(ctx); err != nil {
		t.Fatal(err)
	}
	sent := e.mailer.messages()
	if len(sent) != 1 || sent[0].To != "margaret@example.com" {
		t.Fatalf("sent: %+v", sent)
	}
	tok := tokenOf(t, sent[0])
	if !strings.Contains(sent[0].Text, "https://agora.test/reset-password?token="+tok) {
		t.Fatalf("no link: %s", sent[0].Text)
	}
	// The link and the message never contain the password hash or the like.
	if strings.Contains(sent[0].Text, "hash:") {
		t.Fatal("the email leaks the hash")
	}
	err := e.svc.ConfirmPasswordReset(ctx, "wrong-token", strong(t, "a new passphrase"))
	kind(t, err, errs.ErrBadRequest)
	if err := e.svc.ConfirmPasswordReset(ctx, tok, strong(t, "a new passphrase")); err != nil {
		t.Fatal(err)
	}
	if e.authenticated(t, a.AccessToken) {
		t.Fatal("a reset must revoke every session")
	}
	if _, err := e.svc.Login(ctx, "margaret", candidate(t, "a new passphrase")); err != nil {
		t.Fatal(err)
	}
	kind(t, e.svc.ConfirmPasswordReset(ctx, tok, strong(t, "another passphrase")), errs.ErrBadRequest)

	// Expired after 30 minutes.
	if err := e.svc.RequestPasswordReset(ctx, "margaret@example.com"); err != nil {
		t.Fatal(err)
	}
	_ = e.svc.Close(ctx)
	late := tokenOf(t, e.mailer.messages()[1])
	e.clock.Advance(30 * time.Minute)
	kind(t, e.svc.ConfirmPasswordReset(ctx, late, strong(t, "another passphrase")), errs.ErrBadRequest)
}

// A failing mail server is reported in the background; the request still
// answers as if all went well (it must look the same as for an unknown address).
func TestPasswordResetMailFailureIsReportedNotReturned(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.register(t, "mary", "correct horse")
	e.mailer.err = errors.New("connection refused")
	if err := e.svc.RequestPasswordReset(context.Background(), "mary@example.com"); err != nil {
		t.Fatal(err)
	}
	_ = e.svc.Close(context.Background())
	select {
	case msg := <-e.errors:
		if !strings.Contains(msg, "connection refused") {
			t.Fatalf("reported: %s", msg)
		}
	default:
		t.Fatal("the failure was not reported")
	}
}

func TestEmailVerification(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	out := e.register(t, "katherine", "correct horse")
	if err := e.svc.RequestEmailVerification(ctx, out.User.ID); err != nil {
		t.Fatal(err)
	}
	_ = e.svc.Close(ctx)
	sent := e.mailer.messages()
	if len(sent) != 1 || sent[0].To != "katherine@example.com" {
		t.Fatalf("%+v", sent)
	}
	kind(t, e.svc.ConfirmEmail(ctx, "nope"), errs.ErrBadRequest)
	if err := e.svc.ConfirmEmail(ctx, tokenOf(t, sent[0])); err != nil {
		t.Fatal(err)
	}
	me, _ := e.svc.Me(ctx, out.User.ID)
	if !me.EmailVerified() {
		t.Fatal("not verified")
	}
	kind(t, e.svc.ConfirmEmail(ctx, tokenOf(t, sent[0])), errs.ErrBadRequest)
	kind(t, e.svc.RequestEmailVerification(ctx, out.User.ID), errs.ErrConflict)
}

func TestSearch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a := e.register(t, "Dennis", "correct horse")
	e.register(t, "denise", "correct horse")
	p, err := e.svc.Search(ctx, a.User.ID, "den", ports.PageRequest{Limit: 1})
	if err != nil || len(p.Items) != 1 || p.Next == nil || p.Items[0].Username != "denise" {
		t.Fatalf("%+v %v", p, err)
	}
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

// One account, one login budget: username and email, in any case, name the
// same key; names of no account are keyed by their lower-case form.
func TestLoginBudgetKeyIsTheAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.register(t, "Victim", "correct horse battery")
	e.register(t, "other", "correct horse battery")
	ctx := context.Background()
	key := e.svc.LoginBudgetKey(ctx, "Victim")
	for _, login := range []string{"victim", "VICTIM", "Victim@example.com", "victim@EXAMPLE.com"} {
		if got := e.svc.LoginBudgetKey(ctx, login); got != key {
			t.Errorf("LoginBudgetKey(%q) = %q, want %q (the same account)", login, got, key)
		}
	}
	if e.svc.LoginBudgetKey(ctx, "other") == key {
		t.Fatal("two accounts share a budget")
	}
	// A password change spends the same budget as a login to that account.
	me, _ := e.svc.Login(ctx, "Victim", candidate(t, "correct horse battery"))
	if got := identity.AccountBudgetKey(me.User.ID); got != key {
		t.Fatalf("AccountBudgetKey = %q, want the login's %q", got, key)
	}
	if a, b := e.svc.LoginBudgetKey(ctx, "Nobody"), e.svc.LoginBudgetKey(ctx, "nobody"); a != b || a == key {
		t.Fatalf("unknown names: %q, %q", a, b)
	}
}
