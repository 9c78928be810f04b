package identity_test

import (
	"errors"
	"testing"
	"time"

	"agora/domain/errs"
	"agora/domain/errs/errstest"
	"agora/domain/user"
	"agora/ports"
	"agora/ports/identity"
)

func TestChangePassword(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, "edsger", "correct horse")
	b, _ := e.login(t, "edsger", "correct horse")
	caller, _ := e.svc.Authenticate(ctx, a.AccessToken)
	err := e.svc.ChangePassword(ctx, caller, candidate(t, "wrong horse"), strong(t, "a new passphrase"))
	errstest.WantKind(t, err, errs.ErrForbidden)
	if !e.authenticated(t, b.AccessToken) {
		t.Fatal("a refused change revoked sessions")
	}
	if err := e.svc.ChangePassword(ctx, caller, candidate(t, "correct horse"), strong(t, "a new passphrase")); err != nil {
		t.Fatal(err)
	}
	if !e.authenticated(t, a.AccessToken) || e.authenticated(t, b.AccessToken) {
		t.Fatal("the caller's session must stay and every other go")
	}
	if _, err := e.login(t, "edsger", "correct horse"); !errors.Is(err, errs.ErrUnauthenticated) {
		t.Fatal("the old password still works")
	}
	if _, err := e.login(t, "edsger", "a new passphrase"); err != nil {
		t.Fatal(err)
	}
}

// Each check of current_password is counted as a password guess in the
// login-attempt metric, with the same closed set of results.
func TestChangePasswordCountsGuesses(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, "guessed", "correct horse")
	caller, _ := e.svc.Authenticate(ctx, a.AccessToken)
	for range 3 {
		errstest.WantKind(t, e.svc.ChangePassword(ctx, caller, candidate(t, "wrong horse"), strong(t, "a new passphrase")), errs.ErrForbidden)
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
	errstest.WantKind(t, err, errs.ErrUnauthenticated)
	_, err = e.svc.UpdateMe(ctx, id, c)
	errstest.WantKind(t, err, errs.ErrUnauthenticated)
	errstest.WantKind(t, e.svc.DeleteMe(ctx, id), errs.ErrUnauthenticated)
	if _, err := e.login(t, "frances", "correct horse"); !errors.Is(err, errs.ErrUnauthenticated) {
		t.Fatal("a deleted user can log in")
	}
}

func TestSearch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, "Dennis", "correct horse")
	e.register(t, "denise", "correct horse")
	p, err := e.svc.Search(ctx, a.User.ID, "den", ports.PageRequest{Limit: 1})
	if err != nil || len(p.Items) != 1 || p.Next == nil || p.Items[0].Username != "denise" {
		t.Fatalf("%+v %v", p, err)
	}
}
