// Package stack_test brings the whole Compose stack up on a real Docker
// engine (deploy/compose.yaml with the CI override deploy/ci/compose.ci.yaml)
// and checks it from the outside the way an operator and a client would:
// health, the README walk-through through Nginx over TLS, the edge rules,
// client addresses, Prometheus targets and rules, backup and restore through
// `docker compose exec`, zero-downtime deploys and the automatic rollback,
// an alert e-mail, and each container's memory peak.
//
// `make test-stack` runs it (after starting the engine and building the
// images offline); it needs AGORA_STACK_TEST=1 and skips otherwise. Under
// CI=true a missing engine or image fails it with one line.
package stack_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"agora/cmd/agora/agoratest"
	"agora/internal/systest"
)

// The agora image tags deploy/ci/build-images.sh makes for this test.
const (
	tagA      = "stack-a"
	tagB      = "stack-b"
	tagBroken = "stack-broken"
	testHost  = "agora.test"
)

type stack struct {
	t       *testing.T
	repo    string
	dir     string // the test's host folders: certificates, secrets, backups
	project string
	envFile string
	caFile  string
	env     []string // COMPOSE_* and ENV_FILE for docker compose and the scripts
	https   string   // 127.0.0.1:port of Nginx's 443
	http    string   // 127.0.0.1:port of Nginx's 80
}

// need reports msg as missing (systest.Missing: fails under CI=true) unless ok.
func need(t *testing.T, ok bool, msg string) {
	t.Helper()
	if !ok {
		systest.Missing(t, msg)
	}
}

func TestStack(t *testing.T) {
	if os.Getenv("AGORA_STACK_TEST") != "1" {
		t.Skip("the live Compose stack runs with `make test-stack` (part of `make test`), which sets AGORA_STACK_TEST=1")
	}
	_, err := exec.Command("docker", "info").CombinedOutput()
	need(t, err == nil, "no Docker engine answers: run scripts/ensure-docker.sh (make test-stack does)")
	_, err = exec.Command("docker", "compose", "version").CombinedOutput()
	need(t, err == nil, "the docker compose plugin is missing: run scripts/install-compose.sh (make test-stack does)")
	for _, img := range []string{"agora-ci/agora:" + tagA, "agora-ci/agora:" + tagB, "agora-ci/agora:" + tagBroken, "agora-ci/nginx:ci", "agora-ci/debian:bookworm"} {
		err := exec.Command("docker", "image", "inspect", img).Run()
		need(t, err == nil, "image "+img+" is missing: run deploy/ci/build-images.sh "+tagA+" "+tagB+" (make test-stack does)")
	}

	removeStaleStacks(t)
	s := newStack(t)
	start := time.Now()
	out, code := s.script("deploy.sh", []string{"HEALTH_TIMEOUT=300"}, "--no-build", "--no-backup", "--tag", tagA)
	if code != 0 {
		s.dump()
		t.Fatalf("first deploy (the whole stack up) failed, exit %d:\n%s", code, out)
	}
	t.Logf("stack up and healthy in %s", time.Since(start).Round(time.Second))
	s.https = s.port("443")
	s.http = s.port("80")

	steps := []struct {
		name string
		fn   func(*testing.T, *stack)
	}{
		{"every service healthy", checkHealthy},
		{"walk-through through Nginx over TLS", checkWalkthrough},
		{"HTTP redirects to HTTPS", checkRedirect},
		{"internal paths refused at the edge", checkEdge},
		{"client address reaches the backend", checkClientAddress},
		{"Prometheus targets up and rules loaded", checkPrometheus},
		{"backup and restore through compose exec", checkBackupRestore},
		{"pgBackRest archiving, backup and restore drill", checkPgBackRest},
		{"zero-downtime deploy under load", checkZeroDowntimeDeploy},
		{"a release that never gets healthy is rolled back", checkRollback},
		{"an alert reaches the mail catcher and resolves", checkAlertMail},
	}
	for _, st := range steps {
		if !t.Run(st.name, func(t *testing.T) { st.fn(t, s) }) {
			s.dump()
		}
	}
}

