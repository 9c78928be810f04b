package deploy_test

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"agora/internal/systest"
)

var deployScripts = []string{"bootstrap.sh", "deploy.sh", "backup.sh", "restore.sh", "certbot-deploy-hook.sh",
	"pgbackrest-backup.sh", "restore-drill.sh", "secrets-archive.sh"}

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
	return out.String(), systest.ExitCode(t, err)
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
	systest.Shellcheck(t, paths...)
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
		"--dry-run", "--domain", "api.example.com", "--email", "ops@example.com", "--offsite-env", offsiteEnv(t, nil))
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
		"30 2 * * * deploy /home/deploy/agora/deploy/scripts/backup.sh",
		"0 2 * * 0 deploy /home/deploy/agora/deploy/scripts/pgbackrest-backup.sh full",
		"0 2 * * 1-6 deploy /home/deploy/agora/deploy/scripts/pgbackrest-backup.sh diff",
		"deploy/scripts/secrets-archive.sh",
		"+ set PGBACKREST_REPO2_CIPHER_PASS in /home/deploy/agora/deploy/.env",
		"+ systemctl enable agora-restore-drill.timer",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run does not show %q", want)
		}
	}
	// UFW opens exactly 22, 80 and 443 to the world, and node_exporter's
	// port on the host-gateway address to the private ranges only.
	var world, private []string
	for _, m := range regexp.MustCompile(`(?m)^\+ ufw allow (.+)$`).FindAllStringSubmatch(out, -1) {
		if strings.HasPrefix(m[1], "from ") {
			private = append(private, m[1])
		} else {
			world = append(world, m[1])
		}
	}
	if strings.Join(world, ",") != "22/tcp,80/tcp,443/tcp" {
		t.Errorf("ufw opens to the world: %v", world)
	}
	for _, r := range private {
		if !regexp.MustCompile(`^from (172\.16\.0\.0/12|192\.168\.0\.0/16) to 172\.17\.0\.1 port 9100 proto tcp$`).MatchString(r) {
			t.Errorf("unexpected ufw rule: %s", r)
		}
	}
	for _, want := range []string{`"userland-proxy": false`, `"ip6tables": true`, "systemctl restart docker", "agora-container-state.timer", "/etc/agora/prometheus-targets/public-urls.yml", "https://api.example.com/healthz"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run does not show %q", want)
		}
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
	// Only read-only look-ups run (loading the configuration).
	if b, _ := os.ReadFile(calls); len(b) > 0 {
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if !strings.HasSuffix(l, "docker compose config --format json") {
				t.Errorf("the dry run ran %q", l)
			}
		}
	}
	// The order is the zero-downtime hand-over (the live stack test,
	// deploy/stack, runs it for real).
	steps := []string{
		"docker compose build backend", "backup.sh", "up -d --wait postgres", "agora-roles", "stanza-create", "run --rm migrate", "agora-roles",
		"--no-recreate --scale backend=2 backend", "wait up to", "set-upstream.sh new-backend",
		"sleep 5", "docker stop -t 30 old-backend", "set-upstream.sh backend", "set AGORA_TAG=new1", "up -d --wait --wait-timeout 120 --remove-orphans",
	}
	// Each step is searched after the one before (agora-roles runs twice).
	last := 0
	for _, s := range steps {
		i := strings.Index(out[last:], s)
		if i < 0 {
			t.Errorf("step %q missing or out of order in:\n%s", s, out)
			continue
		}
		last += i + len(s)
	}
	if strings.Contains(out, "build --pull") {
		t.Errorf("base images are pulled only with --pull-base:\n%s", out)
	}
	if b, _ := os.ReadFile(envFile); string(b) != "AGORA_TAG=old\n" {
		t.Errorf("dry run changed the env file: %q", b)
	}
	out, code = runScript(t, []string{"PATH=" + stubs + ":" + os.Getenv("PATH"), "ENV_FILE=" + envFile}, "deploy.sh", "--dry-run", "--tag", "new1", "--pull-base")
	if code != 0 || !strings.Contains(out, "docker compose build --pull backend") {
		t.Errorf("--pull-base (exit %d) does not pull the bases:\n%s", code, out)
	}
}

