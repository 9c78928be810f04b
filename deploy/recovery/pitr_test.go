package recovery_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Point-in-time recovery: a full backup, a differential, rows before and
// after a noted moment; the cluster is destroyed and restored to that
// moment: exactly the rows committed before it come back, and none after.
func TestPointInTimeRestore(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.initdb("")
	r.start()
	r.pgbackrest("stanza-create")
	r.query("postgres", `CREATE TABLE probe (id int PRIMARY KEY, batch text NOT NULL, body text NOT NULL)`)
	insert := func(from, to int, batch string) {
		r.query("postgres", fmt.Sprintf(`INSERT INTO probe SELECT g, '%s', md5(g::text) FROM generate_series(%d, %d) g`, batch, from, to))
	}
	insert(1, 100, "before full")
	r.pgbackrest("backup", "--type=full")
	insert(101, 150, "after full")
	r.pgbackrest("backup", "--type=diff")
	insert(151, 200, "after diff")
	want := r.digest("postgres", "probe")
	// The target is the server's clock after the last wanted commit; the
	// next commit is a little later.
	target := r.query("postgres", `SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'`)
	time.Sleep(200 * time.Millisecond)
	insert(201, 300, "after target")
	r.query("postgres", `DELETE FROM probe WHERE id <= 10`)
	// check switches to a new WAL segment and waits until it is archived.
	r.pgbackrest("check")

	r.destroy()
	r.pgbackrest("restore", "--type=time", "--target="+target, "--target-action=promote")
	r.start()
	if got := r.digest("postgres", "probe"); got != want {
		t.Errorf("restored to %s: rows %q, want %q (exactly the 200 rows before it)", target, got, want)
	}
	if got := r.query("postgres", `SELECT min(id) || '-' || max(id) FROM probe`); got != "1-200" {
		t.Errorf("restored ids %s, want 1-200", got)
	}
	// The restored server archives again, on a new timeline.
	r.query("postgres", `INSERT INTO probe VALUES (1000, 'after restore', 'x')`)
	r.pgbackrest("check")
	if tl := r.query("postgres", `SELECT timeline_id FROM pg_control_checkpoint()`); tl == "1" {
		t.Errorf("the restored cluster is still on timeline 1")
	}
}

// RPO: rows are written all the time; PostgreSQL is killed with SIGKILL and
// its data folder deleted just before the next forced WAL switch (the worst
// moment: the most unarchived commits); a restore to the latest point brings
// back every row up to one committed at most 60 s before the kill.
func TestRecoveryPointObjective(t *testing.T) {
	t.Parallel()
	timeout, err := time.ParseDuration(postgresCommand(t)["archive_timeout"])
	if err != nil {
		t.Fatalf("compose.yaml's archive_timeout: %v", err)
	}
	r := newRig(t)
	r.initdb("")
	r.start()
	r.pgbackrest("stanza-create")
	r.pgbackrest("backup", "--type=full")
	// A WAL switch now (after something was written, or it is a no-op): the
	// next forced one comes archive_timeout later, and the moment with the
	// most unarchived commits is just before it.
	r.query("postgres", `CREATE TABLE writes (id int PRIMARY KEY, body text NOT NULL)`)
	r.query("postgres", `SELECT pg_switch_wal()`)
	lastSwitch := time.Now()
	// "Row 0" is the table itself: when no write made it into the archive,
	// the newest commit restored is the one before the switch.
	acked := map[int]time.Time{0: lastSwitch}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	conn, err := pgx.Connect(ctx, r.url("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for id := 1; ctx.Err() == nil; id++ {
			if _, err := conn.Exec(ctx, `INSERT INTO writes VALUES ($1, repeat('x', 200))`, id); err != nil {
				return // the server is gone
			}
			mu.Lock()
			acked[id] = time.Now()
			mu.Unlock()
			time.Sleep(50 * time.Millisecond)
		}
	}()
	time.Sleep(time.Until(lastSwitch.Add(timeout - time.Second)))
	killed := r.destroy()
	cancel()
	wg.Wait()

	r.pgbackrest("restore")
	r.start()
	got := r.query("postgres", `SELECT count(*) || ' ' || coalesce(max(id), 0) FROM writes`)
	count, maxID, _ := strings.Cut(got, " ")
	n, _ := strconv.Atoi(maxID)
	if count != maxID {
		t.Fatalf("restored %s rows but ids up to %s: commits are missing in the middle", count, maxID)
	}
	mu.Lock()
	defer mu.Unlock()
	newest, ok := acked[n]
	if !ok {
		t.Fatalf("restored rows up to id %d, which was never acknowledged (acknowledged: %d)", n, len(acked)-1)
	}
	gap := killed.Sub(newest)
	t.Logf("RPO: %d of %d acknowledged writes restored; the newest restored commit is %.1f s older than the kill (archive_timeout %s)",
		n, len(acked)-1, gap.Seconds(), timeout)
	if gap > 60*time.Second {
		t.Errorf("RPO %.1f s exceeds 60 s", gap.Seconds())
	}
}
