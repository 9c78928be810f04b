package identity_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"agora/domain/errs"
	"agora/domain/errs/errstest"
	"agora/domain/session"
	"agora/ports/identity"
)

func tokenOf(t *testing.T, m identity.Message) session.Secret {
	t.Helper()
	for _, line := range strings.Split(m.Text, "\n") {
		if tok, ok := strings.CutPrefix(line, "Token: "); ok {
			return session.Secret(tok)
		}
	}
	t.Fatalf("no token in %q", m.Text)
	return ""
}

func TestPasswordReset(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, "margaret", "correct horse")
	if err := e.svc.RequestPasswordReset(ctx, "nobody@example.com"); err != nil {
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
	if !strings.Contains(sent[0].Text, "https://agora.test/reset-password?token="+string(tok)) {
		t.Fatalf("no link: %s", sent[0].Text)
	}
	// The link and the message never contain the password hash or the like.
	if strings.Contains(sent[0].Text, "hash:") {
		t.Fatal("the email leaks the hash")
	}
	err := e.svc.ConfirmPasswordReset(ctx, "wrong-token", strong(t, "a new passphrase"))
	errstest.WantKind(t, err, errs.ErrBadRequest)
	if err := e.svc.ConfirmPasswordReset(ctx, tok, strong(t, "a new passphrase")); err != nil {
		t.Fatal(err)
	}
	if e.authenticated(t, a.AccessToken) {
		t.Fatal("a reset must revoke every session")
	}
	if _, err := e.login(t, "margaret", "a new passphrase"); err != nil {
		t.Fatal(err)
	}
	errstest.WantKind(t, e.svc.ConfirmPasswordReset(ctx, tok, strong(t, "another passphrase")), errs.ErrBadRequest)

	// Expired after 30 minutes.
	if err := e.svc.RequestPasswordReset(ctx, "margaret@example.com"); err != nil {
		t.Fatal(err)
	}
	_ = e.svc.Close(ctx)
	late := tokenOf(t, e.mailer.messages()[1])
	e.clock.Advance(30 * time.Minute)
	errstest.WantKind(t, e.svc.ConfirmPasswordReset(ctx, late, strong(t, "another passphrase")), errs.ErrBadRequest)
}

// A failing mail server is reported in the background; the request still
// answers as if all went well (it must look the same as for an unknown address).
func TestPasswordResetMailFailureIsReportedNotReturned(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.register(t, "mary", "correct horse")
	e.mailer.err = errors.New("connection refused")
	if err := e.svc.RequestPasswordReset(ctx, "mary@example.com"); err != nil {
		t.Fatal(err)
	}
	_ = e.svc.Close(ctx)
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
	out := e.register(t, "katherine", "correct horse")
	if err := e.svc.RequestEmailVerification(ctx, out.User.ID); err != nil {
		t.Fatal(err)
	}
	_ = e.svc.Close(ctx)
	sent := e.mailer.messages()
	if len(sent) != 1 || sent[0].To != "katherine@example.com" {
		t.Fatalf("%+v", sent)
	}
	errstest.WantKind(t, e.svc.ConfirmEmail(ctx, "nope"), errs.ErrBadRequest)
	if err := e.svc.ConfirmEmail(ctx, tokenOf(t, sent[0])); err != nil {
		t.Fatal(err)
	}
	me, _ := e.svc.Me(ctx, out.User.ID)
	if !me.EmailVerified() {
		t.Fatal("not verified")
	}
	errstest.WantKind(t, e.svc.ConfirmEmail(ctx, tokenOf(t, sent[0])), errs.ErrBadRequest)
	errstest.WantKind(t, e.svc.RequestEmailVerification(ctx, out.User.ID), errs.ErrConflict)
}
