// Package seeder loads a synthetic data set into an empty, migrated Agora
// database through COPY, for `agora seed` and the benchmarks (make bench).
// It is tooling, not part of the service: nothing the server runs imports it.
package seeder

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"
)

// Epoch is the default newest moment of a seeded data set: a fixed date,
// so that the same seed gives the same rows (ids embed their time) on every run.
var Epoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// Spec describes a synthetic data set: users user1..userN
// (userK@example.com, all sharing one password hash), PostsPerUser posts each,
// and about ConnectionsPerUser connections each, stored in both directions.
type Spec struct {
	Users              int
	PostsPerUser       int
	ConnectionsPerUser int
	// PasswordHash is the encoded hash every user gets (hashing once is the
	// point: a million argon2id hashes would take hours).
	PasswordHash string
	// Seed picks the data: the same seed gives the same rows.
	Seed uint64
	// Epoch is the newest moment; users join over the two years before it
	// and post between joining and Epoch. Zero means Epoch.
	Epoch time.Time
}

// Result counts the rows written.
type Result struct {
	Users       int64
	Posts       int64
	Connections int64 // rows: two per connected pair
}

// ErrNotEmpty is returned when the database already has users.
var ErrNotEmpty = errors.New("the database already has users: seed loads into an empty, migrated database")

// Load loads the data set through COPY, several streams at once (one per
// core for posts, one for connections). It refuses a database that already
// has users. The load is not one transaction: on failure, start again from a
// fresh database.
func Load(ctx context.Context, pool *pgxpool.Pool, spec Spec) (Result, error) {
	var res Result
	if spec.Users < 1 || spec.PostsPerUser < 0 || spec.ConnectionsPerUser < 0 || spec.PasswordHash == "" {
		return res, errors.New("seed: need at least one user, non-negative counts and a password hash")
	}
	if spec.Epoch.IsZero() {
		spec.Epoch = Epoch
	}
	var exists bool
	if err := pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM users)").Scan(&exists); err != nil {
		return res, fmt.Errorf("seed: %w", err)
	}
	if exists {
		return res, ErrNotEmpty
	}
	// Only a superuser may switch off triggers (and with them the per-row
	// foreign-key checks); others load with the checks on, more slowly.
	var skipFK bool
	if err := pool.QueryRow(ctx, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user").Scan(&skipFK); err != nil {
		return res, fmt.Errorf("seed: %w", err)
	}
	g := newGenerator(spec)

	n, err := copyIn(ctx, pool, false, "users", userColumns, g.users())
	res.Users = n
	if err != nil {
		return res, err
	}

	streams := max(1, runtime.GOMAXPROCS(0))
	postCounts := make([]int64, streams)
	eg, ectx := errgroup.WithContext(ctx)
	for s := range streams {
		lo, hi := s*spec.Users/streams, (s+1)*spec.Users/streams
		eg.Go(func() error {
			n, err := copyIn(ectx, pool, skipFK, "posts", postColumns, g.posts(lo, hi))
			postCounts[s] = n
			return err
		})
	}
	eg.Go(func() error {
		n, err := copyIn(ectx, pool, skipFK, "connections", connectionColumns, g.connections())
		res.Connections = n
		return err
	})
	err = eg.Wait()
	for _, n := range postCounts {
		res.Posts += n
	}
	if err != nil || !skipFK {
		return res, err
	}
	return res, checkReferences(ctx, pool)
}

// checkReferences proves what the skipped foreign-key triggers would have:
// every seeded reference names an existing user (one anti-join each).
func checkReferences(ctx context.Context, pool *pgxpool.Pool) error {
	for _, ref := range []struct{ table, column string }{
		{"posts", "author_id"}, {"connections", "user_id"}, {"connections", "other_id"},
	} {
		q := fmt.Sprintf("SELECT count(*) FROM %s t WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = t.%s)",
			ref.table, ref.column)
		var dangling int64
		if err := pool.QueryRow(ctx, q).Scan(&dangling); err != nil {
			return fmt.Errorf("seed: check %s.%s: %w", ref.table, ref.column, err)
		}
		if dangling > 0 {
			return fmt.Errorf("seed: %d rows of %s.%s name no user", dangling, ref.table, ref.column)
		}
	}
	return nil
}

var (
	userColumns = []string{"id", "username", "email", "email_verified_at", "password_hash",
		"display_name", "headline", "bio", "created_at", "updated_at"}
	postColumns       = []string{"id", "author_id", "body", "visibility", "created_at", "updated_at"}
	connectionColumns = []string{"user_id", "other_id", "created_at"}
)

// copyIn runs one COPY on its own connection. synchronous_commit is off for
// this session only: a crash may lose the last commit of a seed, never
// corrupt anything, and the load stops waiting on WAL flushes.
func copyIn(ctx context.Context, pool *pgxpool.Pool, skipFK bool, table string, cols []string, src pgx.CopyFromSource) (int64, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return 0, fmt.Errorf("seed %s: %w", table, err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SET synchronous_commit = off"); err != nil {
		return 0, fmt.Errorf("seed %s: %w", table, err)
	}
	if skipFK {
		// Per-row foreign-key triggers cost more than the rest of the COPY;
		// the generator makes every reference valid, and Load checks them
		// all afterwards with one anti-join per reference.
		if _, err := conn.Exec(ctx, "SET session_replication_role = replica"); err != nil {
			return 0, fmt.Errorf("seed %s: %w", table, err)
		}
		defer func() { _, _ = conn.Exec(context.WithoutCancel(ctx), "RESET session_replication_role") }()
	}
	n, err := conn.CopyFrom(ctx, pgx.Identifier{table}, cols, src)
	if err != nil {
		return n, fmt.Errorf("seed %s: %w", table, err)
	}
	return n, nil
}
