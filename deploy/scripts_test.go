package deploy_test

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var deployScripts = []string{"bootstrap.sh", "deploy.sh", "backup.sh", "restore.sh", "certbot-deploy-hook.sh"}

func scriptPath(t testing.TB, name string) string {
	return filepath.Join(deployDir(t), "scripts", name)
}

// runScript runs a deploy script with bash and the given extra environment;
// it returns stdout+stderr and the exit code.
func runScript(t testing.TB, env []string, name string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command("bash", append([]string{scriptPath(t, name)}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = nil
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return out.String(), code
}

// stubDir makes a folder of fake commands, each logging its arguments (and
// AGORA_TAG) to log, then running the optional body.
func stubDir(t testing.TB, log string, stubs map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range stubs {
		script := fmt.Sprintf("#!/usr/bin/env bash\nprintf '%%s\\n' \"AGORA_TAG=${AGORA_TAG:-} %s $*\" >>%q\n%s\n", name, log, body)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestScriptsShellcheck(t *testing.T) {
	t.Parallel()
	sc := requireTool(t, "shellcheck")
	var paths []string
	for _, s := range deployScripts {
		p := scriptPath(t, s)
		paths = append(paths, p)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(b), "#!/usr/bin/env bash\n") || !strings.Contains(string(b), "\nset -euo pipefail\n") {
			t.Errorf("%s: want a bash shebang and set -euo pipefail", s)
		}
		if fi, _ := os.Stat(p); fi.Mode()&0o111 == 0 {
			t.Errorf("%s is not executable", s)
		}
		if !strings.Contains(string(b), "--dry-run") {
			t.Errorf("%s has no --dry-run", s)
		}
	}
	cmd := exec.Command(sc, append([]string{"--severity=style", "--external-sources"}, paths...)...)
	cmd.Dir = filepath.Join(deployDir(t), "scripts")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("shellcheck: %v\n%s", err, out)
	}
}

// The bootstrap dry run prints the whole host set-up and touches nothing:
// every command that could change the machine is a stub that records calls.
func TestBootstrapDryRun(t *testing.T) {
	t.Parallel()
	calls := filepath.Join(t.TempDir(), "calls")
	dangerous := map[string]string{}
	for _, c := range []string{"apt-get", "useradd", "usermod", "ufw", "systemctl", "sshd", "install", "ln", "curl",
		"certbot", "chmod", "chown", "mv", "mkdir", "runuser", "git", "python3", "kill", "dpkg", "tee"} {
		dangerous[c] = "exit 0"
	}
	stubs := stubDir(t, calls, dangerous)
	out, code := runScript(t, []string{"PATH=" + stubs + ":" + os.Getenv("PATH")}, "bootstrap.sh",
		"--dry-run", "--domain", "api.example.com", "--email", "ops@example.com")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if b, _ := os.ReadFile(calls); len(b) > 0 {
		t.Fatalf("the dry run ran commands:\n%s", b)
	}
	for _, want := range []string{
		"+ useradd --create-home --shell /bin/bash deploy",
		"/home/deploy/.ssh/authorized_keys",
		"PermitRootLogin no",
		"PasswordAuthentication no",
		"+ sshd -t",
		"+ ufw default deny incoming",
		"+ ufw allow 22/tcp",
		"+ ufw allow 80/tcp",
		"+ ufw allow 443/tcp",
		"+ ufw --force enable",
		`Unattended-Upgrade "1"`,
		"docker-compose-plugin",
		"+ usermod -aG docker deploy",
		"/home/deploy/backups",
		"/var/lib/node_exporter/textfile_collector",
		"certbot certonly --webroot --webroot-path /var/www/certbot --cert-name agora --domain api.example.com",
		"/etc/letsencrypt/renewal-hooks/deploy/agora.sh",
		"+ systemctl enable --now certbot.timer",
		"0 2 * * * deploy /home/deploy/agora/deploy/scripts/backup.sh",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run does not show %q", want)
		}
	}
	// UFW opens exactly 22, 80 and 443.
	allows := regexp.MustCompile(`(?m)^\+ ufw allow (\S+)`).FindAllStringSubmatch(out, -1)
	if len(allows) != 3 {
		t.Errorf("ufw allow rules: %v", allows)
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}

	// Without root and without --dry-run it refuses to start.
	if os.Geteuid() != 0 {
		if _, code := runScript(t, nil, "bootstrap.sh"); code == 0 {
			t.Error("bootstrap.sh ran without root")
		}
	}
}

func TestDeployDryRun(t *testing.T) {
	t.Parallel()
	calls := filepath.Join(t.TempDir(), "calls")
	stubs := stubDir(t, calls, map[string]string{"docker": "exit 0", "curl": "exit 0"})
	envFile := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(envFile, []byte("AGORA_TAG=old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, code := runScript(t, []string{"PATH=" + stubs + ":" + os.Getenv("PATH"), "ENV_FILE=" + envFile}, "deploy.sh", "--dry-run", "--tag", "new1")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if b, _ := os.ReadFile(calls); len(b) > 0 {
		t.Fatalf("the dry run ran commands:\n%s", b)
	}
	steps := []string{"build --pull backend", "backup.sh", "up -d --wait postgres", "run --rm migrate", "up -d --remove-orphans", "wait up to", "set AGORA_TAG=new1"}
	last := -1
	for _, s := range steps {
		i := strings.Index(out, s)
		if i < 0 || i < last {
			t.Errorf("step %q missing or out of order in:\n%s", s, out)
		}
		last = i
	}
	if b, _ := os.ReadFile(envFile); string(b) != "AGORA_TAG=old\n" {
		t.Errorf("dry run changed the env file: %q", b)
	}
}

// deploy.sh for real, against a fake docker whose health answer depends on
// the image tag: a healthy release is recorded, a sick one is rolled back.
func TestDeployRollback(t *testing.T) {
	t.Parallel()
	dockerStub := `
case "$*" in
  *" ps -q backend"*) echo cid-backend ;;
  *"ps --status running -q postgres"*) echo "" ;;
  *"run --rm migrate"*) [ "${AGORA_TAG}" != "badmigration" ] || exit 1 ;;
  inspect*) if [ "$AGORA_TAG" = "$GOOD_TAGS" ] || [[ " $GOOD_TAGS " == *" $AGORA_TAG "* ]]; then echo healthy; else echo unhealthy; fi ;;
esac
exit 0`
	for _, tc := range []struct {
		name, previous, tag, good string
		wantCode                  int
		wantTag                   string
		wantInLog, notInLog       []string
	}{
		{"healthy", "v1", "v2", "v1 v2", 0, "v2", []string{"AGORA_TAG=v2 docker compose", "up -d --remove-orphans"}, nil},
		{"rolled back", "v1", "v3", "v1", 1, "v1", []string{"AGORA_TAG=v1 docker compose -f"}, nil},
		{"nothing to roll back to", "", "v4", "", 1, "", nil, []string{"AGORA_TAG= docker"}},
		{"migration fails", "v1", "badmigration", "v1 badmigration", 1, "v1", []string{"run --rm migrate"}, []string{"up -d --remove-orphans"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tmp := t.TempDir()
			calls := filepath.Join(tmp, "calls")
			stubs := stubDir(t, calls, map[string]string{"docker": dockerStub, "curl": "exit 0"})
			envFile := filepath.Join(tmp, ".env")
			content := "POSTGRES_PASSWORD=x\n"
			if tc.previous != "" {
				content += "AGORA_TAG=" + tc.previous + "\n"
			}
			if err := os.WriteFile(envFile, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			out, code := runScript(t, []string{
				"PATH=" + stubs + ":" + os.Getenv("PATH"), "ENV_FILE=" + envFile, "GOOD_TAGS=" + tc.good,
				"HEALTH_TIMEOUT=2", "HEALTH_INTERVAL=0.1",
			}, "deploy.sh", "--tag", tc.tag)
			log, _ := os.ReadFile(calls)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d\n%s\ncalls:\n%s", code, tc.wantCode, out, log)
			}
			env, _ := os.ReadFile(envFile)
			gotTag := ""
			if m := regexp.MustCompile(`(?m)^AGORA_TAG=(.*)$`).FindSubmatch(env); m != nil {
				gotTag = string(m[1])
			}
			if gotTag != tc.wantTag {
				t.Errorf("env file AGORA_TAG = %q, want %q", gotTag, tc.wantTag)
			}
			for _, w := range tc.wantInLog {
				if !strings.Contains(string(log), w) {
					t.Errorf("calls lack %q:\n%s", w, log)
				}
			}
			for _, w := range tc.notInLog {
				if strings.Contains(string(log), w) {
					t.Errorf("calls contain %q:\n%s", w, log)
				}
			}
			if tc.name == "rolled back" {
				// The rollback comes after the failed attempt.
				iNew := strings.LastIndex(string(log), "AGORA_TAG=v3 ")
				iOld := strings.LastIndex(string(log), "AGORA_TAG=v1 docker compose")
				if iOld < iNew {
					t.Errorf("no rollback to v1 after v3:\n%s", log)
				}
			}
		})
	}
}

func TestBackupAndRestoreDryRun(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	backups := filepath.Join(tmp, "backups")
	textfile := filepath.Join(tmp, "textfile")
	env := []string{"BACKUP_DIR=" + backups, "TEXTFILE_DIR=" + textfile, "ENV_FILE=/nonexistent", "BACKUP_RCLONE_REMOTE=b2:bucket"}
	out, code := runScript(t, env, "backup.sh", "--dry-run")
	if code != 0 {
		t.Fatalf("backup --dry-run exit %d\n%s", code, out)
	}
	for _, want := range []string{"pg_dump", "| gzip -c >", "+ mv -f --", "rclone copy", "rclone delete --min-age 7d", "agora_backup.prom"} {
		if !strings.Contains(out, want) {
			t.Errorf("backup dry run lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(backups); !os.IsNotExist(err) {
		t.Errorf("dry run created %s", backups)
	}
	if _, err := os.Stat(textfile); !os.IsNotExist(err) {
		t.Errorf("dry run created %s", textfile)
	}

	out, code = runScript(t, nil, "restore.sh", "--dry-run", "/nonexistent/backup_20260101_020000.sql.gz")
	if code != 0 {
		t.Fatalf("restore --dry-run exit %d\n%s", code, out)
	}
	for _, want := range []string{"gzip -t", "stop backend", "dropdb", "createdb", "psql", "ON_ERROR_STOP=1", "--single-transaction", "up -d migrate backend"} {
		if !strings.Contains(out, want) {
			t.Errorf("restore dry run lacks %q:\n%s", want, out)
		}
	}
	// A real production restore demands --yes; a missing file fails early.
	if _, code := runScript(t, nil, "restore.sh", "/nonexistent/x.sql.gz"); code == 0 {
		t.Error("restore of a missing file succeeded")
	}
}

// The renewal hook reloads Nginx and writes the expiry metric for each name
// on the certificate.
func TestCertbotHook(t *testing.T) {
	t.Parallel()
	openssl := requireTool(t, "openssl")
	tmp := t.TempDir()
	lineage := filepath.Join(tmp, "live", "agora")
	if err := os.MkdirAll(lineage, 0o755); err != nil {
		t.Fatal(err)
	}
	gen := exec.Command(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
		"-days", "45", "-subj", "/CN=api.example.com", "-addext", "subjectAltName=DNS:api.example.com,DNS:www.example.com",
		"-keyout", filepath.Join(lineage, "privkey.pem"), "-out", filepath.Join(lineage, "fullchain.pem"))
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v\n%s", err, out)
	}
	textfile := filepath.Join(tmp, "textfile")
	env := []string{"RENEWED_LINEAGE=" + lineage, "TEXTFILE_DIR=" + textfile}

	out, code := runScript(t, env, "certbot-deploy-hook.sh", "--dry-run")
	if code != 0 || !strings.Contains(out, "exec -T nginx nginx -s reload") || !strings.Contains(out, "nginx -t") {
		t.Errorf("dry run (exit %d) does not show the reload:\n%s", code, out)
	}

	out, code = runScript(t, env, "certbot-deploy-hook.sh", "--metrics-only")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	b, err := os.ReadFile(filepath.Join(textfile, "agora_tls.prom"))
	if err != nil {
		t.Fatal(err)
	}
	pemBytes, _ := os.ReadFile(filepath.Join(lineage, "fullchain.pem"))
	blk, _ := pem.Decode(pemBytes)
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	want := strconv.FormatInt(cert.NotAfter.Unix(), 10)
	for _, d := range []string{"api.example.com", "www.example.com"} {
		line := `agora_tls_cert_expiry_timestamp_seconds{domain="` + d + `"} ` + want
		if !strings.Contains(string(b), line+"\n") {
			t.Errorf("agora_tls.prom lacks %q:\n%s", line, b)
		}
	}
	if !strings.Contains(string(b), "# TYPE agora_tls_cert_expiry_timestamp_seconds gauge") {
		t.Errorf("no TYPE line:\n%s", b)
	}
}
