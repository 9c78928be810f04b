package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"agora/adapters/http/apitest"
)

// socialUser is a registered user with a live access token.
type socialUser struct {
	ID       string
	Username string
	Token    string
}

// register creates a user through the public API.
func register(t *testing.T, env *testEnv, username string) socialUser {
	t.Helper()
	res := env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/register", Body: map[string]any{
		"username": username, "email": strings.ToLower(username) + "@example.com",
		"password": "correct horse battery staple 42", "display_name": "The " + username,
	}})
	if res.Status != http.StatusCreated {
		t.Fatalf("register %s: %d %s", username, res.Status, res.Body)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		User        struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	res.JSON(t, &tok)
	return socialUser{ID: tok.User.ID, Username: username, Token: tok.AccessToken}
}

// call sends an authenticated request and checks the status.
func call(t *testing.T, env *testEnv, u socialUser, method, path string, body any, want int) *apitest.Response {
	t.Helper()
	res := env.API.Do(apitest.Request{Method: method, Path: path, Token: u.Token, Body: body})
	if res.Status != want {
		t.Fatalf("%s %s as %s: %d, want %d: %s", method, path, u.Username, res.Status, want, res.Body)
	}
	if want >= 400 {
		assertProblem(t, res, want)
	}
	return res
}

// callUnchecked is call for a deliberately invalid request (the request is
// not validated against the document; the answer still is).
func callUnchecked(t *testing.T, env *testEnv, u socialUser, method, path string, want int) {
	t.Helper()
	res := env.API.Do(apitest.Request{Method: method, Path: path, Token: u.Token, NoCheck: true})
	assertProblem(t, res, want)
}

