package recovery_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"agora/cmd/agora/agoratest"
	"agora/internal/systest"
)

// The weekly drill end to end: a migrated and seeded database is backed up
// and written to after; the drill restores the latest point into a scratch
// cluster, runs `agora migrate status` on it, and its row counts and
// checksums equal the live database's, table by table; the metrics say it
// passed. A drill that fails keeps the last good time and reports 0.
func TestRestoreDrill(t *testing.T) {
	t.Parallel()
	agora, err := agoratest.Build()
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t)
	r.initdb("")
	r.start()
	r.pgbackrest("stanza-create")
	r.query("postgres", `CREATE DATABASE agora`)
	runAgora := func(args ...string) {
		cmd := exec.Command(agora, args...)
		cmd.Env = append(os.Environ(), "DATABASE_URL="+r.url("agora"), "LOG_LEVEL=warn")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("agora %v: %v\n%s", args, err, out)
		}
	}
	runAgora("migrate", "up")
	runAgora("seed", "--users", "40", "--posts-per-user", "5", "--connections-per-user", "3", "--password", "seed-password-1")
	r.pgbackrest("backup", "--type=full")
	// Written after the backup: only the archived WAL brings these back.
	r.query("agora", `UPDATE users SET bio = 'changed after the backup' WHERE username IN (SELECT username FROM users ORDER BY username LIMIT 5)`)
	r.query("agora", `CREATE TABLE drill_probe AS SELECT g AS id, md5(g::text) AS body FROM generate_series(1, 1000) g`)
	r.pgbackrest("check")

	tables := strings.Fields(r.query("agora", `SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables
		WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`))
	var want []string
	for _, tbl := range tables {
		want = append(want, tbl+" "+r.digest("agora", tbl))
	}

	// The agora binary where the postgres user can run it.
	bin := filepath.Join(r.dir, "bin", "agora")
	if out, err := exec.Command("install", "-m", "0755", "-o", "postgres", agora, bin).CombinedOutput(); err != nil {
		t.Fatalf("install agora: %v: %s", err, out)
	}
	textfile := filepath.Join(r.dir, "textfile")
	report := filepath.Join(r.dir, "drill-report")
	drill := func(extra ...string) (string, error) {
		env := append([]string{
			"DRILL_DIR=" + filepath.Join(r.dir, "drill"),
			"DRILL_PORT=" + strconv.Itoa(systest.FreePort(t)),
			"DRILL_USER=postgres",
			"DRILL_DATABASE=agora",
			"DRILL_MIGRATE_CMD=" + bin + " migrate status",
			"DRILL_REPORT=" + report,
			"TEXTFILE_DIR=" + textfile,
		}, extra...)
		out, err := r.asPostgres(10*time.Minute, "env", append(env, filepath.Join(r.dir, "bin", "restore-drill.sh"))...)
		return string(out), err
	}

	start := time.Now().Unix()
	out, err := drill()
	if err != nil {
		t.Fatalf("drill failed: %v\n%s", err, out)
	}
	if !strings.Contains(out, "00001  applied") {
		t.Errorf("the drill's output has no `agora migrate status`:\n%s", out)
	}
	got, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := strings.TrimSpace(string(got)), strings.Join(want, "\n"); g != w {
		t.Errorf("drill probes:\n%s\nwant (the live database):\n%s", g, w)
	}
	m := systest.ReadTextfile(t, filepath.Join(textfile, "agora_restore.prom"))
	if m["agora_restore_last_status"] != 1 || m["agora_restore_verified_timestamp_seconds"] < float64(start) ||
		m["agora_restore_duration_seconds"] > float64(time.Now().Unix()-start) {
		t.Errorf("metrics after a good drill: %v", m)
	}
	if _, err := os.Stat(filepath.Join(r.dir, "drill")); !os.IsNotExist(err) {
		t.Errorf("the scratch cluster was left behind: %v", err)
	}
	t.Logf("drill: %d tables verified, restore to probes done in %.0f s", len(want), m["agora_restore_duration_seconds"])

	// A failing probe fails the drill and keeps the last good time.
	out, err = drill("DRILL_MIGRATE_CMD=" + bin + " migrate bogus")
	if err == nil {
		t.Fatalf("a drill whose migrate status fails passed:\n%s", out)
	}
	after := systest.ReadTextfile(t, filepath.Join(textfile, "agora_restore.prom"))
	if after["agora_restore_last_status"] != 0 || after["agora_restore_verified_timestamp_seconds"] != m["agora_restore_verified_timestamp_seconds"] ||
		after["agora_restore_duration_seconds"] != m["agora_restore_duration_seconds"] {
		t.Errorf("metrics after a failed drill: %v (before: %v)", after, m)
	}
	if _, err := os.Stat(filepath.Join(r.dir, "drill")); !os.IsNotExist(err) {
		t.Errorf("a failed drill left the scratch cluster behind: %v", err)
	}

	// Bad settings are refused before anything is touched.
	for _, bad := range []string{"DRILL_PORT=54x", "DRILL_MIGRATE_CMD=", "DRILL_DIR=relative/dir", "DRILL_REPO=two", "DRILL_TIMEOUT=-1", "DRILL_DIR=/"} {
		if out, err := drill(bad); err == nil {
			t.Errorf("%s: the drill ran:\n%s", bad, out)
		} else if !strings.Contains(out, "FAILED") {
			t.Errorf("%s: no reason given:\n%s", bad, out)
		}
	}
}
