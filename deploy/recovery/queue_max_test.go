package recovery_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"agora/internal/systest"
)

// archive-push-queue-max (deploy/postgres/pgbackrest.conf): with every
// repository unreachable, pg_wal stops growing at the limit; pgBackRest
// tells PostgreSQL the oldest segments are archived and drops them (a gap in
// point-in-time recovery, said in the server log), and the database keeps
// taking writes. The limit here is 64 MiB (four segments) instead of
// production's, through the same option as an environment variable.
func TestArchivePushQueueMaxBoundsPgWal(t *testing.T) {
	t.Parallel()
	promtool := systest.Tool(t, "promtool")
	conf, err := os.ReadFile(filepath.Join(deployDir(t), "postgres", "pgbackrest.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(conf), "\narchive-push-queue-max=") {
		t.Fatalf("pgbackrest.conf sets no archive-push-queue-max")
	}
	r := newRig(t, "PGBACKREST_ARCHIVE_PUSH_QUEUE_MAX=64MiB")
	r.brokenArchive()
	var samples []archiverSample
	for range 14 {
		samples = append(samples, r.archiveStep())
	}
	first, last := samples[0], samples[len(samples)-1]
	if last.failed == first.failed || last.archived == first.archived {
		t.Errorf("archiver counters went %+v -> %+v, want failures rising and dropped segments counted as archived", first, last)
	}
	// 64 MiB: four 16 MiB segments wait, however many more were written.
	ready, _ := filepath.Glob(filepath.Join(r.data(), "pg_wal", "archive_status", "*.ready"))
	if len(ready) > 5 {
		t.Errorf("%d segments wait for archiving: the queue limit did not hold", len(ready))
	}
	logb, _ := os.ReadFile(filepath.Join(r.dir, "server.log"))
	if !strings.Contains(string(logb), "because archive queue exceeded 64MB") {
		t.Errorf("no dropped segment in the server log:\n%s", tail(logb, 20))
	}
	if got := r.query("postgres", `SELECT count(*) FROM probe`); got != "14" {
		t.Errorf("rows written while archiving failed: %s, want 14", got)
	}
	// Dropped segments count as archived, so "nothing archived" is no longer
	// true; the alert must still fire on the failures that go on.
	promtoolArchivingFailing(t, promtool, samples, "13m", "")
	t.Logf("archiver counters (archived/failed), one a step: %v; %d segments waiting", samples, len(ready))
}
