package main

import (
	"net/http"
	"testing"
	"time"

	"agora/adapters/http/apitest"
)

// A block removes the connection and pending requests between the two, and
// from then on each is 404 to the other everywhere.
func TestSocialBlocking(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	ada, bob, cyd := register(t, env, "ada_b"), register(t, env, "bob_b"), register(t, env, "cyd_b")
	connectUsers(t, env, ada, bob)
	connectUsers(t, env, bob, cyd)
	adaPost := createPost(t, env, ada, "ada's public post", "")
	bobPost := createPost(t, env, bob, "bob's public post", "")
	pending := sendRequest(t, env, cyd, "ada_b", http.StatusCreated)

	call(t, env, ada, "PUT", "/api/v1/blocks/ada_b", nil, http.StatusUnprocessableEntity)
	call(t, env, ada, "PUT", "/api/v1/blocks/nobody_here", nil, http.StatusNotFound)
	assertProblem(t, env.API.Do(apitest.Request{Method: "PUT", Path: "/api/v1/blocks/bob_b"}), http.StatusUnauthorized)
	call(t, env, ada, "PUT", "/api/v1/blocks/BOB_B", nil, http.StatusNoContent)
	call(t, env, ada, "PUT", "/api/v1/blocks/bob_b", nil, http.StatusNoContent) // idempotent
	call(t, env, cyd, "PUT", "/api/v1/blocks/ada_b", nil, http.StatusNoContent)

	// The connection and the pending request are gone.
	if p := profileOf(t, env, ada, "ada_b"); p.Count != 0 {
		t.Fatalf("ada still has %d connections", p.Count)
	}
	call(t, env, cyd, "DELETE", "/api/v1/connection-requests/"+pending.ID, nil, http.StatusNotFound)
	call(t, env, ada, "POST", "/api/v1/connection-requests/"+pending.ID+"/accept", nil, http.StatusNotFound)

	// Each is invisible to the other, both ways, on every path.
	for _, pair := range []struct {
		viewer socialUser
		other  string
		post   string
	}{{ada, "bob_b", bobPost.ID}, {bob, "ada_b", adaPost.ID}} {
		v, o := pair.viewer, pair.other
		call(t, env, v, "GET", "/api/v1/users/"+o, nil, http.StatusNotFound)
		call(t, env, v, "GET", "/api/v1/users/"+o+"/posts", nil, http.StatusNotFound)
		call(t, env, v, "GET", "/api/v1/users/"+o+"/connections", nil, http.StatusNotFound)
		call(t, env, v, "GET", "/api/v1/users/"+o+"/connections/mutual", nil, http.StatusNotFound)
		call(t, env, v, "GET", "/api/v1/posts/"+pair.post, nil, http.StatusNotFound)
		call(t, env, v, "PATCH", "/api/v1/posts/"+pair.post, map[string]any{"body": "x"}, http.StatusNotFound)
		call(t, env, v, "DELETE", "/api/v1/posts/"+pair.post, nil, http.StatusNotFound)
		call(t, env, v, "POST", "/api/v1/connection-requests", map[string]any{"username": o}, http.StatusNotFound)
		call(t, env, v, "DELETE", "/api/v1/connections/"+o, nil, http.StatusNotFound)
		var feed pageJSON[postJSON]
		call(t, env, v, "GET", "/api/v1/feed", nil, http.StatusOK).JSON(t, &feed)
		for _, p := range feed.Items {
			if p.Author.Username == o {
				t.Fatalf("%s sees %s's post in the feed", v.Username, o)
			}
		}
		// The user directory (identity's endpoint) leaves them out too.
		res := env.API.Do(apitest.Request{Method: "GET", Path: "/api/v1/users?q=" + o[:3], Token: v.Token})
		if res.Status == http.StatusOK {
			var users pageJSON[struct {
				Username string `json:"username"`
			}]
			res.JSON(t, &users)
			for _, u := range users.Items {
				if u.Username == o {
					t.Fatalf("%s finds %s in the directory", v.Username, o)
				}
			}
		}
	}
	// Another user's connections leave out anyone with a block to or from the viewer.
	eve := register(t, env, "eve_b")
	connectUsers(t, env, bob, eve)
	call(t, env, eve, "PUT", "/api/v1/blocks/cyd_b", nil, http.StatusNoContent)
	var conns pageJSON[connectionItem]
	call(t, env, cyd, "GET", "/api/v1/users/bob_b/connections", nil, http.StatusOK).JSON(t, &conns)
	if len(conns.Items) != 1 || conns.Items[0].User.ID != cyd.ID {
		t.Fatalf("bob's connections seen by cyd: %+v", conns.Items)
	}
	call(t, env, bob, "GET", "/api/v1/users/bob_b/connections", nil, http.StatusOK).JSON(t, &conns)
	if len(conns.Items) != 2 {
		t.Fatalf("bob's connections seen by bob: %+v", conns.Items)
	}

	// The blocked can block back; the list shows whom you block, newest first.
	call(t, env, bob, "PUT", "/api/v1/blocks/ada_b", nil, http.StatusNoContent)
	connectUsers(t, env, ada, register(t, env, "dee_b"))
	call(t, env, ada, "PUT", "/api/v1/blocks/dee_b", nil, http.StatusNoContent)
	var blocks pageJSON[struct {
		Username string `json:"username"`
	}]
	call(t, env, ada, "GET", "/api/v1/blocks", nil, http.StatusOK).JSON(t, &blocks)
	if len(blocks.Items) != 2 || blocks.Items[0].Username != "dee_b" || blocks.Items[1].Username != "bob_b" {
		t.Fatalf("blocks: %+v", blocks.Items)
	}
	callUnchecked(t, env, ada, "GET", "/api/v1/blocks?limit=1000", http.StatusUnprocessableEntity)

	// Unblocking: idempotent; connections do not come back; each side's own block still hides.
	call(t, env, ada, "DELETE", "/api/v1/blocks/bob_b", nil, http.StatusNoContent)
	call(t, env, ada, "DELETE", "/api/v1/blocks/bob_b", nil, http.StatusNoContent)
	call(t, env, ada, "DELETE", "/api/v1/blocks/ada_b", nil, http.StatusUnprocessableEntity)
	call(t, env, ada, "DELETE", "/api/v1/blocks/nobody_here", nil, http.StatusNotFound)
	call(t, env, ada, "GET", "/api/v1/users/bob_b", nil, http.StatusNotFound) // bob still blocks ada
	call(t, env, bob, "DELETE", "/api/v1/blocks/ada_b", nil, http.StatusNoContent)
	if p := profileOf(t, env, ada, "bob_b"); p.Connection != "none" {
		t.Fatalf("after unblocking both ways: %+v", p)
	}
}

