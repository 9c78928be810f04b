package main

import (
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
