package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"agora/adapters/postgres"
	"agora/adapters/postgres/pgtest"
	"agora/ports"
)

// captureTracer remembers the SQL and arguments of the statements the store
// runs, so the test explains exactly what production executes.
type captureTracer struct {
	mu   sync.Mutex
	sql  []string
	args [][]any
}

func (c *captureTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sql = append(c.sql, d.SQL)
	c.args = append(c.args, d.Args)
	return ctx
}

func (c *captureTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (c *captureTracer) find(t *testing.T, name string) (string, []any) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := len(c.sql) - 1; i >= 0; i-- {
		if strings.Contains(c.sql[i], "-- name: "+name+" ") {
			return c.sql[i], c.args[i]
		}
	}
	t.Fatalf("the store ran no %s query", name)
	return "", nil
}

// The seed: 10,000 users, 100 posts each (1,000,000 posts), 20 connections
// each (user i with i±1..10, stored in both directions), all in SQL. Ids are
// built in ascending order (like UUIDv7) so that the indexes fill by
// appending, which keeps the seed to seconds.
const feedPlanSeed = `
SET synchronous_commit = off;
-- Foreign-key triggers off for the bulk load (the rows are consistent by construction).
SET session_replication_role = replica;
CREATE FUNCTION pg_temp.uid(n int) RETURNS uuid LANGUAGE sql IMMUTABLE
    AS $$ SELECT (lpad(to_hex(n), 8, '0') || '-0000-7000-8000-000000000000')::uuid $$;
INSERT INTO users (id, username, email, password_hash, display_name)
SELECT pg_temp.uid(n), 'user' || n, 'user' || n || '@example.com', 'x', 'User ' || n
FROM generate_series(1, 10000) AS n;
INSERT INTO connections (user_id, other_id, created_at)
SELECT pg_temp.uid(n), pg_temp.uid(m), now() - make_interval(secs => least(n, m) * 10 + abs(n - m))
FROM generate_series(1, 10000) AS n, generate_series(-10, 10) AS k,
     LATERAL (SELECT (n + k + 9999) % 10000 + 1 AS m) AS o
WHERE k <> 0
ORDER BY 1, 2;
INSERT INTO posts (id, author_id, body, visibility, created_at, updated_at)
SELECT (lpad(to_hex(n), 8, '0') || '-0000-7000-8000-' || lpad(to_hex(j), 12, '0'))::uuid, pg_temp.uid(n),
       'post ' || j || ' of user ' || n,
       CASE WHEN j % 4 = 0 THEN 'connections' ELSE 'public' END,
       now() - make_interval(secs => ((n * 7919 + j * 104729) % 31536000)),
       now() - make_interval(secs => ((n * 7919 + j * 104729) % 31536000))
FROM generate_series(1, 10000) AS n, generate_series(1, 100) AS j;
ANALYZE users;
ANALYZE posts;
ANALYZE connections;
RESET session_replication_role;
`

// The feed is one statement whose plan never scans the posts table
// sequentially, on a database the size of a busy small network.
func TestFeedQueryPlanUsesTheIndex(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("seeds a million posts; skipped with -short")
	}
	ctx := context.Background()
	tracer := &captureTracer{}
	pool, err := postgres.Open(ctx, pgtest.NewDatabase(t), postgres.PoolOptions{Tracer: tracer, StatementTimeout: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	start := time.Now()
	if _, err := pool.Exec(ctx, feedPlanSeed); err != nil {
		t.Fatalf("seed: %v", err)
	}
	t.Logf("seeded 10,000 users, 1,000,000 posts, 200,000 connection rows in %s", time.Since(start).Round(time.Millisecond))

	store := postgres.NewSocialStore(pool)
	viewer := uuid.MustParse(fmt.Sprintf("%08x-0000-7000-8000-000000000000", 5000))
	var conns int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM connections WHERE user_id = $1`, viewer).Scan(&conns); err != nil || conns != 20 {
		t.Fatalf("the viewer has %d connections (%v), want 20", conns, err)
	}
	first, err := store.Feed(ctx, viewer, ports.PageRequest{Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Items) != 20 || first.Next == nil {
		t.Fatalf("first page: %d items, next %v", len(first.Items), first.Next)
	}
	second, err := store.Feed(ctx, viewer, ports.PageRequest{Limit: 20, After: first.Next})
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Items) != 20 || !second.Items[0].CreatedAt.Before(first.Items[19].CreatedAt) && second.Items[0].CreatedAt != first.Items[19].CreatedAt {
		t.Fatalf("second page does not follow the first")
	}
	sql, args := tracer.find(t, "Feed")

	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	for _, mode := range []string{"auto", "force_generic_plan"} {
		if _, err := conn.Exec(ctx, "SET plan_cache_mode = "+mode); err != nil {
			t.Fatal(err)
		}
		var raw []byte
		if err := conn.QueryRow(ctx, "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) "+sql, args...).Scan(&raw); err != nil {
			t.Fatalf("explain: %v", err)
		}
		var plans []struct {
			Plan          map[string]any `json:"Plan"`
			ExecutionTime float64        `json:"Execution Time"`
			PlanningTime  float64        `json:"Planning Time"`
		}
		if err := json.Unmarshal(raw, &plans); err != nil || len(plans) != 1 {
			t.Fatalf("plan: %v %s", err, raw)
		}
		var nodes []string
		walkPlan(plans[0].Plan, func(n map[string]any) {
			rel, _ := n["Relation Name"].(string)
			typ, _ := n["Node Type"].(string)
			nodes = append(nodes, strings.TrimSpace(typ+" "+rel))
			if typ == "Seq Scan" && rel == "posts" {
				t.Errorf("plan_cache_mode=%s: the feed scans posts sequentially:\n%s", mode, raw)
			}
		})
		t.Logf("plan_cache_mode=%s: total cost %.1f, %.0f rows, planning %.2f ms, execution %.2f ms, shared buffers hit+read %v; nodes: %s",
			mode, plans[0].Plan["Total Cost"], plans[0].Plan["Actual Rows"], plans[0].PlanningTime, plans[0].ExecutionTime,
			fmt.Sprint(num(plans[0].Plan["Shared Hit Blocks"])+num(plans[0].Plan["Shared Read Blocks"])), strings.Join(nodes, " > "))
	}
}

func walkPlan(n map[string]any, visit func(map[string]any)) {
	visit(n)
	children, _ := n["Plans"].([]any)
	for _, c := range children {
		if m, ok := c.(map[string]any); ok {
			walkPlan(m, visit)
		}
	}
}

func num(v any) float64 {
	f, _ := v.(float64)
	return f
}
