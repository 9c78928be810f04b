package recovery_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// pgBackRest connects as agora_backup (roles.sql), not as the superuser:
// with only that role's grants, stanza-create, check, a full and a
// differential backup work on a cluster made for the test, and the backup
// restores. The role itself reads no rows and is no superuser.
func TestBackupRoleIsNotSuperuser(t *testing.T) {
	t.Parallel()
	r := newRig(t, "PGBACKREST_PG1_USER=agora_backup", "PGBACKREST_PG1_DATABASE=agora")
	r.initdb("")
	r.start()
	r.query("postgres", `CREATE DATABASE agora`)
	r.query("agora", `CREATE TABLE rows_of_app AS SELECT g AS id FROM generate_series(1, 500) g`)
	out, err := exec.Command("psql", "--no-psqlrc", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", r.url("agora"),
		"-v", "app_password=a", "-v", "monitor_password=m", "-f", filepath.Join(deployDir(t), "postgres", "roles.sql")).CombinedOutput()
	if err != nil {
		t.Fatalf("roles.sql: %v\n%s", err, out)
	}
	backup := strings.Replace(r.url("agora"), "://postgres@", "://agora_backup@", 1)
	if got := r.query("agora", `SELECT rolsuper || ' ' || rolreplication FROM pg_roles WHERE rolname = 'agora_backup'`); got != "false false" {
		t.Errorf("agora_backup superuser/replication: %s", got)
	}
	if out, err := exec.Command("psql", "--no-psqlrc", "-X", "-At", "-d", backup, "-c", "SELECT count(*) FROM rows_of_app").CombinedOutput(); err == nil {
		t.Errorf("agora_backup reads rows: %s", out)
	}

	r.pgbackrest("stanza-create")
	r.pgbackrest("check")
	r.pgbackrest("backup", "--type=full")
	r.query("agora", `INSERT INTO rows_of_app SELECT generate_series(501, 600)`)
	r.pgbackrest("backup", "--type=diff")
	r.pgbackrest("check")
	// Restored from those backups, the data is whole.
	// A clean stop (a killed postmaster would leave its socket lock behind
	// while a zombie), then the data goes.
	r.stopQuietly()
	if err := os.RemoveAll(r.data()); err != nil {
		t.Fatal(err)
	}
	r.pgbackrest("restore")
	r.start()
	if got := r.query("agora", `SELECT count(*) FROM rows_of_app`); got != "600" {
		t.Errorf("rows after restoring the backup agora_backup took: %s, want 600", got)
	}
}
