package main

import (
	"net/http"
	"testing"
	"time"

	"agora/adapters/http/apitest"
	"agora/adapters/mail/mailtest"
)

// Emailed tokens die together: confirming one reset spends the user's
// other reset tokens; a password change and an account deletion spend every
// outstanding reset and verification token (the contract's password-reset line).
func TestHostileEmailedTokensAreSpentTogether(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	idRegister(t, env, "mallory_victim")
	mails := 0
	// nextToken asks for one more emailed token and returns it.
	nextToken := func(path, token string, body any) string {
		t.Helper()
		res := env.API.Do(apitest.Request{Method: "POST", Path: path, Token: token, Body: body})
		if res.Status != http.StatusAccepted {
			t.Fatalf("%s: %d %s", path, res.Status, res.Body)
		}
		mails++
		return mailtest.Token(t, mailtest.WaitDir(t, env.MailDir, mails, 10*time.Second))
	}
	reset := func() string {
		return nextToken("/api/v1/auth/password-reset", "", map[string]string{"email": "mallory_victim@example.com"})
	}
	verify := func(access string) string { return nextToken("/api/v1/auth/verify-email", access, nil) }
	confirmReset := func(tok, pw string) int {
		return env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/password-reset/confirm",
			Body: map[string]string{"token": tok, "new_password": pw}}).Status
	}
	confirmEmail := func(tok string) int {
		return env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/verify-email/confirm",
			Body: map[string]string{"token": tok}}).Status
	}

	// Two resets asked for; the first confirmed spends the second.
	t1, t2 := reset(), reset()
	if st := confirmReset(t1, "first new passphrase"); st != http.StatusNoContent {
		t.Fatalf("confirm T1: %d", st)
	}
	if st := confirmReset(t2, "second new passphrase"); st != http.StatusBadRequest {
		t.Fatalf("T2 after T1 was used: %d, want 400", st)
	}

	// A password change spends an outstanding reset and verification token.
	b := idLoggedInWith(t, env, "mallory_victim", "first new passphrase").AccessToken
	t3, v1 := reset(), verify(b)
	res := env.API.Do(apitest.Request{Method: "PUT", Path: "/api/v1/users/me/password", Token: b,
		Body: map[string]string{"current_password": "first new passphrase", "new_password": "changed passphrase"}})
	if res.Status != http.StatusNoContent {
		t.Fatalf("change password: %d %s", res.Status, res.Body)
	}
	if st := confirmReset(t3, "attacker passphrase"); st != http.StatusBadRequest {
		t.Fatalf("a reset token after a password change: %d, want 400", st)
	}
	if st := confirmEmail(v1); st != http.StatusBadRequest {
		t.Fatalf("a verification token after a password change: %d, want 400", st)
	}

	// An account deletion spends them too (the user is gone with them).
	t4, v2 := reset(), verify(b)
	if res := env.API.Do(apitest.Request{Method: "DELETE", Path: "/api/v1/users/me", Token: b}); res.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", res.Status, res.Body)
	}
	if st := confirmReset(t4, "attacker passphrase"); st != http.StatusBadRequest {
		t.Fatalf("a reset token after deletion: %d, want 400", st)
	}
	if st := confirmEmail(v2); st != http.StatusBadRequest {
		t.Fatalf("a verification token after deletion: %d, want 400", st)
	}
}
