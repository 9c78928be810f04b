package main

import (
	"fmt"
	"net/http"
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
