package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"agora/adapters/http/apitest"
)

// The second outside review (issue 15b), through the real wiring: each
// answer that was a silent 200, a text/plain or a 5xx is now a problem.

// A query string Go's parser cannot read whole was silently dropped: the
// list answered 200 with the defaults, the search listed everyone.
func TestHostileMalformedQueryStringIs400(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	me := idRegister(t, env, "query_me")
	for _, path := range []string{
		"/api/v1/feed?limit=%zz", "/api/v1/feed?limit=500%", "/api/v1/feed?limit=1;x",
		"/api/v1/feed?cursor=%zz", "/api/v1/feed?cursor=garbage%", "/api/v1/users?q=%zz",
		"/api/v1/feed?limit=", "/api/v1/feed?cursor=", "/api/v1/users?q=a&cursor=",
		"/api/v1/blocks?limit=&cursor=",
	} {
		res := env.API.Do(apitest.Request{Method: "GET", Path: path, Token: me.AccessToken, NoCheck: true})
		assertProblem(t, res, http.StatusBadRequest)
	}
	// The well-formed spellings still work.
	for _, path := range []string{"/api/v1/feed", "/api/v1/feed?limit=5", "/api/v1/users?q=", "/api/v1/users?q=qu%65ry"} {
		if res := env.API.Do(apitest.Request{Method: "GET", Path: path, Token: me.AccessToken}); res.Status != http.StatusOK {
			t.Errorf("%s: %d %s", path, res.Status, res.Body)
		}
	}
}

// An e-mail address with a bidi override was stored and reached the mail
// To: header; a dotless domain was accepted. A headline of only white space
// was stored as "" although a given text field must show something.
func TestHostileEmailAndBlankTextAre422(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	me := idRegister(t, env, "text_me")
	for i, email := range []string{"ab@exam\u202eple.com", "a\u200bb@example.com", "a@b", "root@localhost", "a@[127.0.0.1]"} {
		res := env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/register", NoCheck: true, Body: map[string]string{
			"username": fmt.Sprintf("mail_%d", i), "email": email, "password": idPassword,
		}})
		p := assertProblem(t, res, http.StatusUnprocessableEntity)
		if list, _ := p["errors"].([]any); len(list) != 1 || list[0].(map[string]any)["field"] != "email" {
			t.Errorf("%q: errors %v", email, p["errors"])
		}
	}
	for _, headline := range []string{"   ", "\u00a0", "\u3000", "\t \n", "\u200b"} {
		res := env.API.Do(apitest.Request{Method: "PATCH", Path: "/api/v1/users/me", Token: me.AccessToken, NoCheck: true,
			Body: map[string]string{"headline": headline}})
		p := assertProblem(t, res, http.StatusUnprocessableEntity)
		if list, _ := p["errors"].([]any); len(list) != 1 || list[0].(map[string]any)["field"] != "headline" {
			t.Errorf("%q: errors %v", headline, p["errors"])
		}
	}
	// A headline is still set with surrounding space trimmed and cleared with "".
	for give, want := range map[string]string{" Engineer\u00a0": "Engineer", "": ""} {
		res := env.API.Do(apitest.Request{Method: "PATCH", Path: "/api/v1/users/me", Token: me.AccessToken,
			Body: map[string]string{"headline": give}})
		if res.Status != http.StatusOK || res.Map(t)["headline"] != want {
			t.Errorf("headline %q: %d %s", give, res.Status, res.Body)
		}
	}
}

// One post answered at five URLs (uuid.Parse is lenient); a percent-encoded
// username was not decoded. Now an id has one spelling and a path
// parameter means what RFC 3986 says it means.
func TestHostileOneResourceOneURL(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	me := register(t, env, "u_xa")
	var created struct {
		ID string `json:"id"`
	}
	call(t, env, me, "POST", "/api/v1/posts", map[string]any{"body": "one post, one URL"}, http.StatusCreated).JSON(t, &created)
	call(t, env, me, "GET", "/api/v1/posts/"+created.ID, nil, http.StatusOK)
	for _, spelling := range []string{
		strings.ToUpper(created.ID), "%7B" + created.ID + "%7D", strings.ReplaceAll(created.ID, "-", ""),
		"urn:uuid:" + created.ID, url.PathEscape("{" + created.ID + "}"),
	} {
		for _, method := range []string{"GET", "PATCH", "DELETE"} {
			res := env.API.Do(apitest.Request{Method: method, Path: "/api/v1/posts/" + spelling, Token: me.Token, NoCheck: true,
				Body: map[string]any{"body": "changed"}})
			assertProblem(t, res, http.StatusNotFound)
		}
	}
	for _, spelling := range []string{"u_x%61", "%75_xa", "U_X%41"} {
		if got := call(t, env, me, "GET", "/api/v1/users/"+spelling, nil, http.StatusOK).Map(t); got["username"] != "u_xa" {
			t.Errorf("%s: %v", spelling, got)
		}
	}
	// A decoded slash is part of the parameter, never a path separator.
	callUnchecked(t, env, me, "GET", "/api/v1/users/u_xa%2Fposts", http.StatusNotFound)
	call(t, env, me, "GET", "/api/v1/posts/"+created.ID, nil, http.StatusOK)
}

