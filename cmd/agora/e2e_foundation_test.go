package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"agora/adapters/http/apitest"
	"agora/adapters/postgres"
	"agora/adapters/postgres/pgtest"
)

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	res := env.API.Do(apitest.Request{Method: "GET", Path: "/healthz"})
	if res.Status != 200 || string(bytes.TrimSpace(res.Body)) != `{"status":"ok"}` {
		t.Fatalf("healthz: %d %s", res.Status, res.Body)
	}
	res = env.API.Do(apitest.Request{Method: "GET", Path: "/readyz"})
	if res.Status != 200 || string(bytes.TrimSpace(res.Body)) != `{"status":"ready"}` {
		t.Fatalf("readyz: %d %s", res.Status, res.Body)
	}
}

// /readyz is 503 while the schema is behind the binary's migrations.
func TestReadyzWhenSchemaIsBehind(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	m, err := postgres.NewMigrator(env.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, err := m.Down(context.Background()); err != nil {
		t.Fatal(err)
	}
	res := env.API.Do(apitest.Request{Method: "GET", Path: "/readyz"})
	if res.Status != 503 || res.Header.Get("Retry-After") == "" {
		t.Fatalf("readyz with an old schema: %d %v %s", res.Status, res.Header, res.Body)
	}
}

func TestEveryResponseCarriesSecurityHeadersAndRequestID(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	for _, path := range []string{"/healthz", "/no/such/path", "/api/v1/openapi.yaml"} {
		res := env.API.Do(apitest.Request{Method: "GET", Path: path})
		want := map[string]string{
			"X-Content-Type-Options":  "nosniff",
			"X-Frame-Options":         "DENY",
			"Referrer-Policy":         "no-referrer",
			"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
		}
		for k, v := range want {
			if got := res.Header.Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", path, k, got, v)
			}
		}
		if res.Header.Get("X-Request-ID") == "" {
			t.Errorf("%s: no X-Request-ID", path)
		}
	}
}

func TestRequestIDKeptOnlyWhenWellFormed(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	cases := map[string]bool{
		"abc-123_X.y":            true,
		strings.Repeat("a", 128): true,
		strings.Repeat("a", 129): false,
		"has space":              false,
		"semi;colon":             false,
	}
	for id, kept := range cases {
		res := env.API.Do(apitest.Request{Method: "GET", Path: "/healthz", Header: http.Header{"X-Request-Id": {id}}})
		got := res.Header.Get("X-Request-ID")
		if kept && got != id {
			t.Errorf("id %q replaced by %q", id, got)
		}
		if !kept && (got == id || got == "") {
			t.Errorf("id %q: got %q, want a new one", id, got)
		}
	}
}

func TestUnknownRouteAndWrongMethodAreProblems(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	res := env.API.Do(apitest.Request{Method: "GET", Path: "/api/v1/nothing-here"})
	assertProblem(t, res, 404)
	res = env.API.Do(apitest.Request{Method: "DELETE", Path: "/healthz"})
	assertProblem(t, res, 405)
	if !strings.Contains(res.Header.Get("Allow"), "GET") {
		t.Fatalf("405 without Allow: %v", res.Header)
	}
}

func TestOpenAPIDocumentIsServed(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	res := env.API.Do(apitest.Request{Method: "GET", Path: "/api/v1/openapi.yaml"})
	if res.Status != 200 || !bytes.HasPrefix(bytes.TrimSpace(res.Body), []byte("openapi:")) {
		t.Fatalf("openapi.yaml: %d %.80s", res.Status, res.Body)
	}
}

func TestMigrateCommandDownToZeroAndUp(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.CreateEmptyDatabase(t)
	env := map[string]string{"DATABASE_URL": dbURL}
	var out, errOut bytes.Buffer
	ctx := context.Background()
	step := func(args ...string) string {
		t.Helper()
		out.Reset()
		errOut.Reset()
		if code := run(ctx, append([]string{"migrate"}, args...), env, &out, &errOut); code != 0 {
			t.Fatalf("agora migrate %v: exit %d: %s", args, code, errOut.String())
		}
		return out.String()
	}
	step("up")
	if v := strings.TrimSpace(step("version")); v == "0" {
		t.Fatal("version 0 after up")
	}
	for strings.TrimSpace(step("version")) != "0" {
		step("down")
	}
	if s := step("status"); strings.Contains(s, "applied ") {
		t.Fatalf("status after rolling everything back:\n%s", s)
	}
	step("up")
	if s := step("status"); strings.Contains(s, "pending") {
		t.Fatalf("status after up again:\n%s", s)
	}
}

func TestCommandLineErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		args []string
		env  map[string]string
		code int
		want string
	}{
		{nil, nil, 2, "usage"},
		{[]string{"frobnicate"}, nil, 2, "unknown command"},
		{[]string{"migrate"}, nil, 2, "migrate up|down|status|version"},
		{[]string{"migrate", "sideways"}, map[string]string{"DATABASE_URL": "postgres://x@127.0.0.1:1/x"}, 2, "sideways"},
		{[]string{"migrate", "up"}, nil, 1, "DATABASE_URL"},
		{[]string{"serve"}, map[string]string{"HTTP_ADDR": "nope"}, 1, "HTTP_ADDR"},
		{[]string{"serve"}, nil, 1, "DATABASE_URL"},
	}
	for _, c := range cases {
		var out, errOut bytes.Buffer
		code := run(ctx, c.args, c.env, &out, &errOut)
		if code != c.code || !strings.Contains(errOut.String(), c.want) {
			t.Errorf("agora %v: exit %d, stderr %q; want exit %d mentioning %q", c.args, code, errOut.String(), c.code, c.want)
		}
	}
}

func assertProblem(t *testing.T, res *apitest.Response, status int) map[string]any {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status %d, want %d: %s", res.Status, status, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json", ct)
	}
	p := res.Map(t)
	for _, k := range []string{"type", "title", "status", "detail", "request_id"} {
		if _, ok := p[k]; !ok {
			t.Fatalf("problem without %q: %s", k, res.Body)
		}
	}
	if p["request_id"] != res.Header.Get("X-Request-ID") {
		t.Fatalf("problem request_id %v != header %q", p["request_id"], res.Header.Get("X-Request-ID"))
	}
	return p
}

// A wrong method on an API route is 405 with Allow, not 404.
func TestWrongMethodUnderAPIIs405(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	res := env.API.Do(apitest.Request{Method: "PUT", Path: "/api/v1/users/me", NoCheck: true})
	assertProblem(t, res, 405)
	if allow := res.Header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "PATCH") {
		t.Fatalf("Allow = %q", allow)
	}
	if res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("API answer without Cache-Control: no-store: %v", res.Header)
	}
}

// The purge loop runs on its ticker, logs what it did, and stops with ctx.
func TestPurgeLoopRunsAndStops(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { env.app.purgeLoop(ctx, 10*time.Millisecond); close(done) }()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(env.Logs(), `"msg":"purged expired sessions and tokens"`) {
		if time.Now().After(deadline) {
			t.Fatalf("the purge never ran:\n%s", env.Logs())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the purge loop did not stop with its context")
	}
}
