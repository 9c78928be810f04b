package deploy_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"agora/internal/systest"
)

// secrets-archive.sh records each run for Prometheus (TEXTFILE_DIR from
// deploy/.env, as the other backup scripts read it) and fails when there is
// no off-site store, unless deploy/.env says the operator chose that
// (AGORA_NO_OFFSITE=1, bootstrap.sh --no-offsite). A failure keeps the time
// of the last success.
func TestSecretsArchiveMetricsAndMissingOffsite(t *testing.T) {
	t.Parallel()
	systest.Tool(t, "age")
	keygen := systest.Tool(t, "age-keygen")
	tmp := t.TempDir()
	out, err := exec.Command(keygen, "-o", filepath.Join(tmp, "key.txt")).CombinedOutput()
	if err != nil {
		t.Fatalf("age-keygen: %v\n%s", err, out)
	}
	recipient := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(out)), "Public key:"))
	src := filepath.Join(tmp, "deploy")
	textfile := filepath.Join(tmp, "textfile")
	backups := filepath.Join(tmp, "backups")
	if err := os.MkdirAll(src, 0o700); err != nil {
		t.Fatal(err)
	}
	writeEnv := func(recipient, extra string) {
		body := "SECRETS_AGE_RECIPIENT=" + recipient + "\nTEXTFILE_DIR=" + textfile + "\nBACKUP_DIR=" + backups + "\nPGBACKREST_REPO2_TYPE=\n" + extra
		if err := os.WriteFile(filepath.Join(src, ".env"), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// Only deploy/.env speaks: these names are dropped from the environment.
	run := func() (string, int) {
		cmd := exec.Command("bash", scriptPath(t, "secrets-archive.sh"))
		for _, kv := range os.Environ() {
			name, _, _ := strings.Cut(kv, "=")
			if name != "TEXTFILE_DIR" && name != "BACKUP_DIR" && name != "AGORA_NO_OFFSITE" &&
				name != "SECRETS_AGE_RECIPIENT" && !strings.HasPrefix(name, "PGBACKREST_REPO2_") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, "SECRETS_SOURCE_DIR="+src)
		b, err := cmd.CombinedOutput()
		return string(b), systest.ExitCode(t, err)
	}
	metrics := func() map[string]float64 {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(textfile, "agora_secrets_archive.prom"))
		if err != nil {
			t.Fatalf("no metric file: %v", err)
		}
		m := map[string]float64{}
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) == 2 && !strings.HasPrefix(line, "#") {
				v, err := strconv.ParseFloat(f[1], 64)
				if err != nil {
					t.Errorf("bad metric line %q", line)
				}
				m[f[0]] = v
			}
		}
		return m
	}
	archives := func() int {
		m, _ := filepath.Glob(filepath.Join(backups, "secrets_*.tar.age"))
		return len(m)
	}

	// No off-site store and no word that it was chosen: a failure, but the
	// archive is still written here.
	writeEnv(recipient, "")
	log, code := run()
	if code == 0 || !strings.Contains(log, "no off-site store") {
		t.Errorf("without an off-site store: exit %d\n%s", code, log)
	}
	if m := metrics(); m["agora_secrets_archive_last_status"] != 0 || m["agora_secrets_archive_last_success_timestamp_seconds"] != 0 {
		t.Errorf("metrics of a first failed run: %v", m)
	}
	if archives() != 1 {
		t.Errorf("the local archive was not written: %d", archives())
	}

	// Chosen explicitly: a success.
	writeEnv(recipient, "AGORA_NO_OFFSITE=1\n")
	start := time.Now().Unix()
	log, code = run()
	if code != 0 || !strings.Contains(log, "AGORA_NO_OFFSITE=1") {
		t.Errorf("with AGORA_NO_OFFSITE=1: exit %d\n%s", code, log)
	}
	good := metrics()
	if good["agora_secrets_archive_last_status"] != 1 || good["agora_secrets_archive_last_success_timestamp_seconds"] < float64(start) {
		t.Errorf("metrics of a good run: %v", good)
	}

	// The setting emptied again, and a bad recipient: failures that keep the
	// last success.
	for name, c := range map[string][2]string{
		"offsite emptied": {recipient, ""},
		"bad recipient":   {"ssh-ed25519", "AGORA_NO_OFFSITE=1\n"},
	} {
		writeEnv(c[0], c[1])
		if out, code := run(); code == 0 {
			t.Errorf("%s: exit 0\n%s", name, out)
		}
		if m := metrics(); m["agora_secrets_archive_last_status"] != 0 ||
			m["agora_secrets_archive_last_success_timestamp_seconds"] != good["agora_secrets_archive_last_success_timestamp_seconds"] {
			t.Errorf("%s: metrics %v (after the good run: %v)", name, m, good)
		}
	}
}
