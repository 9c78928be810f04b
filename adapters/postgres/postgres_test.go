package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"agora/adapters/postgres"
	"agora/adapters/postgres/pgtest"
	"agora/domain/errs"
)

// The server-side statement timeout stops a runaway query and the error
// becomes ErrUnavailable (503), not a hang or a 500.
func TestStatementTimeoutReachesTheServer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, err := postgres.Open(ctx, pgtest.NewDatabase(t), postgres.PoolOptions{StatementTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var timeout string
	if err := pool.QueryRow(ctx, "SHOW statement_timeout").Scan(&timeout); err != nil {
		t.Fatal(err)
	}
	if timeout != "100ms" {
		t.Fatalf("statement_timeout = %q", timeout)
	}
	start := time.Now()
	_, err = pool.Exec(ctx, "SELECT pg_sleep(5)")
	if err == nil {
		t.Fatal("pg_sleep(5) finished despite a 100ms statement timeout")
	}
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Fatalf("statement ran for %s", elapsed)
	}
	if !errors.Is(postgres.Translate(err), errs.ErrUnavailable) {
		t.Fatalf("timeout translated to %v, want ErrUnavailable", postgres.Translate(err))
	}
}

func TestPoolConfigDefaultsAndURLOverrides(t *testing.T) {
	t.Parallel()
	cfg, err := postgres.ParsePoolConfig("postgres://u@h/db", postgres.PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MaxConns < 4 || cfg.MaxConns > 64 || cfg.ConnConfig.ConnectTimeout == 0 ||
		cfg.ConnConfig.RuntimeParams["statement_timeout"] != "5000" || cfg.ConnConfig.RuntimeParams["timezone"] != "UTC" {
		t.Fatalf("defaults: max=%d connect=%s params=%v", cfg.MaxConns, cfg.ConnConfig.ConnectTimeout, cfg.ConnConfig.RuntimeParams)
	}
	cfg, err = postgres.ParsePoolConfig("postgres://u@h/db?pool_max_conns=3&statement_timeout=250", postgres.PoolOptions{StatementTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MaxConns != 3 || cfg.ConnConfig.RuntimeParams["statement_timeout"] != "250" {
		t.Fatalf("URL settings must win: max=%d params=%v", cfg.MaxConns, cfg.ConnConfig.RuntimeParams)
	}
	if _, err := postgres.ParsePoolConfig("postgres://%zz", postgres.PoolOptions{}); err == nil {
		t.Fatal("bad URL accepted")
	}
}
