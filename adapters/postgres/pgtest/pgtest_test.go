package pgtest_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"agora/adapters/postgres/pgtest"
)

func TestNewDatabaseIsMigratedAndIsolated(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b := pgtest.NewDatabase(t), pgtest.NewDatabase(t)
	if a == b {
		t.Fatal("two tests got the same database")
	}
	connA, err := pgx.Connect(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	defer connA.Close(ctx)
	if _, err := connA.Exec(ctx, `INSERT INTO users (id, username, email, password_hash, display_name)
		VALUES (gen_random_uuid(), 'alice', 'alice@example.com', 'x', 'Alice')`); err != nil {
		t.Fatalf("schema missing in a fresh database: %v", err)
	}
	connB, err := pgx.Connect(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	defer connB.Close(ctx)
	var n int
	if err := connB.QueryRow(ctx, "SELECT count(*) FROM users").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("database b sees %d rows written to database a", n)
	}
}

func TestClusterStopAndStart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := pgtest.StartCluster(t)
	url := c.NewDatabase(t)
	c.Stop(t)
	if conn, err := pgx.Connect(ctx, url); err == nil {
		conn.Close(ctx)
		t.Fatal("connected to a stopped cluster")
	}
	c.Start(t)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("cluster did not come back: %v", err)
	}
	conn.Close(ctx)
}