// Bad arguments and settings stop deploy.sh before it touches anything, with
// one line that names the problem.
func TestDeployRefusesBadInput(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	calls := filepath.Join(tmp, "calls")
	stubs := stubDir(t, calls, map[string]string{"docker": "echo docker-was-called >&2; exit 0", "git": "echo abc; exit 0"})
	envFile := filepath.Join(tmp, ".env")
	if err := os.WriteFile(envFile, []byte("AGORA_TAG=old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"PATH=" + stubs + ":" + os.Getenv("PATH"), "ENV_FILE=" + envFile}
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		code int
		want string
	}{
		{"unknown argument", nil, []string{"--frobnicate"}, 2, "unknown argument: --frobnicate"},
		{"tag without value", nil, []string{"--tag"}, 2, "--tag needs a value"},
		{"bad tag", nil, []string{"--tag", "../etc"}, 1, "not a valid image tag: ../etc"},
		{"tag with a NUL-free control", nil, []string{"--tag", "v1\tx"}, 1, "not a valid image tag"},
		{"pull without tag", nil, []string{"--pull"}, 1, "--pull and --no-build need --tag TAG"},
		{"no-build without tag", nil, []string{"--no-build"}, 1, "--pull and --no-build need --tag TAG"},
		{"timeout not a number", []string{"HEALTH_TIMEOUT=soon"}, []string{"--tag", "v1"}, 2, "HEALTH_TIMEOUT must be a whole number of seconds"},
		{"timeout octal-looking", []string{"HEALTH_TIMEOUT=08"}, []string{"--tag", "v1"}, 2, "HEALTH_TIMEOUT must be a whole number of seconds"},
		{"timeout zero", []string{"HEALTH_TIMEOUT=0"}, []string{"--tag", "v1"}, 2, "HEALTH_TIMEOUT must be a whole number of seconds"},
		{"timeout overflow", []string{"HEALTH_TIMEOUT=99999999999999999999"}, []string{"--tag", "v1"}, 2, "HEALTH_TIMEOUT must be a whole number of seconds"},
		{"interval zero", []string{"HEALTH_INTERVAL=0"}, []string{"--tag", "v1"}, 2, "HEALTH_INTERVAL must be a whole number of seconds"},
		{"drain negative", []string{"DRAIN_SECONDS=-1"}, []string{"--tag", "v1"}, 2, "DRAIN_SECONDS must be a whole number"},
		{"drain fraction", []string{"DRAIN_SECONDS=1.5"}, []string{"--tag", "v1"}, 2, "DRAIN_SECONDS must be a whole number"},
		{"no env file", []string{"ENV_FILE=" + filepath.Join(tmp, "missing.env")}, []string{"--tag", "v1"}, 1, "does not exist: copy deploy/.env.example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := append(append([]string{}, base...), tc.env...)
			out, code := runScript(t, env, "deploy.sh", tc.args...)
			if code != tc.code || !strings.Contains(out, tc.want) {
				t.Errorf("exit %d (want %d), output lacks %q:\n%s", code, tc.code, tc.want, out)
			}
			if strings.Contains(out, "docker-was-called") {
				t.Errorf("docker ran before the input was checked:\n%s", out)
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
	for _, want := range []string{"pg_dump", "| gzip -c >", "+ mv -f --", "rclone copy", "rclone lsf --files-only", "agora_backup.prom"} {
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

	if out, code := runScript(t, nil, "restore.sh", "--dry-run", "/nonexistent/backup_20260101_020000.sql.gz"); code == 0 || !strings.Contains(out, "cannot read") {
		t.Errorf("restore --dry-run of a missing file: exit %d\n%s", code, out)
	}
	if out, code := runScript(t, nil, "restore.sh", "--dry-run", tmp); code == 0 {
		t.Errorf("restore --dry-run of a folder: exit 0\n%s", out)
	}
	dump := filepath.Join(tmp, "backup_20260101_020000.sql.gz")
	if err := os.WriteFile(dump, []byte("not read by a dry run"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, code = runScript(t, nil, "restore.sh", "--dry-run", dump)
	if code != 0 {
		t.Fatalf("restore --dry-run exit %d\n%s", code, out)
	}
	for _, want := range []string{"gzip -t", "stop backend", "dropdb", "createdb", "psql", "ON_ERROR_STOP=1", "--single-transaction", "run --rm migrate", "exec -T postgres agora-roles", "up -d --wait backend"} {
		if !strings.Contains(out, want) {
			t.Errorf("restore dry run lacks %q:\n%s", want, out)
		}
	}
	// The current data is backed up before it is replaced.
	if b, st := strings.Index(out, "backup.sh"), strings.Index(out, "stop backend"); b < 0 || b > st {
		t.Errorf("restore does not take a safety backup before stopping the backend:\n%s", out)
	}
	// backup.sh reads quoted values from the env file as Compose does.
	envFile := filepath.Join(tmp, "quoted.env")
	if err := os.WriteFile(envFile, []byte("BACKUP_DIR=\"/srv/quoted backups\"\nTEXTFILE_DIR='/srv/textfile'\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, code = runScript(t, []string{"ENV_FILE=" + envFile}, "backup.sh", "--dry-run")
	if code != 0 || !strings.Contains(out, "mkdir -p /srv/quoted backups") || strings.Contains(out, `"/srv`) || !strings.Contains(out, "/srv/textfile/agora_backup.prom") {
		t.Errorf("quoted env values (exit %d):\n%s", code, out)
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
	openssl := systest.Tool(t, "openssl")
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

// The container-side helpers (deploy/nginx/*.sh, POSIX sh) and the CI image
// builder pass shellcheck too, and so does every script of the repository's
// scripts/ (make deps, run, bench, drill..., with the lib.sh they source).
func TestOtherScriptsShellcheck(t *testing.T) {
	t.Parallel()
	systest.Shellcheck(t,
		filepath.Join(deployDir(t), "nginx", "start.sh"),
		filepath.Join(deployDir(t), "nginx", "set-upstream.sh"),
		filepath.Join(deployDir(t), "ci", "build-images.sh"),
		filepath.Join(deployDir(t), "ci", "images", "postgres-entrypoint.sh"),
	)
	repoScripts, err := filepath.Glob(filepath.Join(repoRoot(t), "scripts", "*.sh"))
	if err != nil || len(repoScripts) < 10 {
		t.Fatalf("scripts/*.sh: %d files, %v", len(repoScripts), err)
	}
	systest.Shellcheck(t, repoScripts...)
}

// set-upstream.sh (run in the Nginx container by deploy.sh) refuses what is
// not a host[:port], keeps the old list when nginx -t fails, and reloads
// Nginx only after a list that passes.
func TestSetUpstream(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	list := filepath.Join(tmp, "servers.conf")
	const orig = "server backend:8000 max_fails=1 fail_timeout=10s;\n"
	calls := filepath.Join(tmp, "calls")
	run := func(nginxBody string, args ...string) (string, int) {
		if err := os.WriteFile(list, []byte(orig), 0o644); err != nil {
			t.Fatal(err)
		}
		stubs := stubDir(t, calls, map[string]string{"nginx": nginxBody})
		cmd := exec.Command("sh", append([]string{filepath.Join(deployDir(t), "nginx", "set-upstream.sh")}, args...)...)
		cmd.Env = append(os.Environ(), "PATH="+stubs+":"+os.Getenv("PATH"), "UPSTREAM_FILE="+list)
		out, err := cmd.CombinedOutput()
		return string(out), systest.ExitCode(t, err)
	}
	read := func() string { b, _ := os.ReadFile(list); return string(b) }

	for _, bad := range [][]string{{}, {"bad;name"}, {"a b"}, {"ok", "$(reboot)"}, {""}, {"x\ny"}} {
		out, code := run("exit 0", bad...)
		if code != 2 || read() != orig {
			t.Errorf("set-upstream %q: exit %d, list %q\n%s", bad, code, read(), out)
		}
	}
	_ = os.Remove(calls)
	out, code := run("exit 0", "agora-backend-2", "10.0.0.5:8001")
	want := "server agora-backend-2:8000 max_fails=1 fail_timeout=10s;\nserver 10.0.0.5:8001 max_fails=1 fail_timeout=10s;\n"
	if code != 0 || read() != want {
		t.Errorf("exit %d, list %q, want %q\n%s", code, read(), want, out)
	}
	if b, _ := os.ReadFile(calls); !strings.Contains(string(b), "nginx -t") || !strings.Contains(string(b), "nginx -s reload") {
		t.Errorf("nginx was not tested and reloaded:\n%s", b)
	}
	_ = os.Remove(calls)
	out, code = run(`case "$*" in *-t*) exit 1 ;; esac; exit 0`, "other-backend")
	if code != 1 || read() != orig || !strings.Contains(out, "kept the old one") {
		t.Errorf("a list that fails nginx -t: exit %d, list %q\n%s", code, read(), out)
	}
	if b, _ := os.ReadFile(calls); strings.Contains(string(b), "reload") {
		t.Errorf("nginx reloaded after a failed test:\n%s", b)
	}
}

// A production restore of a backup older than the retention (fetched from
// off-site, say) loads that file: the safety backup before it prunes nothing,
// so the file is still there and the database is not left empty.
func TestRestoreOfAnOldBackupSurvivesTheSafetyBackup(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	backups := filepath.Join(tmp, "backups")
	if err := os.MkdirAll(backups, 0o700); err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(backups, "backup_20200101_020000.sql.gz")
	gz := exec.Command("sh", "-c", "printf -- '-- old data\\nSELECT 1;\\n--\\n-- PostgreSQL database dump complete\\n--\\n' | gzip >"+old)
	if out, err := gz.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	log := filepath.Join(tmp, "calls.log")
	loaded := filepath.Join(tmp, "loaded.sql")
	bin := stubDir(t, log, map[string]string{"docker": `case "$*" in
  *pg_dump*) printf -- '-- current data\n--\n-- PostgreSQL database dump complete\n--\n' ;;
  *single-transaction*) cat >` + loaded + ` ;;
esac`})
	env := []string{"PATH=" + bin + ":" + os.Getenv("PATH"), "BACKUP_DIR=" + backups,
		"TEXTFILE_DIR=" + filepath.Join(tmp, "textfile"), "ENV_FILE=/nonexistent"}
	out, code := runScript(t, env, "restore.sh", "--yes", old)
	if code != 0 {
		t.Fatalf("restore exit %d\n%s", code, out)
	}
	if _, err := os.Stat(old); err != nil {
		t.Errorf("the restored file is gone after the restore: %v\n%s", err, out)
	}
	if got, err := os.ReadFile(loaded); err != nil || !strings.Contains(string(got), "-- old data") {
		t.Errorf("the database was not loaded from %s (%v): %q\n%s", old, err, got, out)
	}
	safety, _ := filepath.Glob(filepath.Join(backups, "backup_*.sql.gz"))
	if len(safety) != 2 {
		t.Errorf("want the old file and one safety backup, have %v", safety)
	}
}

// backup.sh --no-prune deletes nothing; with --prune-only it is refused.
func TestBackupNoPrune(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	env := []string{"BACKUP_DIR=" + filepath.Join(tmp, "b"), "TEXTFILE_DIR=" + filepath.Join(tmp, "t"),
		"ENV_FILE=/nonexistent", "BACKUP_RCLONE_REMOTE=b2:bucket"}
	out, code := runScript(t, env, "backup.sh", "--dry-run", "--no-prune")
	if code != 0 || strings.Contains(out, "rclone delete") || !strings.Contains(out, "rclone copy") {
		t.Errorf("backup --no-prune (exit %d) pruned or did not copy:\n%s", code, out)
	}
	out, code = runScript(t, env, "backup.sh", "--prune-only", "--no-prune")
	if code != 2 || !strings.Contains(out, "exclude each other") {
		t.Errorf("--prune-only --no-prune: exit %d\n%s", code, out)
	}
}

// pgbackrest-backup.sh when pgBackRest cannot be reached at all (the
// container or Docker down): the run fails, and the last known backup times
// stay in the metric, so that PgBackRestBackupTooOld keeps counting instead
// of losing its series.
func TestPgBackRestBackupKeepsAgesWhenUnreachable(t *testing.T) {
	t.Parallel()
	textfile := t.TempDir()
	metric := filepath.Join(textfile, "agora_pgbackrest.prom")
	const age = `agora_pgbackrest_backup_timestamp_seconds{repo="2",type="diff"} 1700000000`
	if err := os.WriteFile(metric, []byte(age+"\nagora_pgbackrest_last_status 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, code := runScript(t, []string{"PGBACKREST_EXEC=false", "TEXTFILE_DIR=" + textfile, "ENV_FILE=/nonexistent"},
		"pgbackrest-backup.sh", "diff")
	if code == 0 {
		t.Fatalf("a run without pgBackRest succeeded:\n%s", out)
	}
	got, err := os.ReadFile(metric)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(got), "\n"+age+"\n") || !strings.Contains(string(got), "\nagora_pgbackrest_last_status 0\n") {
		t.Errorf("metric after an unreachable pgBackRest:\n%s\nlog:\n%s", got, out)
	}
}
