package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"agora/adapters/postgres/internal/db"
)

// withinTx runs fn in a transaction: committed when fn returns nil, rolled
// back otherwise (and on panic, through the deferred Rollback). A failing
// commit is reported, never swallowed: the caller must not acknowledge a
// write that did not land. Every error it returns is translated.
func withinTx(ctx context.Context, pool *pgxpool.Pool, opts pgx.TxOptions, fn func(pgx.Tx) error) (err error) {
	tx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return translate(fmt.Errorf("begin: %w", err))
	}
	defer func() {
		// Rollback after a successful Commit is a no-op returning ErrTxClosed.
		_ = tx.Rollback(context.WithoutCancel(ctx))
	}()
	if err := fn(tx); err != nil {
		return translate(err)
	}
	if err := tx.Commit(ctx); err != nil {
		return translate(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// inTx runs fn with q bound to a transaction on pool (default options), as
// withinTx does.
func inTx(ctx context.Context, pool *pgxpool.Pool, q *db.Queries, fn func(q *db.Queries) error) error {
	return withinTx(ctx, pool, pgx.TxOptions{}, func(tx pgx.Tx) error { return fn(q.WithTx(tx)) })
}
