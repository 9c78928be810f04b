package main

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5"

	"agora/adapters/http/apitest"
)

func TestIdentityUserSearch(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	me := idRegister(t, env, "zoe")
	for _, n := range []string{"Adam", "ada_x", "adaxy", "bob", "blocked_ada", "blocker_ada"} {
		idRegister(t, env, n)
	}
	// bob's display name starts with "Ada".
	bob := idLoggedIn(t, env, "bob")
	if res := env.API.Do(apitest.Request{Method: "PATCH", Path: "/api/v1/users/me", Token: bob.AccessToken,
		Body: map[string]string{"display_name": "Ada Bobson"}}); res.Status != http.StatusOK {
		t.Fatal(res.Status)
	}
	// Blocks either way hide a user (written directly: blocking is another area's endpoint).
	conn, err := pgx.Connect(context.Background(), env.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), `
		INSERT INTO blocks (blocker_id, blocked_id)
		SELECT (SELECT id FROM users WHERE username = 'zoe'), id FROM users WHERE username = 'blocked_ada'
		UNION ALL
		SELECT id, (SELECT id FROM users WHERE username = 'zoe') FROM users WHERE username = 'blocker_ada'`); err != nil {
		t.Fatal(err)
	}
	search := func(query string) *apitest.Response {
		return env.API.Do(apitest.Request{Method: "GET", Path: "/api/v1/users?" + query, Token: me.AccessToken})
	}
	type page struct {
		Items []struct {
			ID          string `json:"id"`
			Username    string `json:"username"`
			DisplayName string `json:"display_name"`
		} `json:"items"`
		NextCursor *string `json:"next_cursor"`
	}
	names := func(query string) ([]string, *string) {
		t.Helper()
		res := search(query)
		if res.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", query, res.Status, res.Body)
		}
		var p page
		res.JSON(t, &p)
		var out []string
		for _, it := range p.Items {
			out = append(out, it.Username)
		}
		return out, p.NextCursor
	}
	eq := func(got, want []string) bool {
		if len(got) != len(want) {
			return false
		}
		for i := range got {
			if got[i] != want[i] {
				return false
			}
		}
		return true
	}
	if got, next := names("q=ADA"); !eq(got, []string{"ada_x", "Adam", "adaxy", "bob"}) || next != nil {
		t.Fatalf("q=ADA: %v %v", got, next)
	}
	if got, _ := names("q=" + url.QueryEscape("ada_")); !eq(got, []string{"ada_x"}) {
		t.Fatalf("q=ada_ (the underscore is literal): %v", got)
	}
	// Everyone visible, the caller included, page by page.
	first, next := names("limit=3")
	if !eq(first, []string{"ada_x", "Adam", "adaxy"}) || next == nil {
		t.Fatalf("page 1: %v %v", first, next)
	}
	second, next := names("limit=3&cursor=" + url.QueryEscape(*next))
	if !eq(second, []string{"bob", "zoe"}) || next != nil {
		t.Fatalf("page 2: %v %v", second, next)
	}
	// Bad parameters are named: a limit out of range breaks a rule (422), a
	// limit that is not an integer is malformed (400).
	res := env.API.Do(apitest.Request{Method: "GET", Path: "/api/v1/users?limit=0", Token: me.AccessToken, NoCheck: true})
	idAssertFields(t, res, http.StatusUnprocessableEntity, "limit")
	res = env.API.Do(apitest.Request{Method: "GET", Path: "/api/v1/users?limit=ten", Token: me.AccessToken, NoCheck: true})
	idAssertFields(t, res, http.StatusBadRequest, "limit")
	res = env.API.Do(apitest.Request{Method: "GET", Path: "/api/v1/users?cursor=garbage", Token: me.AccessToken})
	assertProblem(t, res, http.StatusBadRequest)
	long := make([]byte, 101)
	for i := range long {
		long[i] = 'a'
	}
	res = env.API.Do(apitest.Request{Method: "GET", Path: "/api/v1/users?q=" + string(long), Token: me.AccessToken, NoCheck: true})
	idAssertFields(t, res, http.StatusBadRequest, "q")
	idAssert401(t, env.API.Do(apitest.Request{Method: "GET", Path: "/api/v1/users"}))
}
