package seeder_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"agora/adapters/postgres"
	"agora/adapters/postgres/pgtest"
	"agora/adapters/postgres/seeder"
)

func seedDB(t *testing.T, spec seeder.Spec) (*pgxpool.Pool, seeder.Result) {
	t.Helper()
	ctx := context.Background()
	pool, err := postgres.Open(ctx, pgtest.NewDatabase(t), postgres.PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	res, err := seeder.Load(ctx, pool, spec)
	if err != nil {
		t.Fatalf("Seed: %v", err)
	}
	return pool, res
}

func scalar[T any](t *testing.T, pool *pgxpool.Pool, q string) T {
	t.Helper()
	var v T
	if err := pool.QueryRow(context.Background(), q).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

// The data set has the promised shape: named users sharing one hash, P posts
// each, connections stored both ways, never to oneself, never twice.
func TestSeedShape(t *testing.T) {
	t.Parallel()
	spec := seeder.Spec{Users: 41, PostsPerUser: 7, ConnectionsPerUser: 6, PasswordHash: "$argon2id$test", Seed: 3}
	pool, res := seedDB(t, spec)
	if res.Users != 41 || res.Posts != 41*7 {
		t.Fatalf("result %+v", res)
	}
	checks := []struct {
		q    string
		want int64
	}{
		{"SELECT count(*) FROM users", 41},
		{"SELECT count(*) FROM users WHERE username = 'user' || substr(email, 5, strpos(email, '@') - 5) AND email LIKE 'user%@example.com'", 41},
		{"SELECT count(*) FROM users WHERE username IN ('user1', 'user41')", 2},
		{"SELECT count(DISTINCT password_hash) FROM users", 1},
		{"SELECT count(*) FROM users WHERE password_hash <> '$argon2id$test' OR email_verified_at IS NULL", 0},
		{"SELECT count(*) FROM posts", 41 * 7},
		{"SELECT count(*) FROM (SELECT author_id FROM posts GROUP BY author_id HAVING count(*) = 7) a", 41},
		{"SELECT count(DISTINCT visibility) FROM posts", 2},
		{"SELECT count(*) FROM posts WHERE created_at > '2025-01-01' OR created_at < '2023-01-01' OR id::text NOT LIKE '________-____-7%'", 0},
		{"SELECT count(*) FROM posts p JOIN users u ON u.id = p.author_id WHERE p.created_at < u.created_at", 0},
		{"SELECT count(*) FROM connections", res.Connections},
		{"SELECT count(*) FROM connections c WHERE NOT EXISTS (SELECT 1 FROM connections r WHERE r.user_id = c.other_id AND r.other_id = c.user_id AND r.created_at = c.created_at)", 0},
		{"SELECT count(*) FROM connections WHERE user_id = other_id", 0},
	}
	for _, c := range checks {
		if got := scalar[int64](t, pool, c.q); got != c.want {
			t.Errorf("%s = %d, want %d", c.q, got, c.want)
		}
	}
	// About C each: 3 offsets drawn per user, so 6 on average, at least 3.
	if n := res.Connections; n != 41*6 {
		t.Errorf("connection rows = %d, want %d", n, 41*6)
	}
	if lo := scalar[int64](t, pool, "SELECT min(n) FROM (SELECT count(*) n FROM connections GROUP BY user_id) d"); lo < 3 {
		t.Errorf("someone has only %d connections", lo)
	}
	// A second load into the same database is refused, not doubled.
	if _, err := seeder.Load(context.Background(), pool, spec); !errors.Is(err, seeder.ErrNotEmpty) {
		t.Fatalf("second Seed = %v, want ErrNotEmpty", err)
	}
}

// The same seed gives the same rows; another seed gives others.
func TestSeedIsDeterministic(t *testing.T) {
	t.Parallel()
	spec := seeder.Spec{Users: 30, PostsPerUser: 5, ConnectionsPerUser: 5, PasswordHash: "h", Seed: 7}
	const digest = `SELECT md5(string_agg(x, ',' ORDER BY x)) FROM (
		SELECT id::text || author_id::text || body || visibility || created_at::text AS x FROM posts
		UNION ALL SELECT user_id::text || other_id::text || created_at::text FROM connections
		UNION ALL SELECT id::text || username || headline || created_at::text FROM users) r`
	a, _ := seedDB(t, spec)
	b, _ := seedDB(t, spec)
	spec.Seed = 8
	c, _ := seedDB(t, spec)
	da, db, dc := scalar[string](t, a, digest), scalar[string](t, b, digest), scalar[string](t, c, digest)
	if da != db {
		t.Errorf("seed 7 twice gave different data: %s vs %s", da, db)
	}
	if da == dc {
		t.Errorf("seeds 7 and 8 gave the same data")
	}
}

// Edge cases: one user (no one to connect with), no posts, everyone
// connected with everyone.
func TestSeedEdges(t *testing.T) {
	t.Parallel()
	_, res := seedDB(t, seeder.Spec{Users: 1, PostsPerUser: 0, ConnectionsPerUser: 0, PasswordHash: "h"})
	if res != (seeder.Result{Users: 1}) {
		t.Errorf("one user: %+v", res)
	}
	pool, res := seedDB(t, seeder.Spec{Users: 9, PostsPerUser: 1, ConnectionsPerUser: 8, PasswordHash: "h"})
	if res.Connections != 9*8 {
		t.Errorf("complete graph of 9: %d rows, want 72", res.Connections)
	}
	if n := scalar[int64](t, pool, "SELECT count(DISTINCT (user_id, other_id)) FROM connections"); n != 72 {
		t.Errorf("distinct pairs = %d", n)
	}
}
