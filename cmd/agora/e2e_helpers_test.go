package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"sync"
	"testing"

	"agora/adapters/http/apidoc"
	"agora/adapters/http/apitest"
	"agora/adapters/postgres/pgtest"
	"agora/adapters/telemetry"
)

// testEnv is a real Agora (the same wiring as `agora serve`) on a loopback
// port, over its own fresh database.
type testEnv struct {
	URL         string
	DatabaseURL string
	API         *apitest.Client
	app         *app
	logs        *syncBuffer
	MailDir     string
}

// startServer wires the whole service with the given environment on top of
// test defaults (rate limits off, mail to a temp folder).
func startServer(t *testing.T, env map[string]string) *testEnv {
	t.Helper()
	return startServerWith(t, serverOptions{Env: env})
}

// serverOptions are the less common knobs of a test server.
type serverOptions struct {
	Env         map[string]string
	DatabaseURL string             // default: a fresh database from pgtest
	Tracing     *telemetry.Tracing // default: tracing off
}

func startServerWith(t *testing.T, o serverOptions) *testEnv {
	t.Helper()
	env := o.Env
	dbURL := o.DatabaseURL
	if dbURL == "" {
		dbURL = pgtest.NewDatabase(t)
	}
	mailDir := t.TempDir()
	full := map[string]string{
		"DATABASE_URL":       dbURL,
		"RATE_LIMIT_ENABLED": "false",
		"MAIL_DIR":           mailDir,
		"LOG_LEVEL":          "debug",
		// Hashing at the lowest priority (production's) would make every
		// registration and login wait for the other test packages running
		// beside this one; adapters/password tests the niceness itself.
		"PASSWORD_HASH_NICE": "0",
	}
	for k, v := range env {
		full[k] = v
	}
	cfg, err := loadConfig(full)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	logs := &syncBuffer{}
	log, err := telemetry.NewLogger(cfg.LogLevel, logs)
	if err != nil {
		t.Fatal(err)
	}
	tracing := o.Tracing
	if tracing == nil {
		tracing, _ = telemetry.NewTracing(context.Background(), nil, buildInfo())
	}
	a, err := newApp(context.Background(), cfg, log, tracing)
	if err != nil {
		t.Fatalf("newApp: %v", err)
	}
	srv := httptest.NewServer(a.api)
	t.Cleanup(func() {
		srv.Close()
		a.close()
	})
	return &testEnv{
		URL:         srv.URL,
		DatabaseURL: dbURL,
		API:         apitest.New(t, srv.URL, apitest.LoadSpec(t, apidoc.Spec)),
		app:         a,
		logs:        logs,
		MailDir:     mailDir,
	}
}

// Logs returns everything the server logged so far.
func (e *testEnv) Logs() string { return e.logs.String() }

// syncBuffer is a bytes.Buffer safe for the server's concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
