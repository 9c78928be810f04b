package deploy_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"agora/adapters/postgres/pgtest"
	"agora/cmd/agora/agoratest"
	"agora/internal/systest"
)

var backupName = regexp.MustCompile(`^backup_(\d{8})_\d{6}\.sql\.gz$`)

// backupFiles lists the finished backups in dir.
func backupFiles(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if backupName.MatchString(e.Name()) {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

func backupEnv(backups, textfile string, extra ...string) []string {
	return append([]string{"BACKUP_DIR=" + backups, "TEXTFILE_DIR=" + textfile, "ENV_FILE=/nonexistent", "BACKUP_RCLONE_REMOTE="}, extra...)
}

// Pruning keeps exactly the last 7 calendar days of backups (by the date in
// the name) and nothing else in the folder is touched.
func TestBackupPruneKeepsSevenDays(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	backups := filepath.Join(tmp, "backups")
	if err := os.MkdirAll(backups, 0o700); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 15, 2, 0, 0, 0, time.UTC)
	for d := 0; d < 30; d++ {
		day := now.AddDate(0, 0, -d)
		for _, hms := range []string{"020000", "143012"} {
			name := fmt.Sprintf("backup_%s_%s.sql.gz", day.Format("20060102"), hms)
			if err := os.WriteFile(filepath.Join(backups, name), []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	others := []string{"notes.txt", "backup_latest.sql.gz", "backup.log"}
	for _, o := range others {
		if err := os.WriteFile(filepath.Join(backups, o), []byte("keep"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out, code := runScript(t, backupEnv(backups, filepath.Join(tmp, "tf"), "BACKUP_NOW=20260115_020000"), "backup.sh", "--prune-only")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	days := map[string]int{}
	for _, f := range backupFiles(t, backups) {
		days[backupName.FindStringSubmatch(f)[1]]++
	}
	var got []string
	for d := range days {
		got = append(got, d)
	}
	sort.Strings(got)
	want := []string{"20260109", "20260110", "20260111", "20260112", "20260113", "20260114", "20260115"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("days kept = %v, want exactly %v", got, want)
	}
	for d, n := range days {
		if n != 2 {
			t.Errorf("day %s: %d files kept, want both", d, n)
		}
	}
	for _, o := range others {
		if _, err := os.Stat(filepath.Join(backups, o)); err != nil {
			t.Errorf("pruning removed %s", o)
		}
	}
}

// Whatever their age, the newest BACKUP_KEEP_MIN (3) backups stay, here and
// on the rclone remote (a local folder, through the real rclone): weeks
// without a good dump never prune the last ones away. Older ones go.
func TestBackupPruneKeepsNewestGood(t *testing.T) {
	t.Parallel()
	systest.Tool(t, "rclone")
	tmp := t.TempDir()
	backups, remote := filepath.Join(tmp, "backups"), filepath.Join(tmp, "remote")
	// The newest dump is 20 days old; the folder also holds a fresh partial.
	names := []string{"backup_20251201_023000.sql.gz", "backup_20251220_023000.sql.gz",
		"backup_20251222_023000.sql.gz", "backup_20251223_023000.sql.gz", "backup_20251226_023000.sql.gz"}
	for _, dir := range []string{backups, remote} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		for _, n := range append(names, ".backup_20260115_023000.sql.gz.partial", "notes.txt") {
			if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	list := func(dir string) string {
		var got []string
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			got = append(got, e.Name())
		}
		sort.Strings(got)
		return strings.Join(got, " ")
	}
	prune := func(keep string) {
		t.Helper()
		out, code := runScript(t, backupEnv(backups, filepath.Join(tmp, "tf"), "BACKUP_NOW=20260115_020000",
			"BACKUP_KEEP_MIN="+keep, "BACKUP_RCLONE_REMOTE="+remote, "RCLONE_CONFIG=/dev/null"), "backup.sh", "--prune-only")
		if code != 0 {
			t.Fatalf("BACKUP_KEEP_MIN=%s: exit %d\n%s", keep, code, out)
		}
	}
	prune("3")
	want := ".backup_20260115_023000.sql.gz.partial backup_20251222_023000.sql.gz backup_20251223_023000.sql.gz backup_20251226_023000.sql.gz notes.txt"
	for _, dir := range []string{backups, remote} {
		if got := list(dir); got != want {
			t.Errorf("%s after pruning with nothing in 7 days:\n got %s\nwant %s", dir, got, want)
		}
	}
	// Again: nothing more goes.
	prune("3")
	if got := list(backups); got != want {
		t.Errorf("a second prune removed more: %s", got)
	}
	prune("0")
	for _, dir := range []string{backups, remote} {
		if got := list(dir); got != ".backup_20260115_023000.sql.gz.partial notes.txt" {
			t.Errorf("%s with BACKUP_KEEP_MIN=0: %s", dir, got)
		}
	}
	for _, bad := range []string{"-1", "three"} {
		if out, code := runScript(t, backupEnv(backups, filepath.Join(tmp, "tf"), "BACKUP_KEEP_MIN="+bad), "backup.sh", "--prune-only"); code != 2 {
			t.Errorf("BACKUP_KEEP_MIN=%s: exit %d\n%s", bad, code, out)
		}
	}
}

// When pg_dump fails, the run exits non-zero, leaves no partial file, keeps
// the older backups and records the failure (keeping the time and size of
// the last good backup for the "too old" alert).
func TestBackupFailureLeavesNothing(t *testing.T) {
	t.Parallel()
	cases := map[string]func(t *testing.T, tmp string) []string{
		// A pg_dump that writes half a dump and dies.
		"pg_dump dies midway": func(t *testing.T, tmp string) []string {
			stubs := stubDir(t, filepath.Join(tmp, "calls"), map[string]string{
				"pg_dump": "echo '-- PostgreSQL database dump'; echo 'CREATE TABLE half (id int);'; sleep 0.2; exit 1",
			})
			return []string{"PATH=" + stubs + ":" + os.Getenv("PATH"), "BACKUP_DATABASE_URL=postgres://agora@127.0.0.1:1/agora"}
		},
		// A pg_dump that exits 0 but whose output is cut short.
		"truncated dump": func(t *testing.T, tmp string) []string {
			stubs := stubDir(t, filepath.Join(tmp, "calls"), map[string]string{
				"pg_dump": "echo '-- PostgreSQL database dump'; echo 'CREATE TABLE half (id int);'; exit 0",
			})
			return []string{"PATH=" + stubs + ":" + os.Getenv("PATH"), "BACKUP_DATABASE_URL=postgres://agora@127.0.0.1:1/agora"}
		},
		// The real pg_dump against a server that is not there.
		"unreachable database": func(t *testing.T, tmp string) []string {
			systest.Tool(t, "pg_dump")
			return []string{"BACKUP_DATABASE_URL=postgres://agora@" + systest.FreeAddr(t) + "/agora?connect_timeout=2"}
		},
	}
	for name, setup := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tmp := t.TempDir()
			backups := filepath.Join(tmp, "backups")
			textfile := filepath.Join(tmp, "textfile")
			for _, d := range []string{backups, textfile} {
				if err := os.MkdirAll(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			old := "backup_20260114_020000.sql.gz"
			if err := os.WriteFile(filepath.Join(backups, old), []byte("old"), 0o600); err != nil {
				t.Fatal(err)
			}
			prev := "agora_backup_last_success_timestamp_seconds 1768356000\nagora_backup_last_size_bytes 4242\nagora_backup_last_status 1\n"
			if err := os.WriteFile(filepath.Join(textfile, "agora_backup.prom"), []byte(prev), 0o644); err != nil {
				t.Fatal(err)
			}
			env := backupEnv(backups, textfile, append(setup(t, tmp), "BACKUP_NOW=20260115_020000")...)
			start := time.Now().Unix()
			out, code := runScript(t, env, "backup.sh")
			if code == 0 {
				t.Fatalf("backup succeeded:\n%s", out)
			}
			entries, _ := os.ReadDir(backups)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if len(names) != 1 || names[0] != old {
				t.Errorf("backup folder = %v, want only the older %s (no partial file)", names, old)
			}
			m := systest.ReadTextfile(t, filepath.Join(textfile, "agora_backup.prom"))
			if m["agora_backup_last_status"] != 0 {
				t.Errorf("last_status = %v, want 0", m["agora_backup_last_status"])
			}
			if m["agora_backup_last_success_timestamp_seconds"] != 1768356000 || m["agora_backup_last_size_bytes"] != 4242 {
				t.Errorf("the last good backup's time/size were lost: %v", m)
			}
			if r := m["agora_backup_last_run_timestamp_seconds"]; r < float64(start) {
				t.Errorf("last_run = %v, want the time of this run (>= %d)", r, start)
			}
			tfEntries, _ := os.ReadDir(textfile)
			if len(tfEntries) != 1 {
				t.Errorf("textfile folder has leftovers: %v", tfEntries)
			}
		})
	}
}

// psqlQuery runs one query with psql and returns the unaligned output.
func psqlQuery(t testing.TB, url, sql string) string {
	t.Helper()
	out, err := exec.Command("psql", "--no-psqlrc", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql).CombinedOutput()
	if err != nil {
		t.Fatalf("psql %q: %v\n%s", sql, err, out)
	}
	return strings.TrimSpace(string(out))
}

// tableDigests returns, for every user table, its row count and a checksum
// over all rows in a stable order.
func tableDigests(t testing.TB, url string) map[string]string {
	t.Helper()
	tables := psqlQuery(t, url, `SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables
		WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`)
	out := map[string]string{}
	for _, tbl := range strings.Fields(tables) {
		out[tbl] = psqlQuery(t, url, fmt.Sprintf(
			`SELECT count(*) || ' ' || coalesce(md5(string_agg(r::text, E'\n' ORDER BY r::text)), '-') FROM %s r`, tbl))
	}
	return out
}

// seedDatabase fills the database with application data (agora seed when
// it works, else plain SQL) and a table of awkward values.
func seedDatabase(t testing.TB, url string) {
	t.Helper()
	seeded := false
	if bin, err := agoratest.Build(); err == nil {
		cmd := exec.Command(bin, "seed", "--users", "30", "--posts-per-user", "5", "--connections-per-user", "3", "--password", "seed-password-1")
		cmd.Env = append(os.Environ(), "DATABASE_URL="+url, "LOG_LEVEL=warn")
		if out, err := cmd.CombinedOutput(); err == nil {
			seeded = true
		} else {
			t.Logf("agora seed failed (%v), seeding with SQL instead: %s", err, out)
		}
	} else {
		t.Logf("agora does not build (%v), seeding with SQL instead", err)
	}
	if !seeded {
		psqlQuery(t, url, `INSERT INTO users (id, username, email, password_hash, display_name, bio)
			SELECT gen_random_uuid(), 'user' || g, 'user' || g || '@example.com', 'not-a-real-hash', 'User ' || g, repeat('bio ', g)
			FROM generate_series(1, 30) g`)
	}
	psqlQuery(t, url, `CREATE TABLE backup_probe (
			id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
			txt text, raw bytea, doc jsonb, at timestamptz, arr int[], nothing text)`)
	psqlQuery(t, url, `INSERT INTO backup_probe (txt, raw, doc, at, arr, nothing)
		SELECT 'row ' || g || E' tab\t newline\n quote'' backslash\\ unicode é 😀',
		       decode(md5(g::text), 'hex'), jsonb_build_object('g', g, 'nested', jsonb_build_array(g, 'x')),
		       timestamptz '2026-01-01 00:00:00+00' + g * interval '1 minute', ARRAY[g, g * 2], NULL
		FROM generate_series(1, 500) g`)
}

// A real backup of a seeded database, restored into a fresh one: every
// table's row count and checksum match.
func TestBackupRestoreRoundTrip(t *testing.T) {
	t.Parallel()
	systest.Tool(t, "pg_dump")
	systest.Tool(t, "psql")
	src := pgtest.NewDatabase(t)
	seedDatabase(t, src)

	tmp := t.TempDir()
	backups := filepath.Join(tmp, "backups")
	textfile := filepath.Join(tmp, "textfile")
	// An old backup that the successful run prunes (with one newest kept:
	// the new one).
	if err := os.MkdirAll(backups, 0o700); err != nil {
		t.Fatal(err)
	}
	stale := "backup_" + time.Now().UTC().AddDate(0, 0, -10).Format("20060102") + "_020000.sql.gz"
	if err := os.WriteFile(filepath.Join(backups, stale), []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}

	before := time.Now().Unix()
	out, code := runScript(t, backupEnv(backups, textfile, "BACKUP_DATABASE_URL="+src, "BACKUP_KEEP_MIN=1"), "backup.sh")
	if code != 0 {
		t.Fatalf("backup failed (exit %d):\n%s", code, out)
	}
	files := backupFiles(t, backups)
	if len(files) != 1 || files[0] == stale {
		t.Fatalf("backups = %v, want one new file and the stale one pruned", files)
	}
	file := filepath.Join(backups, files[0])
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("backup file mode %v is readable by others", fi.Mode().Perm())
	}
	m := systest.ReadTextfile(t, filepath.Join(textfile, "agora_backup.prom"))
	if m["agora_backup_last_status"] != 1 || m["agora_backup_last_size_bytes"] != float64(fi.Size()) ||
		m["agora_backup_last_success_timestamp_seconds"] < float64(before) {
		t.Errorf("metrics after success = %v (file size %d)", m, fi.Size())
	}

	// Restore into a fresh, empty database (pgtest's are migrated: empty it).
	dst := pgtest.NewDatabase(t)
	psqlQuery(t, dst, `DO $$ DECLARE s text; BEGIN
		FOR s IN SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\_%' AND nspname NOT IN ('information_schema', 'public') LOOP
			EXECUTE format('DROP SCHEMA %I CASCADE', s);
		END LOOP;
		DROP SCHEMA public CASCADE; CREATE SCHEMA public; END $$`)
	out, code = runScript(t, []string{"ENV_FILE=/nonexistent"}, "restore.sh", "--target-url", dst, file)
	if code != 0 {
		t.Fatalf("restore failed (exit %d):\n%s", code, out)
	}

	want, got := tableDigests(t, src), tableDigests(t, dst)
	if len(want) < 3 {
		t.Fatalf("source has only tables %v", want)
	}
	for tbl, w := range want {
		if got[tbl] != w {
			t.Errorf("%s: restored %q, want %q", tbl, got[tbl], w)
		}
	}
	for tbl := range got {
		if _, ok := want[tbl]; !ok {
			t.Errorf("restored database has extra table %s", tbl)
		}
	}
	if !strings.HasPrefix(want["users"], "30 ") && !strings.HasPrefix(want["public.users"], "30 ") {
		t.Errorf("users were not seeded: %v", want)
	}
	t.Logf("compared %d tables; backup %s is %d bytes", len(want), files[0], fi.Size())

	// A corrupt file is refused before anything is loaded.
	bad := filepath.Join(tmp, "backup_20260101_000000.sql.gz")
	if err := os.WriteFile(bad, []byte("not gzip"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, code := runScript(t, nil, "restore.sh", "--target-url", dst, bad); code == 0 {
		t.Errorf("restore of a corrupt file succeeded:\n%s", out)
	}
}

// Two backups within one second never overwrite each other (restore.sh's
// safety backup may follow a scheduled one at once); with a fixed
// BACKUP_NOW an existing file is refused.
func TestBackupNeverReplacesAFile(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	backups := filepath.Join(tmp, "backups")
	if err := os.MkdirAll(backups, 0o700); err != nil {
		t.Fatal(err)
	}
	existing := filepath.Join(backups, "backup_20260115_020000.sql.gz")
	if err := os.WriteFile(existing, []byte("older backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, code := runScript(t, []string{"BACKUP_DIR=" + backups, "TEXTFILE_DIR=" + filepath.Join(tmp, "tf"), "ENV_FILE=/nonexistent", "BACKUP_NOW=20260115_020000"}, "backup.sh")
	if code == 0 || !strings.Contains(out, "a backup is never replaced") {
		t.Errorf("backup over an existing file: exit %d\n%s", code, out)
	}
	if b, _ := os.ReadFile(existing); string(b) != "older backup" {
		t.Errorf("the existing backup was changed: %q", b)
	}
}
