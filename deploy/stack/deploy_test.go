package stack_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"agora/deploy/stack/loadgen/result"
)

// Load: loadClients containers on the stack's network, each its own client
// address (Nginx and the backend limit each address to 20 requests a second),
// together a constant loadRate requests a second of writes and reads through
// Nginx.
const (
	loadClients = 6
	loadPerSec  = 17
	loadRate    = loadClients * loadPerSec
)

// loadResult is what each loadgen writes when it stops.
type loadResult = result.Result

type load struct {
	control string
	names   []string
}

// loadgenBinary builds deploy/stack/loadgen, static, once.
func (s *stack) loadgenBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(s.dir, "bin", "loadgen")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, "./deploy/stack/loadgen")
	cmd.Dir = s.repo
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build loadgen: %v\n%s", err, out)
	}
	return bin
}

// startLoad starts the load containers and waits until each has registered
// and is sending.
func (s *stack) startLoad(t *testing.T, round string) *load {
	t.Helper()
	bin := s.loadgenBinary(t)
	l := &load{control: filepath.Join(s.dir, "control", round)}
	if err := os.MkdirAll(l.control, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(l.control, 0o777); err != nil {
		t.Fatal(err)
	}
	ca, err := os.ReadFile(s.caFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(l.control, "ca.pem"), ca, 0o644); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= loadClients; i++ {
		name := fmt.Sprintf("%s_%s%d", round, "c", i)
		l.names = append(l.names, name)
		out, err := exec.Command("docker", "run", "-d", "--name", s.project+"-load-"+name,
			"--label", "agora-stack-load="+s.project,
			"--network", s.project+"_agora", "--memory", "64m",
			"-v", bin+":/loadgen:ro", "-v", l.control+":/control",
			"agora-ci/debian:bookworm", "/loadgen",
			"-base", "https://nginx", "-host", testHost, "-rate", strconv.Itoa(loadPerSec),
			"-name", name, "-control", "/control", "-ca", "/control/ca.pem", "-max", "5m",
		).CombinedOutput()
		if err != nil {
			t.Fatalf("start load %s: %v\n%s", name, err, out)
		}
	}
	time.Sleep(4 * time.Second)
	for _, n := range l.names {
		out, _ := exec.Command("docker", "inspect", "--format", "{{.State.Running}} {{.State.ExitCode}}", s.project+"-load-"+n).CombinedOutput()
		if !strings.HasPrefix(string(out), "true") {
			logs, _ := exec.Command("docker", "logs", s.project+"-load-"+n).CombinedOutput()
			t.Fatalf("load client %s is not running (%s):\n%s", n, strings.TrimSpace(string(out)), logs)
		}
	}
	return l
}

// stop ends the load and sums what the clients report.
func (l *load) stop(t *testing.T, s *stack) loadResult {
	t.Helper()
	if err := os.WriteFile(filepath.Join(l.control, "stop"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var sum loadResult
	for _, n := range l.names {
		out, err := exec.Command("docker", "wait", s.project+"-load-"+n).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "0" {
			logs, _ := exec.Command("docker", "logs", s.project+"-load-"+n).CombinedOutput()
			t.Fatalf("load client %s: exit %s %v\n%s", n, out, err, logs)
		}
		b, err := os.ReadFile(filepath.Join(l.control, n+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var r loadResult
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		sum.Sent += r.Sent
		sum.Succeeded += r.Succeeded
		sum.Failed += r.Failed
		sum.Failures = append(sum.Failures, r.Failures...)
		sum.Created = append(sum.Created, r.Created...)
	}
	s.removeLoad()
	return sum
}

func (s *stack) removeLoad() {
	out, _ := exec.Command("docker", "ps", "-aq", "--filter", "label=agora-stack-load="+s.project).Output()
	if ids := strings.Fields(string(out)); len(ids) > 0 {
		_ = exec.Command("docker", append([]string{"rm", "-f"}, ids...)...).Run()
	}
}

// checkWrites fails unless every post the API acknowledged is in the database.
func (s *stack) checkWrites(t *testing.T, created []string) {
	t.Helper()
	if len(created) == 0 {
		t.Fatal("the load created no post")
	}
	got := s.psql(t, "SELECT count(*) FROM posts WHERE id = ANY('{"+strings.Join(created, ",")+"}'::uuid[])")
	if got != strconv.Itoa(len(created)) {
		t.Errorf("%d posts were acknowledged with 201, %s are in the database", len(created), got)
	}
}

func (s *stack) backend(t *testing.T) psLine {
	t.Helper()
	var found []psLine
	for _, p := range s.ps(t) {
		if p.Service == "backend" {
			found = append(found, p)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d backend containers, want 1: %+v", len(found), found)
	}
	return found[0]
}

func reportLoad(t *testing.T, what string, r loadResult, took time.Duration) {
	t.Helper()
	t.Logf("%s: %d requests sent at ~%d req/s by %d clients through Nginx, %d succeeded, %d failed; %d writes acknowledged (%s)",
		what, r.Sent, loadRate, loadClients, r.Succeeded, r.Failed, len(r.Created), took.Round(time.Second))
	if r.Failed > 0 {
		t.Errorf("%d requests failed; first ones:\n%s", r.Failed, strings.Join(r.Failures, "\n"))
	}
}

// deploy.sh moves the backend to a new image while clients read and write
// through Nginx: no request fails, no acknowledged write is lost.
func checkZeroDowntimeDeploy(t *testing.T, s *stack) {
	if img := s.backend(t).Image; img != "agora-ci/agora:"+tagA {
		t.Fatalf("backend runs %s before the deploy, want tag %s", img, tagA)
	}
	start := time.Now()
	l := s.startLoad(t, "deploy")
	out, code := s.script("deploy.sh", []string{"HEALTH_INTERVAL=1", "HEALTH_TIMEOUT=120"}, "--no-build", "--tag", tagB)
	deployTook := time.Since(start)
	time.Sleep(3 * time.Second) // traffic after the hand-over, too
	r := l.stop(t, s)
	if code != 0 {
		t.Fatalf("deploy.sh --tag %s: exit %d\n%s", tagB, code, out)
	}
	t.Logf("deploy.sh took %s:\n%s", deployTook.Round(time.Second), out)
	reportLoad(t, "zero-downtime deploy", r, time.Since(start))
	s.checkWrites(t, r.Created)
	if img := s.backend(t).Image; img != "agora-ci/agora:"+tagB {
		t.Errorf("backend runs %s after the deploy, want tag %s", img, tagB)
	}
	if env, _ := os.ReadFile(s.envFile); !strings.Contains(string(env), "\nAGORA_TAG="+tagB+"\n") {
		t.Errorf("the env file does not record AGORA_TAG=%s", tagB)
	}
	s.reportMemory(t)
}

// A release whose container never gets healthy is removed by deploy.sh, which
// exits non-zero with one clear line; the running release keeps serving.
func checkRollback(t *testing.T, s *stack) {
	before := s.backend(t)
	start := time.Now()
	l := s.startLoad(t, "rollback")
	out, code := s.script("deploy.sh", []string{"HEALTH_INTERVAL=1", "HEALTH_TIMEOUT=60"}, "--no-build", "--no-backup", "--tag", tagBroken)
	r := l.stop(t, s)
	t.Logf("deploy.sh --tag %s (exit %d):\n%s", tagBroken, code, out)
	if code == 0 {
		t.Fatalf("deploy.sh of a release that never gets healthy exited 0")
	}
	if !strings.Contains(out, "ROLLED BACK: tag "+tagBroken+" never became healthy") {
		t.Errorf("no clear rollback line in the output")
	}
	reportLoad(t, "failed deploy, rolled back", r, time.Since(start))
	s.checkWrites(t, r.Created)
	after := s.backend(t)
	if after.ID != before.ID || after.Image != "agora-ci/agora:"+tagB {
		t.Errorf("backend changed: before %s %s, after %s %s", before.ID, before.Image, after.ID, after.Image)
	}
	if env, _ := os.ReadFile(s.envFile); !strings.Contains(string(env), "\nAGORA_TAG="+tagB+"\n") {
		t.Errorf("the env file no longer records AGORA_TAG=%s:\n%s", tagB, env)
	}
}

// reportMemory logs each container's peak memory against its limit (cgroup
// v1 max_usage_in_bytes, or v2 memory.peak) and fails for one at its limit.
func (s *stack) reportMemory(t *testing.T) {
	t.Helper()
	var rows []string
	for _, p := range s.ps(t) {
		if p.State != "running" {
			continue
		}
		full, err := exec.Command("docker", "inspect", "--format", "{{.Id}}", p.ID).Output()
		if err != nil {
			t.Fatal(err)
		}
		id := strings.TrimSpace(string(full))
		peak, limit, ok := cgroupMemory(id)
		if !ok {
			t.Logf("%s: no cgroup memory figures found", p.Service)
			continue
		}
		rows = append(rows, fmt.Sprintf("%-18s peak %6.1f MiB of %6.1f MiB (%3.0f %%)", p.Service, mib(peak), mib(limit), 100*float64(peak)/float64(limit)))
		if peak >= limit {
			t.Errorf("%s reached its memory limit (%d bytes)", p.Service, limit)
		}
	}
	sort.Strings(rows)
	t.Logf("memory peaks under the load:\n%s", strings.Join(rows, "\n"))
	if dir := os.Getenv("AGORA_ARTIFACTS"); dir != "" {
		_ = os.MkdirAll(dir, 0o755)
		_ = os.WriteFile(filepath.Join(dir, "stack-memory.txt"), []byte(strings.Join(rows, "\n")+"\n"), 0o644)
	}
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

func cgroupMemory(id string) (peak, limit int64, ok bool) {
	read := func(path string) (int64, bool) {
		b, err := os.ReadFile(path)
		if err != nil {
			return 0, false
		}
		v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		return v, err == nil
	}
	for _, dir := range []string{"/sys/fs/cgroup/memory/docker/" + id, "/sys/fs/cgroup/memory/system.slice/docker-" + id + ".scope"} {
		p, ok1 := read(dir + "/memory.max_usage_in_bytes")
		l, ok2 := read(dir + "/memory.limit_in_bytes")
		if ok1 && ok2 {
			return p, l, true
		}
	}
	for _, dir := range []string{"/sys/fs/cgroup/system.slice/docker-" + id + ".scope", "/sys/fs/cgroup/docker/" + id} {
		p, ok1 := read(dir + "/memory.peak")
		l, ok2 := read(dir + "/memory.max")
		if ok1 && ok2 {
			return p, l, true
		}
	}
	return 0, 0, false
}

// Stopping PostgreSQL fires PostgresDown; Alertmanager sends it by e-mail
// (the seed's route) to the mail catcher; starting PostgreSQL resolves it.
func checkAlertMail(t *testing.T, s *stack) {
	start := time.Now()
	s.mustCompose(t, "stop", "postgres")
	started := false
	defer func() {
		if !started {
			_, _ = s.compose("start", "postgres")
		}
	}()
	var mail string
	eventually(t, 5*time.Minute, 5*time.Second, func() string {
		mail = s.composeStdout(t, "", "logs", "--no-log-prefix", "--no-color", "mailcatcher")
		if !strings.Contains(mail, "PostgresDown") {
			return "no e-mail about PostgresDown reached the mail catcher"
		}
		return ""
	})
	t.Logf("PostgresDown e-mailed %s after PostgreSQL stopped", time.Since(start).Round(time.Second))
	for _, want := range []string{"oncall@" + testHost, "alerts@" + testHost, "Subject:"} {
		if !strings.Contains(mail, want) {
			t.Errorf("the alert e-mail lacks %q", want)
		}
	}
	s.mustCompose(t, "start", "postgres")
	started = true
	resolvedAt := time.Now()
	eventually(t, 4*time.Minute, 5*time.Second, func() string {
		body := s.composeStdout(t, "", "exec", "-T", "alertmanager", "wget", "-q", "-O", "-",
			`http://127.0.0.1:9093/api/v2/alerts?active=true&filter=alertname%3D%22PostgresDown%22`)
		var alerts []map[string]any
		if err := json.Unmarshal([]byte(body), &alerts); err != nil {
			return "alertmanager: " + err.Error()
		}
		if len(alerts) > 0 {
			return "PostgresDown is still active in Alertmanager"
		}
		return ""
	})
	t.Logf("PostgresDown resolved %s after PostgreSQL started", time.Since(resolvedAt).Round(time.Second))
	// The backend reconnects by itself.
	c := s.client(t)
	eventually(t, time.Minute, 2*time.Second, func() string {
		for _, p := range s.ps(t) {
			if p.Service == "backend" && p.Health != "healthy" {
				return "backend " + p.Health
			}
		}
		resp, _ := get(t, c, "https://"+s.https+"/healthz", nil)
		if resp.StatusCode != 200 {
			return fmt.Sprint("/healthz ", resp.StatusCode)
		}
		return ""
	})
}