// With two Authorization headers the first one won; now neither is
// believed. A failed login's challenge names no error (no token was sent).
func TestHostileTwoAuthorizationHeadersAndLoginChallenge(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	me := idRegister(t, env, "two_auth")
	for _, pair := range [][2]string{
		{"Bearer " + me.AccessToken, "Bearer garbage"},
		{"Bearer garbage", "Bearer " + me.AccessToken},
		{"Bearer " + me.AccessToken, "Bearer " + me.AccessToken},
	} {
		res := env.API.Do(apitest.Request{Method: "GET", Path: "/api/v1/users/me",
			Header: http.Header{"Authorization": {pair[0], pair[1]}}})
		idAssert401(t, res)
	}
	if res := idMe(env, me.AccessToken); res.Status != http.StatusOK {
		t.Fatalf("one header: %d", res.Status)
	}
	idAssertLogin401(t, idLogin(t, env, "two_auth", "not the password"))
	idAssertLogin401(t, idLogin(t, env, "nobody_at_all", "not the password"))
	// A missing access token is still the contract's invalid_token.
	idAssert401(t, idMe(env, ""))
}

// current_password had no attempt limit: 12 wrong guesses answered 403 each,
// then the right one 204. Now the guesses spend the account's login budget
// (5 a minute, shared with POST /auth/login) and are counted as login attempts.
func TestHostileCurrentPasswordGuessesSpendTheLoginBudget(t *testing.T) {
	t.Parallel()
	env := startServer(t, map[string]string{"RATE_LIMIT_ENABLED": "true"})
	me := idRegister(t, env, "pw_guessed")
	change := func(current string) *apitest.Response {
		return env.API.Do(apitest.Request{Method: "PUT", Path: "/api/v1/users/me/password", Token: me.AccessToken,
			Body: map[string]string{"current_password": current, "new_password": "a brand new passphrase"}})
	}
	for i := range 5 {
		assertProblem(t, change(fmt.Sprintf("wrong guess %d", i)), http.StatusForbidden)
	}
	for _, current := range []string{"wrong guess 6", idPassword} {
		res := change(current)
		assertProblem(t, res, http.StatusTooManyRequests)
		if res.Header.Get("Retry-After") == "" {
			t.Fatalf("429 without Retry-After: %v", res.Header)
		}
	}
	// The same budget guards the login form of that account.
	res := env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/login",
		Body: map[string]string{"login": "pw_guessed@example.com", "password": idPassword}})
	assertProblem(t, res, http.StatusTooManyRequests)
	metrics := scrape(t, env)
	for _, want := range []string{
		`auth_login_attempts_total{result="invalid_credentials"} 5`,
		`auth_login_attempts_total{result="rate_limited"} 3`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// A gzip-coded body and a body in another charset answered as if they were
// plain UTF-8 JSON (a misleading 400, or text read wrongly): now 415.
func TestHostileBodyCodingAndCharsetAre415(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	me := idRegister(t, env, "coding_me")
	for _, h := range []http.Header{
		{"Content-Type": {"application/json"}, "Content-Encoding": {"gzip"}},
		{"Content-Type": {"application/json"}, "Content-Encoding": {"br"}},
		{"Content-Type": {"application/json; charset=latin1"}},
		{"Content-Type": {"application/json; charset=utf-16"}},
	} {
		res := env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/posts", Token: me.AccessToken, NoCheck: true,
			Header: h, Body: `{"body":"caf` + "\xe9" + `"}`})
		assertProblem(t, res, http.StatusUnsupportedMediaType)
	}
	res := env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/posts", Token: me.AccessToken,
		Header: http.Header{"Content-Type": {"application/json; charset=UTF-8"}}, Body: map[string]string{"body": "café"}})
	if res.Status != http.StatusCreated {
		t.Fatalf("charset=UTF-8: %d %s", res.Status, res.Body)
	}
}
