package observability_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"agora/internal/systest"
)

// deploy/scripts/container-state.sh, run with a stubbed docker command.

func containerStateScript(t testing.TB) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join(obsDir(t), "..", "deploy", "scripts", "container-state.sh"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// fakeDocker writes a docker stub answering `ps` with psOut (exit psCode)
// and `inspect` with inspectOut (exit inspectCode), logging its arguments.
func fakeDocker(t *testing.T, psOut string, psCode int, inspectOut string, inspectCode int) (dir, log string) {
	t.Helper()
	dir = t.TempDir()
	log = filepath.Join(dir, "calls.log")
	writeFile(t, filepath.Join(dir, "ps.out"), psOut)
	writeFile(t, filepath.Join(dir, "inspect.out"), inspectOut)
	stub := `#!/usr/bin/env bash
printf '%s\n' "$*" >>"` + log + `"
case "$1" in
ps) cat "` + dir + `/ps.out"; exit ` + itoa(psCode) + ` ;;
inspect) cat "` + dir + `/inspect.out"; exit ` + itoa(inspectCode) + ` ;;
esac
echo "unexpected docker call: $*" >&2
exit 64
`
	if err := os.WriteFile(filepath.Join(dir, "docker"), []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, log
}

func itoa(n int) string { return strconv.Itoa(n) }

func itoaInt(n int64) string { return strconv.FormatInt(n, 10) }

func runContainerState(t *testing.T, dockerDir, textfile string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command("bash", append([]string{containerStateScript(t)}, args...)...)
	cmd.Env = append(os.Environ(), "PATH="+dockerDir+":"+os.Getenv("PATH"), "TEXTFILE_DIR="+textfile)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), systest.ExitCode(t, err)
}

const inspectTwo = "/agora-backend-1|backend|5|false|true\n/agora-postgres-1|postgres|0|true|false\n"

func TestContainerStateScript(t *testing.T) {
	t.Parallel()
	dockerDir, log := fakeDocker(t, "aaa\nbbb\n", 0, inspectTwo, 0)
	textfile := t.TempDir()
	before := time.Now().Unix()
	out, errOut, code := runContainerState(t, dockerDir, textfile)
	if code != 0 || out != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	b, err := os.ReadFile(filepath.Join(textfile, "agora_containers.prom"))
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	for _, want := range []string{
		"# TYPE agora_container_restarts_total counter\n",
		`agora_container_restarts_total{container="agora-backend-1",service="backend"} 5` + "\n",
		`agora_container_restarts_total{container="agora-postgres-1",service="postgres"} 0` + "\n",
		`agora_container_oom_killed{container="agora-backend-1",service="backend"} 0` + "\n",
		`agora_container_oom_killed{container="agora-postgres-1",service="postgres"} 1` + "\n",
		`agora_container_running{container="agora-backend-1",service="backend"} 1` + "\n",
		`agora_container_running{container="agora-postgres-1",service="postgres"} 0` + "\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("metrics lack %q:\n%s", want, got)
		}
	}
	m := regexp.MustCompile(`(?m)^agora_container_state_last_run_timestamp_seconds (\d+)$`).FindStringSubmatch(got)
	if m == nil || len(m[1]) != len(itoaInt(before)) || m[1] < itoaInt(before) {
		t.Errorf("last run timestamp missing or old in:\n%s", got)
	}
	if fi, _ := os.Stat(filepath.Join(textfile, "agora_containers.prom")); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644 (node_exporter reads it as its own user)", fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(textfile)
	if len(entries) != 1 {
		t.Errorf("textfile folder holds %d entries, want only agora_containers.prom (no temp file left)", len(entries))
	}
	calls, _ := os.ReadFile(log)
	if !strings.Contains(string(calls), "ps --all --quiet --no-trunc --filter label=com.docker.compose.service") ||
		!strings.Contains(string(calls), "inspect --format") || !strings.Contains(string(calls), " aaa bbb") {
		t.Errorf("docker calls:\n%s", calls)
	}
	// The file is valid exposition format (promtool's linter).
	if promtool, err := exec.LookPath("promtool"); err == nil {
		cmd := exec.Command(promtool, "check", "metrics")
		cmd.Stdin = strings.NewReader(got)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool check metrics: %v\n%s", err, out)
		}
	}

	// --dry-run prints the same metrics and writes nothing.
	empty := t.TempDir()
	out, errOut, code = runContainerState(t, dockerDir, empty, "--dry-run")
	if code != 0 || !strings.Contains(out, `agora_container_oom_killed{container="agora-postgres-1",service="postgres"} 1`) {
		t.Errorf("--dry-run: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Errorf("--dry-run wrote %d files", len(entries))
	}
}

