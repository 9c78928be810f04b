package main

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"agora/adapters/http/apitest"
	"agora/adapters/postgres/pgtest"
)

// With DATABASE_READ_URL, lag-tolerant reads (feed, lists, profiles, search)
// go to the streaming replica, every write goes to the primary (the replica
// is read-only: a misrouted write would fail), and a lost replica degrades
// to reads on the primary instead of errors.
func TestReadReplicaServesReadsOnly(t *testing.T) {
	t.Parallel()
	primary := pgtest.StartCluster(t)
	dbURL := primary.NewDatabase(t)
	replica := primary.StartReplica(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	readURL := replica.URL(strings.TrimPrefix(u.Path, "/"))
	env := startServerWith(t, serverOptions{DatabaseURL: dbURL, Env: map[string]string{
		"DATABASE_READ_URL": readURL, "DATABASE_READ_MAX_LAG": "500ms",
	}})

	ada, bob := registerUser(t, env, "ada_r"), registerUser(t, env, "bob_r")
	post := env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/posts", Token: ada, Body: map[string]string{"body": "replicated"}})
	if post.Status != 201 {
		t.Fatalf("create post: %d %s", post.Status, post.Body)
	}
	req := env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/connection-requests", Token: ada, Body: map[string]string{"username": "bob_r"}})
	if req.Status != 201 {
		t.Fatalf("request: %d %s", req.Status, req.Body)
	}
	id := req.Map(t)["id"].(string)
	if res := env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/connection-requests/" + id + "/accept", Token: bob}); res.Status != 200 {
		t.Fatalf("accept: %d %s", res.Status, res.Body)
	}

	// The replica catches up within moments; the feed read there shows the post.
	deadline := time.Now().Add(5 * time.Second)
	for {
		res := env.API.Do(apitest.Request{Method: "GET", Path: "/api/v1/feed", Token: bob})
		if res.Status != 200 {
			t.Fatalf("feed: %d %s", res.Status, res.Body)
		}
		if strings.Contains(string(res.Body), "replicated") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the post never reached the feed: %s", res.Body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, path := range []string{"/api/v1/users/ada_r", "/api/v1/users/ada_r/posts", "/api/v1/connections", "/api/v1/users?q=ad"} {
		if res := env.API.Do(apitest.Request{Method: "GET", Path: path, Token: bob}); res.Status != 200 {
			t.Fatalf("GET %s: %d %s", path, res.Status, res.Body)
		}
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, readURL)
	if err != nil {
		t.Fatal(err)
	}
	var readers int
	err = conn.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'agora-read'").Scan(&readers)
	conn.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if readers == 0 {
		t.Fatal("no connection of the read pool on the replica: reads did not go there")
	}

	// A replica that falls behind is bypassed: with replay paused, a new post
	// can only reach the feed through the primary.
	replicaConn, err := pgx.Connect(ctx, readURL)
	if err != nil {
		t.Fatal(err)
	}
	defer replicaConn.Close(ctx)
	if _, err := replicaConn.Exec(ctx, "SELECT pg_wal_replay_pause()"); err != nil {
		t.Fatal(err)
	}
	if res := env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/posts", Token: ada, Body: map[string]string{"body": "written while the replica lags"}}); res.Status != 201 {
		t.Fatalf("create post: %d %s", res.Status, res.Body)
	}
	deadline = time.Now().Add(5 * time.Second)
	for {
		res := env.API.Do(apitest.Request{Method: "GET", Path: "/api/v1/feed", Token: bob})
		if strings.Contains(string(res.Body), "written while the replica lags") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a lagging replica kept serving the feed: %s", res.Body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(scrape(t, env), "agora_db_read_replica_lag_seconds") {
		t.Fatal("/metrics lacks agora_db_read_replica_lag_seconds")
	}
	if _, err := replicaConn.Exec(ctx, "SELECT pg_wal_replay_resume()"); err != nil {
		t.Fatal(err)
	}

	// Without the replica, reads fall back to the primary.
	replica.Stop(t)
	if res := env.API.Do(apitest.Request{Method: "GET", Path: "/api/v1/feed", Token: bob}); res.Status != 200 {
		t.Fatalf("feed with the replica down: %d %s", res.Status, res.Body)
	}
}

func registerUser(t *testing.T, env *testEnv, name string) string {
	t.Helper()
	res := env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/register", Body: map[string]string{
		"username": name, "email": name + "@example.com", "password": "correct horse battery staple",
	}})
	if res.Status != 201 {
		t.Fatalf("register %s: %d %s", name, res.Status, res.Body)
	}
	return res.Map(t)["access_token"].(string)
}
