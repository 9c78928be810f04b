package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"agora/adapters/postgres"
	"agora/domain/errs"
)

// A transaction whose commit fails must report the failure: a caller that
// saw nil would acknowledge a write that never landed. A deferred unique
// constraint makes the commit itself fail after fn succeeded.
func TestWithinTxReportsAFailingCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := probePool(t, `CREATE TABLE tx_probe (x int UNIQUE DEFERRABLE INITIALLY DEFERRED)`)
	fnRan := false
	err := postgres.WithinTx(ctx, pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		fnRan = true
		_, err := tx.Exec(ctx, `INSERT INTO tx_probe VALUES (1), (1)`)
		return err // nil: the violation is only checked at COMMIT
	})
	if !fnRan {
		t.Fatal("fn did not run")
	}
	if err == nil {
		t.Fatal("a failed commit was reported as success")
	}
	if !errors.Is(err, errs.ErrConflict) {
		t.Fatalf("commit failure translated to %v, want a conflict", err)
	}
	if n := probeRows(t, pool); n != 0 {
		t.Fatalf("rows after the failed commit: %d", n)
	}
}

// An error from fn rolls everything back and comes out translated.
func TestWithinTxRollsBackOnError(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := probePool(t, `CREATE TABLE tx_probe (x int PRIMARY KEY)`)
	err := postgres.WithinTx(ctx, pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO tx_probe VALUES (1)`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO tx_probe VALUES (1)`)
		return err
	})
	if !errors.Is(err, errs.ErrConflict) {
		t.Fatalf("err = %v, want a conflict", err)
	}
	if n := probeRows(t, pool); n != 0 {
		t.Fatalf("rows after rollback: %d", n)
	}
}

// probePool is a pool on a fresh database holding the table tx_probe, made
// by ddl.
func probePool(t *testing.T, ddl string) *pgxpool.Pool {
	t.Helper()
	pool := openPool(t)
	if _, err := pool.Exec(context.Background(), ddl); err != nil {
		t.Fatal(err)
	}
	return pool
}

// probeRows counts the rows of tx_probe.
func probeRows(t *testing.T, pool *pgxpool.Pool) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM tx_probe`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
