package main

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"agora/adapters/http/apitest"
)

type requestJSON struct {
	ID   string `json:"id"`
	From struct {
		ID string `json:"id"`
	} `json:"from"`
	To struct {
		ID string `json:"id"`
	} `json:"to"`
	Message     string  `json:"message"`
	Status      string  `json:"status"`
	RespondedAt *string `json:"responded_at"`
}

type profileJSON struct {
	ID         string `json:"id"`
	Count      int    `json:"connections_count"`
	Mutual     int    `json:"mutual_connections_count"`
	Connection string `json:"connection"`
}

func profileOf(t *testing.T, env *testEnv, viewer socialUser, username string) profileJSON {
	t.Helper()
	var p profileJSON
	call(t, env, viewer, "GET", "/api/v1/users/"+username, nil, http.StatusOK).JSON(t, &p)
	return p
}

func sendRequest(t *testing.T, env *testEnv, from socialUser, to string, want int) requestJSON {
	t.Helper()
	res := call(t, env, from, "POST", "/api/v1/connection-requests", map[string]any{"username": to, "message": "Hello!"}, want)
	var r requestJSON
	if want == http.StatusCreated {
		res.JSON(t, &r)
		if loc := res.Header.Get("Location"); loc != "/api/v1/connection-requests/"+r.ID {
			t.Fatalf("Location %q for request %s", loc, r.ID)
		}
	}
	return r
}

