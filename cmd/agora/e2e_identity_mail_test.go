package main

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"agora/adapters/http/apitest"
	"agora/adapters/mail/mailtest"
)

// Password recovery over a real SMTP exchange with a server inside the test.
func TestIdentityPasswordResetOverSMTP(t *testing.T) {
	t.Parallel()
	smtp := mailtest.Start(t, mailtest.Options{})
	env := startServer(t, map[string]string{
		"SMTP_URL":        "smtp://" + smtp.Addr + "?tls=none",
		"MAIL_FROM":       "Agora <no-reply@agora.test>",
		"PUBLIC_BASE_URL": "https://agora.test",
	})
	a := idRegister(t, env, "Margaret")
	b := idLoggedIn(t, env, "margaret")
	reset := func(email string) *apitest.Response {
		return env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/password-reset", Body: map[string]string{"email": email}})
	}
	// Known and unknown addresses: the same 202, the same (empty) body.
	unknown := reset("nobody@example.com")
	known := reset("MARGARET@example.com")
	if unknown.Status != http.StatusAccepted || known.Status != http.StatusAccepted || string(unknown.Body) != string(known.Body) {
		t.Fatalf("unknown %d %q, known %d %q", unknown.Status, unknown.Body, known.Status, known.Body)
	}
	msg := smtp.Wait(t, 1, 10*time.Second)
	if len(msg.To) != 1 || msg.To[0] != "margaret@example.com" || msg.From != "no-reply@agora.test" {
		t.Fatalf("envelope %+v", msg)
	}
	parsed := mailtest.Parse(t, msg.Data)
	token := mailtest.Token(t, msg.Data)
	if !strings.Contains(parsed.Body, "https://agora.test/reset-password?token="+token) {
		t.Fatalf("no link in:\n%s", parsed.Body)
	}
	idAssertFields(t, reset("not-an-email"), http.StatusUnprocessableEntity, "email")

	confirm := func(tok, pw string, check bool) *apitest.Response {
		return env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/password-reset/confirm",
			Body: map[string]string{"token": tok, "new_password": pw}, NoCheck: !check})
	}
	// A weak password is a 422 and does not spend the token.
	idAssertFields(t, confirm(token, "short", false), http.StatusUnprocessableEntity, "new_password")
	idAssertFields(t, confirm("", "long enough pass", false), http.StatusUnprocessableEntity, "token")
	assertProblem(t, confirm("not-a-token-we-sent", "long enough pass", true), http.StatusBadRequest)
	if res := confirm(token, "a fresh passphrase", true); res.Status != http.StatusNoContent {
		t.Fatalf("confirm: %d %s", res.Status, res.Body)
	}
	// Every session of the user is revoked, the new password works, the token is spent.
	idAssert401(t, idMe(env, a.AccessToken))
	idAssert401(t, idMe(env, b.AccessToken))
	idAssertLogin401(t, idLogin(t, env, "margaret", idPassword))
	if res := idLogin(t, env, "margaret", "a fresh passphrase"); res.Status != http.StatusOK {
		t.Fatalf("login with the new password: %d", res.Status)
	}
	assertProblem(t, confirm(token, "yet another passphrase", true), http.StatusBadRequest)

	// Only the known address got mail, and nothing logged the token.
	time.Sleep(100 * time.Millisecond)
	if n := len(smtp.Messages()); n != 1 {
		t.Fatalf("%d messages, want 1", n)
	}
	if strings.Contains(env.Logs(), token) {
		t.Fatal("the reset token reached the logs")
	}
}

// Email verification in development mode: the message lands in MAIL_DIR.
func TestIdentityEmailVerificationViaMailDir(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	a := idRegister(t, env, "katherine")
	verify := func(token string) *apitest.Response {
		return env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/verify-email", Token: token})
	}
	idAssert401(t, verify(""))
	if res := verify(a.AccessToken); res.Status != http.StatusAccepted {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	raw := mailtest.WaitDir(t, env.MailDir, 1, 10*time.Second)
	if p := mailtest.Parse(t, raw); p.Header.Get("To") != "<katherine@example.com>" || !strings.Contains(p.Header.Get("Subject"), "Confirm") {
		t.Fatalf("message headers %v", p.Header)
	}
	token := mailtest.Token(t, raw)
	confirm := func(tok string, check bool) *apitest.Response {
		return env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/verify-email/confirm",
			Body: map[string]string{"token": tok}, NoCheck: !check})
	}
	assertProblem(t, confirm("wrong-token", true), http.StatusBadRequest)
	idAssertFields(t, confirm("", false), http.StatusUnprocessableEntity, "token")
	if res := confirm(token, true); res.Status != http.StatusNoContent {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	if got := idMe(env, a.AccessToken).Map(t); got["email_verified"] != true {
		t.Fatalf("not verified: %v", got)
	}
	assertProblem(t, confirm(token, true), http.StatusBadRequest)
	assertProblem(t, verify(a.AccessToken), http.StatusConflict)
}

// The answer to a password reset does no work that depends on the address
// (it is all in the background), so known and unknown addresses cost the
// same. Timings are logged for the record, not asserted (they would flake).
func TestIdentityPasswordResetDoesNoAddressWorkInline(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	idRegister(t, env, "known")
	for i := 0; i < 20; i++ {
		for _, email := range []string{"known@example.com", "nobody@example.com"} {
			res := env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/password-reset", Body: map[string]string{"email": email}})
			if res.Status != http.StatusAccepted || len(res.Body) != 0 {
				t.Fatalf("%s: %d %q", email, res.Status, res.Body)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	var known, unknown []float64
	n := 0
	for _, line := range strings.Split(env.Logs(), "\n") {
		if !strings.Contains(line, `"route":"/api/v1/auth/password-reset"`) {
			continue
		}
		var rec struct {
			Duration float64 `json:"duration"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		if n%2 == 0 {
			known = append(known, rec.Duration)
		} else {
			unknown = append(unknown, rec.Duration)
		}
		n++
	}
	sort.Float64s(known)
	sort.Float64s(unknown)
	t.Logf("server-side median: known %.0fµs, unknown %.0fµs", known[len(known)/2]*1e6, unknown[len(unknown)/2]*1e6)
	// Every known-address request led to exactly one email.
	deadline := time.Now().Add(10 * time.Second)
	for len(mailtest.DirMessages(t, env.MailDir)) < 20 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	if got := len(mailtest.DirMessages(t, env.MailDir)); got != 20 {
		t.Fatalf("%d emails, want 20", got)
	}
}
