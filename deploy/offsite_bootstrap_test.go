package deploy_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testCipherPass = "0123456789abcdef0123456789abcdef-test-only"

// offsiteEnv writes an --offsite-env file: valid settings with the given
// lines replaced (a value of "" drops the line).
func offsiteEnv(t *testing.T, override map[string]string) string {
	t.Helper()
	lines := map[string]string{
		"PGBACKREST_REPO2_TYPE":          "s3",
		"PGBACKREST_REPO2_S3_ENDPOINT":   "ewr1.vultrobjects.com",
		"PGBACKREST_REPO2_S3_BUCKET":     "agora-backups",
		"PGBACKREST_REPO2_S3_REGION":     "ewr1",
		"PGBACKREST_REPO2_S3_KEY":        "AKIAEXAMPLE",
		"PGBACKREST_REPO2_S3_KEY_SECRET": "secret-key-example",
		"PGBACKREST_REPO2_CIPHER_PASS":   testCipherPass,
		"SECRETS_AGE_RECIPIENT":          "age1" + strings.Repeat("q", 58),
	}
	var b strings.Builder
	b.WriteString("# off-site settings\n\n")
	for k, v := range lines {
		if o, ok := override[k]; ok {
			v = o
		}
		if v != "" {
			b.WriteString(k + "=" + v + "\n")
		}
	}
	for k, v := range override {
		if _, known := lines[k]; !known {
			b.WriteString(k + "=" + v + "\n")
		}
	}
	p := filepath.Join(t.TempDir(), "offsite.env")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// bootstrap.sh refuses to run without an off-site target unless told
// --no-offsite, refuses incomplete or malformed settings before touching
// anything, and never prints the secrets it writes into deploy/.env.
func TestBootstrapOffsiteTarget(t *testing.T) {
	t.Parallel()
	calls := filepath.Join(t.TempDir(), "calls")
	stubs := stubDir(t, calls, map[string]string{"apt-get": "exit 0", "systemctl": "exit 0", "install": "exit 0"})
	env := []string{"PATH=" + stubs + ":" + os.Getenv("PATH")}
	base := []string{"--dry-run", "--domain", "api.example.com", "--email", "ops@example.com"}

	out, code := runScript(t, env, "bootstrap.sh", base...)
	if code == 0 || !strings.Contains(out, "no off-site backup target") || strings.Contains(out, "+ apt-get") {
		t.Errorf("without an off-site target: exit %d\n%s", code, out)
	}
	out, code = runScript(t, env, "bootstrap.sh", append(base, "--no-offsite")...)
	if code != 0 || !strings.Contains(out, "WARNING: --no-offsite") || !strings.Contains(out, "+ set AGORA_NO_OFFSITE in") {
		t.Errorf("--no-offsite: exit %d\n%s", code, out)
	}
	out, code = runScript(t, env, "bootstrap.sh", append(base, "--offsite-env", offsiteEnv(t, nil))...)
	if code != 0 {
		t.Fatalf("valid --offsite-env: exit %d\n%s", code, out)
	}
	if strings.Contains(out, testCipherPass) || strings.Contains(out, "secret-key-example") {
		t.Errorf("the dry run prints a secret:\n%s", out)
	}
	if !strings.Contains(out, "shred -u") {
		t.Errorf("bootstrap does not say to delete the --offsite-env file:\n%s", out)
	}
	// The file holds keys: one others can read is refused.
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604} {
		f := offsiteEnv(t, nil)
		if err := os.Chmod(f, mode); err != nil {
			t.Fatal(err)
		}
		if out, code := runScript(t, env, "bootstrap.sh", append(base, "--offsite-env", f)...); code == 0 || !strings.Contains(out, "chmod 600") {
			t.Errorf("--offsite-env of mode %o: exit %d\n%s", mode, code, out)
		}
	}

	bad := map[string]map[string]string{
		"missing bucket":        {"PGBACKREST_REPO2_S3_BUCKET": ""},
		"missing passphrase":    {"PGBACKREST_REPO2_CIPHER_PASS": ""},
		"short passphrase":      {"PGBACKREST_REPO2_CIPHER_PASS": "short"},
		"not s3":                {"PGBACKREST_REPO2_TYPE": "posix"},
		"endpoint with scheme":  {"PGBACKREST_REPO2_S3_ENDPOINT": "https://s3.example.com"},
		"not an age key":        {"SECRETS_AGE_RECIPIENT": "ssh-ed25519 AAAA"},
		"missing age recipient": {"SECRETS_AGE_RECIPIENT": ""},
		"foreign line":          {"POSTGRES_PASSWORD": "x"},
		// Characters Compose and the scripts would read differently, or
		// awk -v would alter on the way into deploy/.env.
		"backslash in passphrase": {"PGBACKREST_REPO2_CIPHER_PASS": testCipherPass + `\d`},
		"dollar in key secret":    {"PGBACKREST_REPO2_S3_KEY_SECRET": "secret$HOME"},
		"quoted bucket":           {"PGBACKREST_REPO2_S3_BUCKET": `"agora-backups"`},
		"space in region":         {"PGBACKREST_REPO2_S3_REGION": "ewr 1"},
		"CRLF line":               {"PGBACKREST_REPO2_S3_KEY": "AKIAEXAMPLE\r"},
	}
	for name, override := range bad {
		out, code := runScript(t, env, "bootstrap.sh", append(base, "--offsite-env", offsiteEnv(t, override))...)
		if code == 0 || strings.Contains(out, "+ apt-get") {
			t.Errorf("%s: exit %d, or it went on:\n%s", name, code, out)
		}
		if strings.Contains(out, testCipherPass) || strings.Contains(out, "secret$HOME") {
			t.Errorf("%s: the refusal prints a secret:\n%s", name, out)
		}
	}
	for name, args := range map[string][]string{
		"both":            {"--offsite-env", offsiteEnv(t, nil), "--no-offsite"},
		"unreadable file": {"--offsite-env", "/nonexistent/offsite.env"},
		"no value":        {"--offsite-env"},
	} {
		if out, code := runScript(t, env, "bootstrap.sh", append(base, args...)...); code == 0 {
			t.Errorf("%s: exit 0\n%s", name, out)
		}
	}
	if b, _ := os.ReadFile(calls); len(b) > 0 {
		t.Errorf("the dry runs ran commands:\n%s", b)
	}
}
