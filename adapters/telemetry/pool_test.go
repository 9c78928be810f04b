package telemetry_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"agora/adapters/postgres/pgtest"
	"agora/adapters/telemetry"
)

// The pool collector reads pgxpool's statistics when Prometheus scrapes:
// every scrape shows the pool as it is at that moment, under the prefix it
// was registered with, one unlabelled series per statistic.
func TestPoolStatisticsAreReadAtScrapeTime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(pgtest.CreateEmptyDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns, cfg.MinConns = 1, 0
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	m := telemetry.NewMetrics(telemetry.BuildInfo{Version: "test"})
	m.RegisterPool(pool)
	m.RegisterPoolAs(pool, "agora_db_read_pool") // a second prefix: its own series

	want := func(what string, values map[string]float64) {
		t.Helper()
		got := poolSeries(t, m)
		for _, prefix := range []string{"db_pool", "agora_db_read_pool"} {
			for name, v := range values {
				if g, ok := got[prefix+name]; !ok || g != v {
					t.Errorf("%s: %s%s = %v (present %v), want %v", what, prefix, name, g, ok, v)
				}
			}
		}
	}
	want("new pool", map[string]float64{
		"_max_conns": 1, "_acquired_conns": 0, "_total_conns": 0, "_acquire_count_total": 0,
		"_canceled_acquire_count_total": 0, "_empty_acquire_count_total": 0,
	})

	held, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want("one connection held", map[string]float64{
		"_acquired_conns": 1, "_idle_conns": 0, "_total_conns": 1, "_acquire_count_total": 1,
	})

	// The only connection is held: a second acquire waits until its
	// deadline and is counted as empty and canceled.
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := pool.Acquire(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("acquire from a full pool: %v, want the deadline", err)
	}
	want("after a canceled acquire", map[string]float64{
		"_acquired_conns": 1, "_canceled_acquire_count_total": 1, "_empty_acquire_count_total": 1,
	})

	held.Release()
	want("released", map[string]float64{
		"_acquired_conns": 0, "_idle_conns": 1, "_total_conns": 1, "_acquire_count_total": 1,
	})
	if got := poolSeries(t, m)["db_pool_acquire_duration_seconds_total"]; got <= 0 {
		t.Errorf("acquire duration total %v after an acquire that dialled", got)
	}
}

// poolSeries scrapes the db_pool_* and agora_db_read_pool_* series by name,
// checking each has one series, no labels, and the right type.
func poolSeries(t *testing.T, m *telemetry.Metrics) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for _, s := range scrape(t, m) {
		if !strings.HasPrefix(s.name, "db_pool_") && !strings.HasPrefix(s.name, "agora_db_read_pool_") {
			continue
		}
		want := "GAUGE"
		if strings.HasSuffix(s.name, "_total") {
			want = "COUNTER"
		}
		if _, twice := out[s.name]; twice || len(s.labels) != 0 || s.typ != want {
			t.Fatalf("%s: a %s with labels %v (seen before: %v), want one unlabelled %s", s.name, s.typ, s.labels, twice, want)
		}
		out[s.name] = s.value
	}
	if len(out) != 16 {
		t.Fatalf("%d pool series, want 8 statistics under each of 2 prefixes: %v", len(out), out)
	}
	return out
}