func TestContainerStateScriptHelp(t *testing.T) {
	t.Parallel()
	dockerDir, log := fakeDocker(t, "", 0, "", 0)
	out, errOut, code := runContainerState(t, dockerDir, t.TempDir(), "--help")
	if code != 0 || !strings.HasPrefix(out, "usage: container-state.sh [--dry-run]\n") || errOut != "" {
		t.Errorf("--help: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if calls, _ := os.ReadFile(log); len(calls) != 0 {
		t.Errorf("--help called docker:\n%s", calls)
	}
}

func TestContainerStateScriptNoContainers(t *testing.T) {
	t.Parallel()
	dockerDir, log := fakeDocker(t, "", 0, "", 0)
	textfile := t.TempDir()
	if _, errOut, code := runContainerState(t, dockerDir, textfile); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	b, _ := os.ReadFile(filepath.Join(textfile, "agora_containers.prom"))
	if strings.Contains(string(b), "{") || !strings.Contains(string(b), "agora_container_state_last_run_timestamp_seconds ") {
		t.Errorf("with no containers want only the last-run metric:\n%s", b)
	}
	if calls, _ := os.ReadFile(log); strings.Contains(string(calls), "inspect") {
		t.Errorf("docker inspect called with no containers:\n%s", calls)
	}
}

// Every failure exits non-zero with a message and leaves the previous file.
func TestContainerStateScriptFailures(t *testing.T) {
	t.Parallel()
	const previous = "agora_container_state_last_run_timestamp_seconds 1\n"
	for name, c := range map[string]struct {
		args                []string
		psOut, inspectOut   string
		psCode, inspectCode int
		missingDir          bool
		wantCode            int
		wantMsg             string
	}{
		"unknown argument":      {args: []string{"--now"}, wantCode: 2, wantMsg: "unknown argument: --now\nusage: container-state.sh"},
		"docker down":           {psCode: 1, wantCode: 1, wantMsg: "docker ps failed"},
		"inspect fails":         {psOut: "aaa\n", inspectOut: inspectTwo, inspectCode: 1, wantCode: 1, wantMsg: "docker inspect failed"},
		"restart count garbage": {psOut: "aaa\n", inspectOut: "/agora-backend-1|backend|many|false|true\n", wantCode: 1, wantMsg: "unexpected docker inspect line"},
		"no service label":      {psOut: "aaa\n", inspectOut: "/lonely||0|false|true\n", wantCode: 1, wantMsg: "unexpected docker inspect line"},
		"extra field":           {psOut: "aaa\n", inspectOut: "/a|b|0|false|true|x\n", wantCode: 1, wantMsg: "unexpected docker inspect line"},
		"bad OOMKilled":         {psOut: "aaa\n", inspectOut: "/a|b|0|maybe|true\n", wantCode: 1, wantMsg: "OOMKilled of a is 'maybe'"},
		"bad Running":           {psOut: "aaa\n", inspectOut: "/a|b|0|false|1\n", wantCode: 1, wantMsg: "Running of a is '1'"},
		"textfile dir missing":  {missingDir: true, wantCode: 1, wantMsg: "does not exist"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dockerDir, _ := fakeDocker(t, c.psOut, c.psCode, c.inspectOut, c.inspectCode)
			textfile := t.TempDir()
			if c.missingDir {
				textfile = filepath.Join(textfile, "nope")
			} else {
				writeFile(t, filepath.Join(textfile, "agora_containers.prom"), previous)
			}
			_, errOut, code := runContainerState(t, dockerDir, textfile, c.args...)
			if code != c.wantCode || !strings.Contains(errOut, c.wantMsg) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, c.wantCode, c.wantMsg)
			}
			if !c.missingDir {
				b, _ := os.ReadFile(filepath.Join(textfile, "agora_containers.prom"))
				if string(b) != previous {
					t.Errorf("previous file changed to:\n%s", b)
				}
				if entries, _ := os.ReadDir(textfile); len(entries) != 1 {
					t.Errorf("%d entries in the textfile folder, want 1", len(entries))
				}
			}
		})
	}
}

func TestContainerStateShellcheck(t *testing.T) {
	t.Parallel()
	p := containerStateScript(t)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "#!/usr/bin/env bash\n") || !strings.Contains(string(b), "\nset -euo pipefail\n") {
		t.Error("want a bash shebang and set -euo pipefail")
	}
	if fi, _ := os.Stat(p); fi.Mode()&0o111 == 0 {
		t.Error("container-state.sh is not executable")
	}
	systest.Shellcheck(t, p)
}

// The systemd unit and timer pass systemd-analyze verify (with ExecStart
// pointed at the script in the repository, since bootstrap.sh installs it as
// /usr/local/bin/agora-container-state).
func TestContainerStateSystemdUnits(t *testing.T) {
	t.Parallel()
	sa := needTool(t, "systemd", "systemd-analyze")
	src := filepath.Join(obsDir(t), "..", "deploy", "systemd")
	dir := t.TempDir()
	svc, err := os.ReadFile(filepath.Join(src, "agora-container-state.service"))
	if err != nil {
		t.Fatal(err)
	}
	timer, err := os.ReadFile(filepath.Join(src, "agora-container-state.timer"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ExecStart=/usr/local/bin/agora-container-state\n", "Type=oneshot\n", "Environment=TEXTFILE_DIR=/var/lib/node_exporter/textfile_collector\n", "ReadWritePaths=/var/lib/node_exporter/textfile_collector\n"} {
		if !strings.Contains(string(svc), want) {
			t.Errorf("service lacks %q", strings.TrimSpace(want))
		}
	}
	for _, want := range []string{"OnUnitActiveSec=1min\n", "WantedBy=timers.target\n"} {
		if !strings.Contains(string(timer), want) {
			t.Errorf("timer lacks %q", strings.TrimSpace(want))
		}
	}
	writeFile(t, filepath.Join(dir, "agora-container-state.service"),
		strings.Replace(string(svc), "/usr/local/bin/agora-container-state", containerStateScript(t), 1))
	writeFile(t, filepath.Join(dir, "agora-container-state.timer"), string(timer))
	out, err := runTool(t, time.Minute, dir, sa, "verify", "--man=no",
		filepath.Join(dir, "agora-container-state.service"), filepath.Join(dir, "agora-container-state.timer"))
	if err != nil || strings.TrimSpace(out) != "" {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}