type postJSON struct {
	ID     string `json:"id"`
	Author struct {
		ID       string `json:"id"`
		Username string `json:"username"`
	} `json:"author"`
	Body       string    `json:"body"`
	Visibility string    `json:"visibility"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

type pageJSON[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

func createPost(t *testing.T, env *testEnv, u socialUser, body, visibility string) postJSON {
	t.Helper()
	req := map[string]any{"body": body}
	if visibility != "" {
		req["visibility"] = visibility
	}
	res := call(t, env, u, "POST", "/api/v1/posts", req, http.StatusCreated)
	var p postJSON
	res.JSON(t, &p)
	if loc := res.Header.Get("Location"); loc != "/api/v1/posts/"+p.ID {
		t.Fatalf("Location %q for post %s", loc, p.ID)
	}
	return p
}

// connectUsers makes a and b connected through the API.
func connectUsers(t *testing.T, env *testEnv, a, b socialUser) {
	t.Helper()
	res := call(t, env, a, "POST", "/api/v1/connection-requests", map[string]any{"username": b.Username}, http.StatusCreated)
	id := res.Map(t)["id"].(string)
	call(t, env, b, "POST", "/api/v1/connection-requests/"+id+"/accept", nil, http.StatusOK)
}

// pages walks a list to its end and returns every item.
func pages[T any](t *testing.T, env *testEnv, u socialUser, path string, limit int, between func()) []T {
	t.Helper()
	var all []T
	cursor := ""
	for i := 0; i < 200; i++ {
		q := url.Values{"limit": {fmt.Sprint(limit)}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		var p pageJSON[T]
		call(t, env, u, "GET", path+sep+q.Encode(), nil, http.StatusOK).JSON(t, &p)
		if len(p.Items) > limit {
			t.Fatalf("%d items on a page of %d", len(p.Items), limit)
		}
		all = append(all, p.Items...)
		if between != nil {
			between()
		}
		if p.NextCursor == nil {
			return all
		}
		cursor = *p.NextCursor
	}
	t.Fatal("paging does not end")
	return nil
}

func TestSocialPosts(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	ada, bob, cyd := register(t, env, "ada_p"), register(t, env, "bob_p"), register(t, env, "cyd_p")
	connectUsers(t, env, ada, bob)

	pub := createPost(t, env, ada, "Notes on the Analytical Engine.", "")
	if pub.Visibility != "public" || pub.Author.ID != ada.ID || pub.Author.Username != "ada_p" || !pub.CreatedAt.Equal(pub.UpdatedAt) {
		t.Fatalf("created: %+v", pub)
	}
	priv := createPost(t, env, ada, "For my connections.", "connections")

	// 401 without a token; 400, 413, 415, 422 for bad bodies.
	res := env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/posts", Body: map[string]any{"body": "x"}})
	assertProblem(t, res, http.StatusUnauthorized)
	if res.Header.Get("WWW-Authenticate") != `Bearer error="invalid_token"` {
		t.Fatalf("WWW-Authenticate: %q", res.Header.Get("WWW-Authenticate"))
	}
	bad := func(method, path string, body any, header http.Header, want int) map[string]any {
		t.Helper()
		res := env.API.Do(apitest.Request{Method: method, Path: path, Token: ada.Token, Body: body, Header: header, NoCheck: true})
		return assertProblem(t, res, want)
	}
	bad("POST", "/api/v1/posts", `{"body": "x"`, nil, http.StatusBadRequest)
	bad("POST", "/api/v1/posts", `{"body": "x", "mood": "happy"}`, nil, http.StatusBadRequest)
	bad("POST", "/api/v1/posts", `{"body": 42}`, nil, http.StatusBadRequest)
	bad("POST", "/api/v1/posts", `{"body": "x"} {}`, nil, http.StatusBadRequest)
	bad("POST", "/api/v1/posts", `{"body": "`+strings.Repeat("x", 70000)+`"}`, nil, http.StatusRequestEntityTooLarge)
	bad("POST", "/api/v1/posts", `{"body": "x"}`, http.Header{"Content-Type": {"text/plain"}}, http.StatusUnsupportedMediaType)
	for _, body := range []string{`{}`, `{"body": ""}`, `{"body": "  \n "}`, `{"body": null}`, `{"body": "x", "visibility": "friends"}`,
		`{"body": "x", "visibility": null}`, `{"body": "` + strings.Repeat("é", 5001) + `"}`} {
		p := bad("POST", "/api/v1/posts", body, nil, http.StatusUnprocessableEntity)
		if errs, _ := p["errors"].([]any); len(errs) == 0 {
			t.Fatalf("422 without errors for %.40s: %v", body, p)
		}
	}
	createPost(t, env, ada, strings.Repeat("é", 5000), "")

	// Reading: invisible is exactly like absent.
	var got postJSON
	call(t, env, bob, "GET", "/api/v1/posts/"+priv.ID, nil, http.StatusOK).JSON(t, &got)
	if got.ID != priv.ID || got.Body != priv.Body || !got.CreatedAt.Equal(priv.CreatedAt) {
		t.Fatalf("read: %+v", got)
	}
	call(t, env, cyd, "GET", "/api/v1/posts/"+pub.ID, nil, http.StatusOK)
	hidden := call(t, env, cyd, "GET", "/api/v1/posts/"+priv.ID, nil, http.StatusNotFound).Map(t)
	absent := call(t, env, cyd, "GET", "/api/v1/posts/01934f70-1a2b-7c3d-8e4f-5a6b7c8d9e03", nil, http.StatusNotFound).Map(t)
	call(t, env, cyd, "GET", "/api/v1/posts/not-an-id", nil, http.StatusNotFound)
	if hidden["detail"] != absent["detail"] || hidden["title"] != absent["title"] {
		t.Fatalf("an invisible post differs from an absent one: %v vs %v", hidden, absent)
	}

	// Editing: 403 on someone else's visible post, 404 on an invisible one.
	call(t, env, bob, "PATCH", "/api/v1/posts/"+pub.ID, map[string]any{"body": "mine"}, http.StatusForbidden)
	call(t, env, cyd, "PATCH", "/api/v1/posts/"+priv.ID, map[string]any{"body": "mine"}, http.StatusNotFound)
	call(t, env, ada, "PATCH", "/api/v1/posts/nope", map[string]any{"body": "x"}, http.StatusNotFound)
	bad("PATCH", "/api/v1/posts/"+pub.ID, `{"body": null}`, nil, http.StatusUnprocessableEntity)
	bad("PATCH", "/api/v1/posts/"+pub.ID, `{"visibility": "everyone"}`, nil, http.StatusUnprocessableEntity)
	bad("PATCH", "/api/v1/posts/"+pub.ID, `{"title": "x"}`, nil, http.StatusBadRequest)
	bad("PATCH", "/api/v1/posts/"+pub.ID, `{"body": "x"}`, http.Header{"Content-Type": {"text/plain"}}, http.StatusUnsupportedMediaType)
	bad("PATCH", "/api/v1/posts/"+pub.ID, `{"body": "`+strings.Repeat("x", 70000)+`"}`, nil, http.StatusRequestEntityTooLarge)
	var edited postJSON
	call(t, env, ada, "PATCH", "/api/v1/posts/"+pub.ID, map[string]any{"visibility": "connections"}, http.StatusOK).JSON(t, &edited)
	if edited.Body != pub.Body || edited.Visibility != "connections" || !edited.UpdatedAt.After(pub.UpdatedAt) || !edited.CreatedAt.Equal(pub.CreatedAt) {
		t.Fatalf("edited: %+v (was %+v)", edited, pub)
	}
	call(t, env, ada, "PATCH", "/api/v1/posts/"+pub.ID, map[string]any{}, http.StatusOK)
	call(t, env, cyd, "GET", "/api/v1/posts/"+pub.ID, nil, http.StatusNotFound)

	// Deleting.
	call(t, env, bob, "DELETE", "/api/v1/posts/"+pub.ID, nil, http.StatusForbidden)
	call(t, env, cyd, "DELETE", "/api/v1/posts/"+pub.ID, nil, http.StatusNotFound)
	call(t, env, ada, "DELETE", "/api/v1/posts/"+pub.ID, nil, http.StatusNoContent)
	call(t, env, ada, "DELETE", "/api/v1/posts/"+pub.ID, nil, http.StatusNotFound)
	call(t, env, ada, "GET", "/api/v1/posts/"+pub.ID, nil, http.StatusNotFound)

	// Someone's posts, by visibility.
	var list pageJSON[postJSON]
	call(t, env, bob, "GET", "/api/v1/users/ADA_P/posts", nil, http.StatusOK).JSON(t, &list)
	if len(list.Items) != 2 {
		t.Fatalf("bob sees %d of ada's posts", len(list.Items))
	}
	call(t, env, cyd, "GET", "/api/v1/users/ada_p/posts", nil, http.StatusOK).JSON(t, &list)
	if len(list.Items) != 1 || list.Items[0].Visibility != "public" {
		t.Fatalf("cyd sees %+v", list.Items)
	}
	call(t, env, cyd, "GET", "/api/v1/users/nobody_here/posts", nil, http.StatusNotFound)
	callUnchecked(t, env, cyd, "GET", "/api/v1/users/ada_p/posts?limit=0", http.StatusUnprocessableEntity)
	callUnchecked(t, env, cyd, "GET", "/api/v1/users/ada_p/posts?limit=x", http.StatusBadRequest)

	// The metric counts created posts.
	if m := env.API.Do(apitest.Request{Method: "GET", Path: "/metrics"}); m.Status == http.StatusOK &&
		!strings.Contains(string(m.Body), "agora_posts_created_total 3") {
		t.Fatalf("agora_posts_created_total is not 3")
	}
}

func TestSocialFeedPagingWhilePostsArrive(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	me, f1, f2, stranger := register(t, env, "feed_me"), register(t, env, "feed_f1"), register(t, env, "feed_f2"), register(t, env, "feed_st")
	connectUsers(t, env, me, f1)
	connectUsers(t, env, f2, me)
	var want []string
	authors := []socialUser{me, f1, f2, stranger}
	for i := 0; i < 23; i++ {
		a := authors[i%4]
		vis := "public"
		if i%3 == 0 {
			vis = "connections"
		}
		p := createPost(t, env, a, fmt.Sprintf("post %d by %s", i, a.Username), vis)
		if a.ID != stranger.ID {
			want = append([]string{p.ID}, want...)
		}
	}
	// New posts arrive between pages (concurrently, too): no page repeats
	// or skips one of the posts that were there when paging began.
	got := pages[postJSON](t, env, me, "/api/v1/feed", 4, func() {
		var wg sync.WaitGroup
		for _, a := range []socialUser{f1, me} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/posts", Token: a.Token, Body: map[string]any{"body": "late"}})
			}()
		}
		wg.Wait()
	})
	var ids []string
	seen := map[string]bool{}
	for _, p := range got {
		if seen[p.ID] {
			t.Fatalf("post %s twice in the feed", p.ID)
		}
		seen[p.ID] = true
		ids = append(ids, p.ID)
		if p.Author.ID == stranger.ID {
			t.Fatalf("a stranger's post in the feed")
		}
	}
	if strings.Join(ids, ",") != strings.Join(want, ",") {
		t.Fatalf("feed:\n got %v\nwant %v", ids, want)
	}
	for i := 1; i < len(got); i++ {
		if got[i].CreatedAt.After(got[i-1].CreatedAt) {
			t.Fatalf("feed not newest first at %d", i)
		}
	}

	// A tampered, truncated or foreign cursor is a 400; so is a bad limit.
	var first pageJSON[postJSON]
	call(t, env, me, "GET", "/api/v1/feed?limit=2", nil, http.StatusOK).JSON(t, &first)
	c := *first.NextCursor
	flipped := []byte(c)
	flipped[len(flipped)/2] ^= 0x01
	if flipped[len(flipped)/2] == '-' || flipped[len(flipped)/2] == '_' {
		flipped[len(flipped)/2] = 'A'
	}
	for _, bad := range []string{string(flipped), c[:len(c)-3], "eyJ0IjoiMjAyNS0wMS0xNVQwOTozMDowMFoifQ", "!!!"} {
		p := call(t, env, me, "GET", "/api/v1/feed?cursor="+url.QueryEscape(bad), nil, http.StatusBadRequest).Map(t)
		if p["status"].(float64) != 400 {
			t.Fatalf("bad cursor: %v", p)
		}
	}
	for l, status := range map[string]int{
		"0": http.StatusUnprocessableEntity, "101": http.StatusUnprocessableEntity, "-1": http.StatusUnprocessableEntity,
		"abc": http.StatusBadRequest, "1.5": http.StatusBadRequest,
	} {
		res := env.API.Do(apitest.Request{Method: "GET", Path: "/api/v1/feed?limit=" + l, Token: me.Token, NoCheck: true})
		p := assertProblem(t, res, status)
		if errs, _ := p["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["field"] != "limit" {
			t.Fatalf("limit=%s: %v", l, p)
		}
	}
	res := env.API.Do(apitest.Request{Method: "GET", Path: "/api/v1/feed"})
	assertProblem(t, res, http.StatusUnauthorized)
}