func newStack(t *testing.T) *stack {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	repo := filepath.Dir(filepath.Dir(wd))
	dir, err := os.MkdirTemp("", "agora-stack-")
	if err != nil {
		t.Fatal(err)
	}
	// Containers read these as other users (nginx, nobody, uid 65532).
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s := &stack{t: t, repo: repo, dir: dir, project: "agora-stack-" + randomHex(t, 3)}
	for _, d := range []string{"letsencrypt/live/agora", "www", "textfile", "alertmanager-secrets", "backups", "control", "prometheus-targets"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	s.caFile = filepath.Join(dir, "letsencrypt/live/agora/fullchain.pem")
	// Self-signed for the names a client of the stack uses: agora.test,
	// nginx (inside the network) and loopback. The key is read by Nginx's
	// master process (root in the container).
	systest.SelfSigned(t, 48*time.Hour, testHost, "nginx", "localhost", "127.0.0.1", "::1").
		WriteFiles(t, s.caFile, filepath.Join(dir, "letsencrypt/live/agora/privkey.pem"))
	// The blackbox probe's target, as bootstrap.sh writes it for the real
	// domain; here Nginx's name on the stack's network.
	if err := os.WriteFile(filepath.Join(dir, "prometheus-targets/public-urls.yml"),
		[]byte("- targets:\n    - https://nginx/healthz\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	// The signing key, as an operator makes it, readable by the image's user.
	keyFile := filepath.Join(dir, "jwt_private_key.pem")
	if out, err := exec.Command(agoratest.Binary(t), "keygen", "-out", keyFile).CombinedOutput(); err != nil {
		t.Fatalf("agora keygen: %v\n%s", err, out)
	}
	if os.Geteuid() == 0 {
		err = os.Chown(keyFile, 65532, 65532)
	} else {
		err = os.Chmod(keyFile, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}

	s.envFile = filepath.Join(dir, "stack.env")
	env := strings.Join([]string{
		"AGORA_IMAGE=agora-ci/agora",
		"AGORA_TAG=" + tagA,
		"POSTGRES_PASSWORD=" + randomHex(t, 16),
		"AGORA_DB_APP_PASSWORD=" + randomHex(t, 16),
		"AGORA_DB_MONITOR_PASSWORD=" + randomHex(t, 16),
		"PUBLIC_BASE_URL=https://" + testHost,
		"JWT_ISSUER=https://" + testHost,
		"JWT_AUDIENCE=agora",
		"MAIL_FROM=Agora <no-reply@" + testHost + ">",
		"GRAFANA_ADMIN_PASSWORD=" + randomHex(t, 16),
		"ALERTMANAGER_SMTP_SMARTHOST=mailcatcher:1025",
		"ALERTMANAGER_SMTP_FROM=alerts@" + testHost,
		"ALERTMANAGER_EMAIL_TO=oncall@" + testHost,
		"ALERTMANAGER_SMTP_AUTH=off",
		"ALERTMANAGER_SMTP_REQUIRE_TLS=false",
		"LETSENCRYPT_DIR=" + filepath.Join(dir, "letsencrypt"),
		"CERTBOT_WEBROOT=" + filepath.Join(dir, "www"),
		"TEXTFILE_DIR=" + filepath.Join(dir, "textfile"),
		"ALERTMANAGER_SECRETS_DIR=" + filepath.Join(dir, "alertmanager-secrets"),
		"JWT_PRIVATE_KEY_PATH=" + keyFile,
		"BACKUP_DIR=" + filepath.Join(dir, "backups"),
		"PROMETHEUS_TARGETS_DIR=" + filepath.Join(dir, "prometheus-targets"),
		"AGORA_CI_CA_FILE=" + s.caFile,
		"",
	}, "\n")
	if err := os.WriteFile(s.envFile, []byte(env), 0o600); err != nil {
		t.Fatal(err)
	}
	s.env = []string{
		"COMPOSE_FILE=" + filepath.Join(repo, "deploy/compose.yaml") + ":" + filepath.Join(repo, "deploy/ci/compose.ci.yaml"),
		"COMPOSE_PROJECT_NAME=" + s.project,
		"COMPOSE_ENV_FILES=" + s.envFile,
		// A random ULA /64, so that stacks on one engine never overlap.
		"AGORA_CI_IPV6_SUBNET=fd" + randomHex(t, 1) + ":" + randomHex(t, 2) + ":" + randomHex(t, 2) + "::/64",
		"ENV_FILE=" + s.envFile,
	}
	t.Cleanup(func() {
		if os.Getenv("AGORA_STACK_KEEP") == "1" {
			t.Logf("AGORA_STACK_KEEP=1: project %s left running; env %s", s.project, s.envFile)
			return
		}
		s.removeLoad()
		if out, err := s.compose("down", "--volumes", "--remove-orphans", "--timeout", "10"); err != nil {
			t.Errorf("compose down: %v\n%s", err, out)
		}
		_ = os.RemoveAll(dir)
	})
	return s
}

// removeStaleStacks takes down what a killed earlier run left behind (its
// node_exporter would hold the host-gateway port).
func removeStaleStacks(t *testing.T) {
	t.Helper()
	out, err := exec.Command("docker", "compose", "ls", "--all", "--quiet", "--filter", "name=agora-stack-").Output()
	if err != nil {
		return
	}
	for _, p := range strings.Fields(string(out)) {
		t.Logf("removing the stale stack %s", p)
		_ = exec.Command("docker", "compose", "-p", p, "down", "--volumes", "--remove-orphans", "--timeout", "5").Run()
	}
	if ids, _ := exec.Command("docker", "ps", "-aq", "--filter", "label=agora-stack-load").Output(); len(strings.Fields(string(ids))) > 0 {
		_ = exec.Command("docker", append([]string{"rm", "-f"}, strings.Fields(string(ids))...)...).Run()
	}
}

// compose runs `docker compose ARGS` for this stack.
func (s *stack) compose(args ...string) (string, error) {
	cmd := exec.Command("docker", append([]string{"compose"}, args...)...)
	cmd.Env = append(os.Environ(), s.env...)
	cmd.Dir = s.repo
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (s *stack) mustCompose(t *testing.T, args ...string) string {
	t.Helper()
	out, err := s.compose(args...)
	if err != nil {
		t.Fatalf("docker compose %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// composeStdout runs compose and returns its standard output alone.
func (s *stack) composeStdout(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command("docker", append([]string{"compose"}, args...)...)
	cmd.Env = append(os.Environ(), s.env...)
	cmd.Dir = s.repo
	cmd.Stdin = strings.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("docker compose %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// script runs deploy/scripts/NAME with the stack's environment.
func (s *stack) script(name string, env []string, args ...string) (string, int) {
	cmd := exec.Command("bash", append([]string{filepath.Join(s.repo, "deploy/scripts", name)}, args...)...)
	cmd.Env = append(append(os.Environ(), s.env...), env...)
	cmd.Dir = s.repo
	out, err := cmd.CombinedOutput()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return string(out), ee.ExitCode()
		}
		return string(out) + err.Error(), -1
	}
	return string(out), 0
}

// port returns the loopback address Compose published Nginx's PORT on.
func (s *stack) port(port string) string {
	s.t.Helper()
	out, err := s.compose("port", "nginx", port)
	if err != nil {
		s.t.Fatalf("compose port nginx %s: %v\n%s", port, err, out)
	}
	addr := strings.TrimSpace(out)
	if _, _, err := net.SplitHostPort(addr); err != nil || !strings.HasPrefix(addr, "127.0.0.1:") {
		s.t.Fatalf("nginx %s is published on %q, want 127.0.0.1:PORT", port, addr)
	}
	return addr
}

// psql runs SQL in the stack's database and returns the unaligned output.
func (s *stack) psql(t *testing.T, sql string) string {
	t.Helper()
	return strings.TrimSpace(s.composeStdout(t, sql, "exec", "-T", "postgres",
		"sh", "-c", `psql --no-psqlrc -X -At -v ON_ERROR_STOP=1 --username="$POSTGRES_USER" --dbname="$POSTGRES_DB"`))
}

// prom GETs a path of the Prometheus API from inside its container.
func (s *stack) prom(t *testing.T, path string, out any) {
	t.Helper()
	body := s.composeStdout(t, "", "exec", "-T", "prometheus", "wget", "-q", "-O", "-", "http://127.0.0.1:9090"+path)
	if err := json.Unmarshal([]byte(body), out); err != nil {
		t.Fatalf("prometheus %s: %v\n%.500s", path, err, body)
	}
}

// logLines returns the JSON lines a service wrote to stdout.
func (s *stack) logLines(t *testing.T, service string) []map[string]any {
	t.Helper()
	out := s.composeStdout(t, "", "logs", "--no-log-prefix", "--no-color", service)
	var lines []map[string]any
	for _, l := range strings.Split(out, "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil {
			lines = append(lines, m)
		}
	}
	return lines
}

// dump logs the state of every container, for a failed step.
func (s *stack) dump() {
	out, _ := s.compose("ps", "-a")
	s.t.Logf("docker compose ps -a:\n%s", out)
	out, _ = s.compose("logs", "--tail", "15", "--no-color")
	s.t.Logf("docker compose logs --tail 15:\n%s", out)
}

// eventually polls cond every interval until it returns "" (done) or the
// time is up, and then fails with cond's last word.
func eventually(t *testing.T, within, interval time.Duration, cond func() string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		why := cond()
		if why == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", within, why)
		}
		time.Sleep(interval)
	}
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