func TestSocialConnectionRequests(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	ada, bob, cyd, dee := register(t, env, "ada_c"), register(t, env, "bob_c"), register(t, env, "cyd_c"), register(t, env, "dee_c")

	r := sendRequest(t, env, ada, "BOB_C", http.StatusCreated)
	if r.Status != "pending" || r.Message != "Hello!" || r.RespondedAt != nil || r.From.ID != ada.ID || r.To.ID != bob.ID {
		t.Fatalf("request: %+v", r)
	}
	sendRequest(t, env, ada, "bob_c", http.StatusConflict)
	sendRequest(t, env, ada, "ada_c", http.StatusUnprocessableEntity)
	sendRequest(t, env, ada, "nobody_here", http.StatusNotFound)
	bad := func(body string, header http.Header, want int) {
		t.Helper()
		assertProblem(t, env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/connection-requests", Token: ada.Token, Body: body, Header: header, NoCheck: true}), want)
	}
	bad(`{"username": "cyd_c", "message": "`+strings.Repeat("m", 301)+`"}`, nil, http.StatusUnprocessableEntity)
	bad(`{"username": "no such name!"}`, nil, http.StatusUnprocessableEntity)
	bad(`{}`, nil, http.StatusUnprocessableEntity)
	bad(`{"username": null}`, nil, http.StatusUnprocessableEntity)
	bad(`{"username": "cyd_c", "note": "x"}`, nil, http.StatusBadRequest)
	bad(`{"username": "cyd_c"}`, http.Header{"Content-Type": {"text/plain"}}, http.StatusUnsupportedMediaType)
	bad(`{"username": "cyd_c", "message": "`+strings.Repeat("m", 70000)+`"}`, nil, http.StatusRequestEntityTooLarge)
	assertProblem(t, env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/connection-requests", Body: map[string]any{"username": "bob_c"}}), http.StatusUnauthorized)

	// Lists of pending requests by direction.
	var in, out pageJSON[requestJSON]
	call(t, env, bob, "GET", "/api/v1/connection-requests?direction=incoming", nil, http.StatusOK).JSON(t, &in)
	call(t, env, ada, "GET", "/api/v1/connection-requests?direction=outgoing", nil, http.StatusOK).JSON(t, &out)
	if len(in.Items) != 1 || in.Items[0].ID != r.ID || len(out.Items) != 1 || out.Items[0].ID != r.ID {
		t.Fatalf("pending: in %+v out %+v", in.Items, out.Items)
	}
	for q, status := range map[string]int{
		"": http.StatusBadRequest, "?direction=sideways": http.StatusBadRequest, "?direction=in%00coming": http.StatusBadRequest,
		"?direction=incoming&limit=500": http.StatusUnprocessableEntity, "?direction=incoming&limit=many": http.StatusBadRequest,
	} {
		assertProblem(t, env.API.Do(apitest.Request{Method: "GET", Path: "/api/v1/connection-requests" + q, Token: bob.Token, NoCheck: true}), status)
	}

	// Only the recipient accepts or declines; only the sender withdraws.
	call(t, env, ada, "POST", "/api/v1/connection-requests/"+r.ID+"/accept", nil, http.StatusNotFound)
	call(t, env, cyd, "POST", "/api/v1/connection-requests/"+r.ID+"/decline", nil, http.StatusNotFound)
	call(t, env, bob, "DELETE", "/api/v1/connection-requests/"+r.ID, nil, http.StatusNotFound)
	call(t, env, bob, "POST", "/api/v1/connection-requests/not-an-id/accept", nil, http.StatusNotFound)
	var acc requestJSON
	call(t, env, bob, "POST", "/api/v1/connection-requests/"+r.ID+"/accept", nil, http.StatusOK).JSON(t, &acc)
	if acc.Status != "accepted" || acc.RespondedAt == nil {
		t.Fatalf("accepted: %+v", acc)
	}
	call(t, env, bob, "POST", "/api/v1/connection-requests/"+r.ID+"/accept", nil, http.StatusConflict)
	call(t, env, bob, "POST", "/api/v1/connection-requests/"+r.ID+"/decline", nil, http.StatusConflict)
	call(t, env, ada, "DELETE", "/api/v1/connection-requests/"+r.ID, nil, http.StatusConflict)
	sendRequest(t, env, bob, "ada_c", http.StatusConflict) // already connected

	// A request to someone who asked you first accepts theirs.
	first := sendRequest(t, env, cyd, "ada_c", http.StatusCreated)
	second := sendRequest(t, env, ada, "cyd_c", http.StatusCreated)
	if second.ID != first.ID || second.Status != "accepted" {
		t.Fatalf("crossing: %+v", second)
	}
	// Decline, then withdraw a fresh one.
	d := sendRequest(t, env, dee, "ada_c", http.StatusCreated)
	var dec requestJSON
	call(t, env, ada, "POST", "/api/v1/connection-requests/"+d.ID+"/decline", nil, http.StatusOK).JSON(t, &dec)
	if dec.Status != "declined" {
		t.Fatalf("declined: %+v", dec)
	}
	w := sendRequest(t, env, dee, "ada_c", http.StatusCreated)
	call(t, env, dee, "DELETE", "/api/v1/connection-requests/"+w.ID, nil, http.StatusNoContent)
	call(t, env, dee, "DELETE", "/api/v1/connection-requests/"+w.ID, nil, http.StatusConflict)

	// Connections, another user's connections, mutual connections.
	var conns pageJSON[struct {
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	}]
	call(t, env, ada, "GET", "/api/v1/connections", nil, http.StatusOK).JSON(t, &conns)
	if len(conns.Items) != 2 || conns.Items[0].User.ID != cyd.ID || conns.Items[1].User.ID != bob.ID {
		t.Fatalf("ada's connections: %+v", conns.Items)
	}
	connectUsers(t, env, bob, cyd)
	call(t, env, dee, "GET", "/api/v1/users/ada_c/connections?limit=1", nil, http.StatusOK).JSON(t, &conns)
	if len(conns.Items) != 1 || conns.NextCursor == nil {
		t.Fatalf("a page of one: %+v", conns)
	}
	call(t, env, dee, "GET", "/api/v1/users/nobody_here/connections", nil, http.StatusNotFound)
	call(t, env, dee, "GET", "/api/v1/users/ada_c/connections?cursor=xyz", nil, http.StatusBadRequest)
	var mutual pageJSON[struct {
		ID string `json:"id"`
	}]
	call(t, env, ada, "GET", "/api/v1/users/bob_c/connections/mutual", nil, http.StatusOK).JSON(t, &mutual)
	if len(mutual.Items) != 1 || mutual.Items[0].ID != cyd.ID {
		t.Fatalf("mutual: %+v", mutual.Items)
	}
	call(t, env, ada, "GET", "/api/v1/users/nobody_here/connections/mutual", nil, http.StatusNotFound)
	callUnchecked(t, env, ada, "GET", "/api/v1/users/bob_c/connections/mutual?limit=x", http.StatusBadRequest)

	// Removal, from either side.
	call(t, env, cyd, "DELETE", "/api/v1/connections/ada_c", nil, http.StatusNoContent)
	call(t, env, ada, "DELETE", "/api/v1/connections/cyd_c", nil, http.StatusNotFound)
	call(t, env, ada, "DELETE", "/api/v1/connections/nobody_here", nil, http.StatusNotFound)

	if m := env.API.Do(apitest.Request{Method: "GET", Path: "/metrics"}); m.Status == http.StatusOK {
		for _, line := range []string{`agora_connection_requests_total{outcome="sent"} 5`, `agora_connection_requests_total{outcome="accepted"} 3`,
			`agora_connection_requests_total{outcome="declined"} 1`, `agora_connection_requests_total{outcome="withdrawn"} 1`} {
			if !strings.Contains(string(m.Body), line) {
				t.Errorf("metrics lack %s", line)
			}
		}
	}
}

// Profile.connection, connections_count and mutual_connections_count in all
// five relation states.
func TestSocialProfileRelations(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	me, other, f1, f2, lone := register(t, env, "me_r"), register(t, env, "other_r"), register(t, env, "f1_r"), register(t, env, "f2_r"), register(t, env, "lone_r")
	connectUsers(t, env, me, f1)
	connectUsers(t, env, f2, me)
	connectUsers(t, env, other, f1)
	connectUsers(t, env, other, f2)
	connectUsers(t, env, lone, other)
	check := func(viewer socialUser, target string, rel string, count, mutual int) {
		t.Helper()
		p := profileOf(t, env, viewer, target)
		if p.Connection != rel || p.Count != count || p.Mutual != mutual {
			t.Fatalf("%s → %s: %+v, want %s %d %d", viewer.Username, target, p, rel, count, mutual)
		}
	}
	check(me, "ME_R", "self", 2, 0)
	check(me, "other_r", "none", 3, 2)
	r := sendRequest(t, env, me, "other_r", http.StatusCreated)
	check(me, "other_r", "pending_outgoing", 3, 2)
	check(other, "me_r", "pending_incoming", 2, 2)
	call(t, env, other, "POST", "/api/v1/connection-requests/"+r.ID+"/accept", nil, http.StatusOK)
	check(me, "other_r", "connected", 4, 2)
	check(other, "me_r", "connected", 3, 2)
	check(lone, "me_r", "none", 3, 1)
	call(t, env, me, "GET", "/api/v1/users/nobody_here", nil, http.StatusNotFound)
	call(t, env, me, "GET", "/api/v1/users/x", nil, http.StatusNotFound)
	assertProblem(t, env.API.Do(apitest.Request{Method: "GET", Path: "/api/v1/users/other_r"}), http.StatusUnauthorized)
}

// Two users asking each other at the same instant end up connected once.
func TestSocialCrossingRequestsConnectOnce(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	for round := 0; round < 5; round++ {
		a, b := register(t, env, "xa_"+string(rune('a'+round))), register(t, env, "xb_"+string(rune('a'+round)))
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for i, pair := range [][2]socialUser{{a, b}, {b, a}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/connection-requests", Token: pair[0].Token,
					Body: map[string]any{"username": pair[1].Username}})
				statuses[i] = res.Status
			}()
		}
		wg.Wait()
		if statuses[0] != http.StatusCreated || statuses[1] != http.StatusCreated {
			t.Fatalf("round %d: statuses %v", round, statuses)
		}
		if p := profileOf(t, env, a, b.Username); p.Connection != "connected" || p.Count != 1 {
			t.Fatalf("round %d: %+v", round, p)
		}
		conn, err := pgx.Connect(context.Background(), env.DatabaseURL)
		if err != nil {
			t.Fatal(err)
		}
		var conns, pending, accepted int
		err = conn.QueryRow(context.Background(), `SELECT
			(SELECT count(*) FROM connections WHERE user_id = $1::uuid OR other_id = $1::uuid),
			(SELECT count(*) FROM connection_requests WHERE status = 'pending' AND (from_id = $1::uuid OR to_id = $1::uuid)),
			(SELECT count(*) FROM connection_requests WHERE status = 'accepted' AND (from_id = $1::uuid OR to_id = $1::uuid))`, a.ID).
			Scan(&conns, &pending, &accepted)
		_ = conn.Close(context.Background())
		if err != nil || conns != 2 || pending != 0 || accepted != 1 {
			t.Fatalf("round %d: %d connection rows, %d pending, %d accepted (%v)", round, conns, pending, accepted, err)
		}
	}
}