type connectionItem struct {
	User struct {
		ID       string `json:"id"`
		Username string `json:"username"`
	} `json:"user"`
	ConnectedAt time.Time `json:"connected_at"`
}

func TestSocialExport(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	ada, bob, cyd := register(t, env, "ada_e"), register(t, env, "bob_e"), register(t, env, "cyd_e")
	connectUsers(t, env, ada, bob)
	createPost(t, env, ada, "one", "")
	createPost(t, env, ada, "two", "connections")
	createPost(t, env, bob, "not mine", "")
	sendRequest(t, env, cyd, "ada_e", http.StatusCreated)
	call(t, env, ada, "PUT", "/api/v1/blocks/cyd_e", nil, http.StatusNoContent)
	var e struct {
		User struct {
			ID    string `json:"id"`
			Email string `json:"email"`
		} `json:"user"`
		Posts              []postJSON       `json:"posts"`
		ConnectionRequests []requestJSON    `json:"connection_requests"`
		Connections        []connectionItem `json:"connections"`
		Blocks             []struct {
			Username string `json:"username"`
		} `json:"blocks"`
		Sessions []map[string]any `json:"sessions"`
	}
	res := call(t, env, ada, "GET", "/api/v1/users/me/export", nil, http.StatusOK)
	res.JSON(t, &e)
	if e.User.ID != ada.ID || e.User.Email != "ada_e@example.com" || len(e.Posts) != 2 || len(e.ConnectionRequests) != 1 ||
		len(e.Connections) != 1 || e.Connections[0].User.ID != bob.ID || len(e.Blocks) != 1 || e.Blocks[0].Username != "cyd_e" ||
		len(e.Sessions) < 1 {
		t.Fatalf("export: %s", res.Body)
	}
	for _, s := range e.Sessions {
		for k := range s {
			switch k {
			case "id", "created_at", "last_used_at", "expires_at", "revoked_at":
			default:
				t.Fatalf("a session carries %q", k)
			}
		}
	}
	assertProblem(t, env.API.Do(apitest.Request{Method: "GET", Path: "/api/v1/users/me/export"}), http.StatusUnauthorized)
}

// Deleting an account removes its posts, requests and connections, and the
// others' counts stay right.
func TestSocialAccountDeletionKeepsCountsRight(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	ada, bob, gone := register(t, env, "ada_d"), register(t, env, "bob_d"), register(t, env, "gone_d")
	connectUsers(t, env, ada, bob)
	connectUsers(t, env, gone, ada)
	connectUsers(t, env, gone, bob)
	p := createPost(t, env, gone, "soon gone", "")
	sendRequest(t, env, register(t, env, "cyd_d"), "gone_d", http.StatusCreated)
	if pr := profileOf(t, env, ada, "bob_d"); pr.Count != 2 || pr.Mutual != 1 {
		t.Fatalf("before: %+v", pr)
	}
	res := env.API.Do(apitest.Request{Method: "DELETE", Path: "/api/v1/users/me", Token: gone.Token})
	if res.Status != http.StatusNoContent {
		t.Fatalf("DELETE /users/me: %d %s", res.Status, res.Body)
	}
	if pr := profileOf(t, env, ada, "bob_d"); pr.Count != 1 || pr.Mutual != 0 {
		t.Fatalf("after: %+v", pr)
	}
	if pr := profileOf(t, env, ada, "ada_d"); pr.Count != 1 {
		t.Fatalf("ada after: %+v", pr)
	}
	call(t, env, ada, "GET", "/api/v1/posts/"+p.ID, nil, http.StatusNotFound)
	call(t, env, ada, "GET", "/api/v1/users/gone_d", nil, http.StatusNotFound)
	var feed pageJSON[postJSON]
	call(t, env, ada, "GET", "/api/v1/feed", nil, http.StatusOK).JSON(t, &feed)
	for _, x := range feed.Items {
		if x.ID == p.ID {
			t.Fatal("a deleted user's post in the feed")
		}
	}
}
