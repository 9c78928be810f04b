package recovery_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"agora/internal/systest"
)

// deploy/scripts/pgbackrest-backup.sh as cron runs it, with pgBackRest run
// on the host instead of in the container: a full then a differential
// backup, each reflected in agora_pgbackrest.prom per repository and type;
// a run against a stopped server fails, says so in the metric and keeps the
// ages of the backups that exist; a bad argument changes nothing.
func TestBackupJobMetrics(t *testing.T) {
	t.Parallel()
	systest.Tool(t, "jq")
	r := newRig(t)
	r.initdb("")
	r.start()
	// The command the script runs instead of `docker compose exec`.
	shim := filepath.Join(r.dir, "bin", "as-postgres")
	body := "#!/bin/sh\nexec runuser -u postgres -- env -i HOME=" + r.dir + " " + strings.Join(r.env, " ") + " agora-pgbackrest \"$@\"\n"
	if err := os.WriteFile(shim, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	textfile := filepath.Join(r.dir, "textfile")
	job := func(args ...string) (string, error) {
		cmd := exec.Command("bash", append([]string{filepath.Join(deployDir(t), "scripts", "pgbackrest-backup.sh")}, args...)...)
		cmd.Env = append(os.Environ(), "PGBACKREST_EXEC="+shim, "TEXTFILE_DIR="+textfile, "ENV_FILE=/nonexistent")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	metrics := func() map[string]float64 {
		return systest.ReadTextfile(t, filepath.Join(textfile, "agora_pgbackrest.prom"))
	}
	const full, diff = `agora_pgbackrest_backup_timestamp_seconds{repo="1",type="full"}`, `agora_pgbackrest_backup_timestamp_seconds{repo="1",type="diff"}`

	start := float64(time.Now().Unix())
	if out, err := job("full"); err != nil {
		t.Fatalf("full: %v\n%s", err, out)
	}
	m := metrics()
	if m["agora_pgbackrest_last_status"] != 1 || m[full] < start || m[diff] != 0 {
		t.Errorf("after the full backup: %v", m)
	}
	// Only repo1 here, and no word that repo2's absence was chosen: what
	// OffsiteBackupNotConfigured alerts on.
	if v, ok := m[`agora_pgbackrest_repo_configured{repo="1"}`]; !ok || v != 1 {
		t.Errorf("repo1 is not reported configured: %v", m)
	}
	if v, ok := m[`agora_pgbackrest_repo_configured{repo="2"}`]; !ok || v != 0 {
		t.Errorf("the missing repo2 is not reported: %v", m)
	}
	if v, ok := m["agora_pgbackrest_offsite_disabled"]; !ok || v != 0 {
		t.Errorf("agora_pgbackrest_offsite_disabled without AGORA_NO_OFFSITE: %v", m)
	}
	r.query("postgres", `CREATE TABLE t AS SELECT generate_series(1, 1000) g`)
	if out, err := job("diff"); err != nil {
		t.Fatalf("diff: %v\n%s", err, out)
	}
	m = metrics()
	if m["agora_pgbackrest_last_status"] != 1 || m[diff] < m[full] {
		t.Errorf("after the differential: %v", m)
	}

	r.stopQuietly()
	if out, err := job("diff"); err == nil {
		t.Errorf("a backup of a stopped server succeeded:\n%s", out)
	}
	after := metrics()
	if after["agora_pgbackrest_last_status"] != 0 || after[full] != m[full] || after[diff] != m[diff] ||
		after[`agora_pgbackrest_repo_configured{repo="1"}`] != 1 {
		t.Errorf("after a failed run: %v (before: %v)", after, m)
	}
	if _, ok := after[`agora_pgbackrest_repo_configured{repo="2"}`]; !ok {
		t.Errorf("a failed run dropped repo2's configured series: %v", after)
	}
	// The operator's choice, read from deploy/.env as the other settings are.
	envFile := filepath.Join(r.dir, "deploy.env")
	if err := os.WriteFile(envFile, []byte("AGORA_NO_OFFSITE=1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", filepath.Join(deployDir(t), "scripts", "pgbackrest-backup.sh"), "diff")
	cmd.Env = append(os.Environ(), "PGBACKREST_EXEC="+shim, "TEXTFILE_DIR="+textfile, "ENV_FILE="+envFile)
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Errorf("a backup of a stopped server succeeded:\n%s", out)
	}
	if v := metrics()["agora_pgbackrest_offsite_disabled"]; v != 1 {
		t.Errorf("AGORA_NO_OFFSITE=1 in deploy/.env: agora_pgbackrest_offsite_disabled %v", v)
	}
	for _, bad := range [][]string{{}, {"incr"}, {"full", "diff"}, {"--type=full"}} {
		if out, err := job(bad...); err == nil {
			t.Errorf("%v: exit 0\n%s", bad, out)
		}
	}
}
