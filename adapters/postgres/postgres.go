// Package postgres implements the ports' stores over PostgreSQL with pgx and
// sqlc. Generated code lives in internal/db and never leaves this package:
// rows are mapped by hand to domain values, times in UTC, and driver errors
// are translated into the domain's error kinds (see errors.go).
package postgres

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// PoolOptions tunes the pool beyond what DATABASE_URL says. Values set in the
// URL itself (pool_max_conns, statement_timeout, ...) always win.
type PoolOptions struct {
	// StatementTimeout bounds every statement on the server side so that a
	// stuck query cannot hold a connection past the request deadline.
	StatementTimeout time.Duration
	// Tracer, when set, observes every query (tracing, metrics).
	Tracer pgx.QueryTracer
	// ApplicationName shows in pg_stat_activity (default "agora").
	ApplicationName string
}

// defaultStatementTimeout is used when neither the URL nor the options set one.
const defaultStatementTimeout = 5 * time.Second

// parsePoolConfig builds a pool configuration sized for a small host: the
// database shares the machine's cores, so more connections than a few per core
// only add contention. It fails on an unparsable URL without connecting.
func parsePoolConfig(databaseURL string, opts PoolOptions) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	if !hasParam(databaseURL, "pool_max_conns") {
		cfg.MaxConns = int32(min(64, max(4, 4*runtime.GOMAXPROCS(0)))) //nolint:gosec // clamped to 4..64
	}
	if !hasParam(databaseURL, "pool_min_conns") {
		cfg.MinConns = 0
	}
	if !hasParam(databaseURL, "pool_max_conn_idle_time") {
		cfg.MaxConnIdleTime = 5 * time.Minute
	}
	if !hasParam(databaseURL, "pool_health_check_period") {
		cfg.HealthCheckPeriod = 15 * time.Second
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 2 * time.Second
	}
	rp := cfg.ConnConfig.RuntimeParams
	if _, ok := rp["statement_timeout"]; !ok {
		timeout := opts.StatementTimeout
		if timeout <= 0 {
			timeout = defaultStatementTimeout
		}
		rp["statement_timeout"] = fmt.Sprint(timeout.Milliseconds())
	}
	if _, ok := rp["idle_in_transaction_session_timeout"]; !ok {
		rp["idle_in_transaction_session_timeout"] = "30000"
	}
	if _, ok := rp["application_name"]; !ok {
		rp["application_name"] = "agora"
		if opts.ApplicationName != "" {
			rp["application_name"] = opts.ApplicationName
		}
	}
	rp["timezone"] = "UTC"
	if opts.Tracer != nil {
		cfg.ConnConfig.Tracer = opts.Tracer
	}
	cfg.AfterConnect = registerUUID
	return cfg, nil
}

// Open creates the pool. It does not wait for the database: the service
// starts (and /healthz answers) while PostgreSQL is still coming up, and
// /readyz tells when it is usable.
func Open(ctx context.Context, databaseURL string, opts PoolOptions) (*pgxpool.Pool, error) {
	cfg, err := parsePoolConfig(databaseURL, opts)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("create pool: %w", err)
	}
	return pool, nil
}

// hasParam reports whether the URL or DSN sets a parameter itself. pgxpool
// consumes its own pool_* settings, so the raw string is what tells.
func hasParam(databaseURL, name string) bool {
	for _, sep := range []string{"?", "&", " "} {
		if strings.Contains(databaseURL, sep+name+"=") || strings.HasPrefix(databaseURL, name+"=") {
			return true
		}
	}
	return false
}
