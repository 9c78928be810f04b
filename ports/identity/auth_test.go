package identity_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"agora/domain/errs"
	"agora/domain/errs/errstest"
	"agora/domain/user"
	"agora/ports/identity"
	"agora/ports/identity/identitytest"
)

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
	_, err := e.svc.Register(ctx, r)
	errstest.WantKind(t, err, errs.ErrConflict)
	if e.metrics.register != 1 {
		t.Fatal("a refused registration was counted")
	}
}

// A failing id source (uuid.NewV7 reads the random source) is an error of
// the use case, not a panic, and nothing is stored or counted; social's
// TestNewIDFailureIsReturned is the same case.
func TestNewIDFailureIsReturned(t *testing.T) {
	t.Parallel()
	store, metrics := identitytest.NewMemStore(), &fakeMetrics{logins: map[string]int{}}
	broken := errors.New("no entropy")
	svc, err := identity.New(identity.Config{AccessTTL: time.Minute, RefreshTTL: time.Hour}, identity.Deps{
		Store: store, Hasher: &fakeHasher{}, Tokens: fakeTokens{}, Mailer: &fakeMailer{}, Metrics: metrics,
		NewID: func() (uuid.UUID, error) { return uuid.Nil, broken },
	})
	errstest.Must(t, err)
	t.Cleanup(func() { _ = svc.Close(ctx) })
	r, _ := user.ParseRegistration("ada", "ada@example.com", "correct horse", nil)
	if _, err := svc.Register(ctx, r); !errors.Is(err, broken) {
		t.Fatalf("Register: %v", err)
	}
	if _, err := store.UserByUsername(ctx, r.Username); !errors.Is(err, errs.ErrNotFound) || metrics.register != 0 {
		t.Fatalf("stored or counted: %v, %d registrations", err, metrics.register)
	}
}

func TestLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.register(t, "grace", "correct horse")
	for _, login := range []string{"grace", "GRACE", "Grace@Example.com"} {
		out, err := e.login(t, login, "correct horse")
		if err != nil || out.User.Username != "grace" || !e.authenticated(t, out.AccessToken) {
			t.Fatalf("%s: %+v %v", login, out, err)
		}
	}
	before := e.hasher.verifies.Load()
	_, wrong := e.login(t, "grace", "wrong horse")
	_, unknown := e.login(t, "nobody", "wrong horse")
	_, unknownEmail := e.login(t, "nobody@example.com", "wrong horse")
	for _, err := range []error{wrong, unknown, unknownEmail} {
		errstest.WantKind(t, err, errs.ErrUnauthenticated)
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
	_, err := e.login(t, "grace", "correct horse")
	errstest.WantKind(t, err, errs.ErrUnavailable)
	if e.metrics.logins[identity.LoginError] != 1 {
		t.Fatalf("metrics: %v", e.metrics.logins)
	}
}

// A hash with old parameters is replaced at login.
func TestLoginRehashes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	out := e.register(t, "hedy", "correct horse")
	if err := e.store.SetPasswordHash(ctx, out.User.ID, "hash:correct horse", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	e.hasher.rehash.Store(true)
	e.clock.Advance(time.Minute)
	if _, err := e.login(t, "hedy", "correct horse"); err != nil {
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
	first := e.register(t, "alan", "correct horse")
	e.clock.Advance(time.Minute)
	second, err := e.svc.Refresh(ctx, first.RefreshToken)
	if err != nil || second.RefreshToken == first.RefreshToken || second.User.Username != "alan" {
		t.Fatalf("%+v %v", second, err)
	}
	if !e.authenticated(t, second.AccessToken) || !e.authenticated(t, first.AccessToken) {
		t.Fatal("a rotation must not end the session")
	}
	third, err := e.svc.Refresh(ctx, second.RefreshToken)
	errstest.Must(t, err)
	// Replaying the first token: refused, and the whole session is revoked.
	_, err = e.svc.Refresh(ctx, first.RefreshToken)
	errstest.WantKind(t, err, errs.ErrUnauthenticated)
	if e.authenticated(t, third.AccessToken) {
		t.Fatal("reuse did not revoke the session's access tokens")
	}
	_, err = e.svc.Refresh(ctx, third.RefreshToken)
	errstest.WantKind(t, err, errs.ErrUnauthenticated)

	_, err = e.svc.Refresh(ctx, "never-issued")
	errstest.WantKind(t, err, errs.ErrUnauthenticated)
	if errors.Is(err, errs.ErrNotFound) {
		t.Fatal("an unknown refresh token must be a 401 only, never also a 404")
	}
}

func TestRefreshAfterExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	out := e.register(t, "barbara", "correct horse")
	e.clock.Advance(721 * time.Hour)
	_, err := e.svc.Refresh(ctx, out.RefreshToken)
	errstest.WantKind(t, err, errs.ErrUnauthenticated)
	if e.authenticated(t, out.AccessToken) {
		t.Fatal("an expired session authenticates")
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, "ken", "correct horse")
	b, _ := e.login(t, "ken", "correct horse")
	if err := e.svc.Logout(ctx, a.RefreshToken); err != nil {
		t.Fatal(err)
	}
	if e.authenticated(t, a.AccessToken) || !e.authenticated(t, b.AccessToken) {
		t.Fatal("logout must end exactly its own session")
	}
	_, err := e.svc.Refresh(ctx, a.RefreshToken)
	errstest.WantKind(t, err, errs.ErrUnauthenticated)
	if err := e.svc.Logout(ctx, "unknown"); err != nil {
		t.Fatalf("logout of an unknown token: %v", err)
	}
	if err := e.svc.Logout(ctx, a.RefreshToken); err != nil {
		t.Fatalf("second logout: %v", err)
	}
}

type failingStore struct {
	*identitytest.MemStore
}

// A database failure during authentication is a 503, not a 401: clients
// must not throw their tokens away because the database blinked.
func TestAuthenticateDistinguishesOutagesFromBadTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	out := e.register(t, "radia", "correct horse")
	svc, err := identity.New(identity.Config{AccessTTL: time.Minute, RefreshTTL: time.Hour},
		identity.Deps{Store: failingStore{e.store}, Hasher: e.hasher, Tokens: fakeTokens{}, Mailer: e.mailer})
	errstest.Must(t, err)
	_, err = svc.Authenticate(ctx, out.AccessToken)
	errstest.WantKind(t, err, errs.ErrUnavailable)
	_, err = e.svc.Authenticate(ctx, "garbage")
	errstest.WantKind(t, err, errs.ErrUnauthenticated)
	_, err = e.svc.Authenticate(ctx, "access|"+out.User.ID.String()+"|"+uuid.NewString())
	errstest.WantKind(t, err, errs.ErrUnauthenticated)
}

// One account, one login budget: username and email, in any case, name the
// same key; names of no account are keyed by their lower-case form.
func TestLoginBudgetKeyIsTheAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.register(t, "Victim", "correct horse battery")
	e.register(t, "other", "correct horse battery")
	key := e.svc.LoginBudgetKey(ctx, loginOf(t, "Victim"))
	for _, login := range []string{"victim", "VICTIM", "Victim@example.com", "victim@EXAMPLE.com"} {
		if got := e.svc.LoginBudgetKey(ctx, loginOf(t, login)); got != key {
			t.Errorf("LoginBudgetKey(%q) = %q, want %q (the same account)", login, got, key)
		}
	}
	if e.svc.LoginBudgetKey(ctx, loginOf(t, "other")) == key {
		t.Fatal("two accounts share a budget")
	}
	// A password change spends the same budget as a login to that account.
	me, _ := e.login(t, "Victim", "correct horse battery")
	if got := identity.AccountBudgetKey(me.User.ID); got != key {
		t.Fatalf("AccountBudgetKey = %q, want the login's %q", got, key)
	}
	if a, b := e.svc.LoginBudgetKey(ctx, loginOf(t, "Nobody")), e.svc.LoginBudgetKey(ctx, loginOf(t, "nobody")); a != b || a == key {
		t.Fatalf("unknown names: %q, %q", a, b)
	}
}
