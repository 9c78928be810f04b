package helm_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"agora/internal/systest"
)

// `make e2e-k8s` (deploy/helm/e2e/e2e.sh) needs root and changes the host,
// so it is not part of `make test`. What can be checked without running
// it is checked here: its arguments, its shell, and that the objects it
// installs (its values file and its PostgreSQL) still render and pass the
// real API server's strict validation.

func e2eDir(t testing.TB) string { return filepath.Join(helmDir(t), "e2e") }

// Bad arguments are refused before the script touches anything (no root
// check, lock or teardown runs first).
func TestE2EScriptArguments(t *testing.T) {
	t.Parallel()
	script := filepath.Join(e2eDir(t), "e2e.sh")
	for _, tc := range []struct {
		args    []string
		code    int
		want    string
		notWant string
	}{
		{[]string{"--bogus"}, 2, "e2e.sh: unexpected arguments: --bogus; usage: e2e.sh [--teardown]", ""},
		{[]string{"--teardown", "now"}, 2, "unexpected arguments: --teardown now; usage:", ""},
		{[]string{"up"}, 2, "unexpected arguments: up; usage:", ""},
		{[]string{"--help"}, 0, "usage: e2e.sh [--teardown]", "e2e-k8s"},
	} {
		out, err := exec.Command(script, tc.args...).CombinedOutput()
		code := systest.ExitCode(t, err)
		if code != tc.code || !strings.Contains(string(out), tc.want) {
			t.Errorf("e2e.sh %q: exit %d, output %q; want exit %d and %q", tc.args, code, out, tc.code, tc.want)
		}
		// Nothing was started: no log line of the run itself.
		if tc.notWant != "" && strings.Contains(string(out), tc.notWant) {
			t.Errorf("e2e.sh %q started a run: %q", tc.args, out)
		}
	}
	systest.Shellcheck(t, script)
}

// The e2e's values and its PostgreSQL are accepted by the real API server
// (strict, dry run), so a chart change that breaks `make e2e-k8s` shows in
// `make test` too.
func TestE2EObjectsAccepted(t *testing.T) {
	t.Parallel()
	c := kubeAPI(t)
	objs := renderFor(t, c, filepath.Join(e2eDir(t), "values.yaml"),
		writeTemp(t, "config:\n  publicBaseURL: http://10.250.250.1\n  jwtIssuer: http://10.250.250.1\n"))
	b, err := os.ReadFile(filepath.Join(e2eDir(t), "postgres.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	pg, err := decodeAll(b)
	if err != nil {
		t.Fatal(err)
	}
	objs = append(objs, pg...)
	kinds := map[string]bool{}
	for _, o := range objs {
		if err := c.dryRunCreate(o); err != nil {
			t.Errorf("%s refused: %v", key(o), err)
		}
		kinds[key(o)] = true
		if str(o, "kind") == "Service" && str(o, "metadata", "name") == "agora" && str(o, "spec", "type") != "NodePort" {
			t.Errorf("the e2e's Service is %q, want NodePort (the walk-through reaches it on the node address)", str(o, "spec", "type"))
		}
	}
	for _, want := range []string{"Job/agora-migrate", "Deployment/agora", "Service/agora", "Deployment/postgres", "Service/postgres"} {
		if !kinds[want] {
			t.Errorf("%s not among the e2e's objects", want)
		}
	}
}

func writeTemp(t testing.TB, content string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "values.yaml")
	if err := os.WriteFile(f, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// teardownWith runs teardown.sh's teardown with fake iptables, ip6tables,
// ip, sysctl, umount, findmnt and pgrep (each records its arguments in
// calls) over rules as `iptables -S` output, and prep run first in the
// same shell (VAR and RUN are made, empty, under the test's folder). It
// returns the recorded calls and what the shell printed.
func teardownWith(t *testing.T, rules, prep string) (calls, out string) {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	fake := "#!/bin/bash\necho \"${0##*/} $*\" >>" + filepath.Join(dir, "calls") + "\n"
	fakeIPT := fake + `case "$*" in
"-S AGORA-E2E") grep -qx -- '-N AGORA-E2E' ` + filepath.Join(dir, "rules") + ` ;;
*" -S") cat ` + filepath.Join(dir, "rules") + ` ;;
esac
`
	for name, body := range map[string]string{"iptables": fakeIPT, "ip6tables": fakeIPT,
		"ip": fake, "sysctl": fake, "umount": fake, "findmnt": fake, "pgrep": fake} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "rules"), []byte(rules), 0o644); err != nil {
		t.Fatal(err)
	}
	driver := `set -euo pipefail
log() { echo "log: $*"; }
VAR=$DIR/var RUN=$DIR/run NS=agora-e2e CHAIN=AGORA-E2E CGROUP=agora-e2e-test-$$ BRIDGE=agora-test0
VETH=agora-test1 NETNS=agora-test POD_CIDR=10.244.0.0/24 SOCK=$DIR/run/containerd.sock
mkdir -p "$VAR" "$RUN"
source "$E2E/teardown.sh"
` + prep + `
teardown
`
	cmd := exec.Command("bash", "-c", driver)
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "DIR="+dir, "E2E="+e2eDir(t))
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("teardown: %v\n%s", err, b)
	}
	c, err := os.ReadFile(filepath.Join(dir, "calls"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return string(c), string(b)
}

// Another cluster's kube-proxy uses the same KUBE-* chain names: teardown
// (which `e2e.sh --teardown` and every run's start call) removes them only
// when a run of the script changed this host, and always its own
// AGORA-E2E.
func TestE2ETeardownKeepsForeignChains(t *testing.T) {
	t.Parallel()
	const foreign = "-P FORWARD ACCEPT\n-N KUBE-FORWARD\n-N KUBE-SERVICES\n" +
		"-A FORWARD -m comment --comment \"kubernetes forwarding rules\" -j KUBE-FORWARD\n-A INPUT -j KUBE-SERVICES\n"
	const ours = "-N AGORA-E2E\n-A FORWARD -j AGORA-E2E\n"
	for _, tc := range []struct {
		name, rules, prep string
		kube              bool
	}{
		{"no run here", foreign, "", false},
		{"a run made its changes", foreign, `touch "$HOST_CHANGED"`, true},
		{"an older run's AGORA-E2E is left", foreign + ours, "", true},
	} {
		calls, out := teardownWith(t, tc.rules, tc.prep)
		for _, c := range []string{"iptables -t filter -X KUBE-FORWARD", "iptables -t filter -X KUBE-SERVICES",
			"iptables -t filter -D FORWARD -m comment --comment kubernetes forwarding rules -j KUBE-FORWARD",
			"iptables -t filter -D INPUT -j KUBE-SERVICES"} {
			if got := strings.Contains(calls, c+"\n"); got != tc.kube {
				t.Errorf("%s: %q called: %v, want %v\ncalls:\n%s\noutput:\n%s", tc.name, c, got, tc.kube, calls, out)
			}
		}
		if strings.Contains(tc.rules, "-N AGORA-E2E") && !strings.Contains(calls, "iptables -t filter -X AGORA-E2E\n") {
			t.Errorf("%s: AGORA-E2E not removed\ncalls:\n%s", tc.name, calls)
		}
	}
}

// A PID file names a process of the run only while that process's command
// line names the component and the run's state folder: a process that
// merely has the component's name in its command line is left alone.
func TestE2ETeardownStopsOnlyItsProcesses(t *testing.T) {
	t.Parallel()
	_, out := teardownWith(t, "", `(exec -a "kube-apiserver --config $VAR/x" sleep 30) & ours=$!
(exec -a etcd-lookalike sleep 30) & other=$!
echo "$ours" >"$RUN/kube-apiserver.pid"
echo "$other" >"$RUN/etcd.pid"
echo 'not-a-pid' >"$RUN/kubelet.pid"
trap 'kill -0 $ours 2>/dev/null && echo "ours alive"; kill -0 $other 2>/dev/null && echo "other alive"; kill $other' EXIT`)
	if strings.Contains(out, "ours alive") || !strings.Contains(out, "other alive") {
		t.Errorf("teardown stopped the wrong processes:\n%s", out)
	}
}

// The kubelet's cgroup root is removed on cgroup v2 (one tree: the root at
// its top) and v1 (one per controller), and nothing beside it.
func TestE2ETeardownRemovesItsCgroups(t *testing.T) {
	t.Parallel()
	_, out := teardownWith(t, "", `CGROUP_FS=$DIR/cg
mkdir -p "$CGROUP_FS/$CGROUP/kubepods/burstable" "$CGROUP_FS/memory/$CGROUP/kubepods" "$CGROUP_FS/system.slice/other"
trap 'for d in "$CGROUP_FS/$CGROUP" "$CGROUP_FS/memory/$CGROUP" "$CGROUP_FS/system.slice/other"; do
    [[ -d $d ]] && echo "left: ${d#$CGROUP_FS/}"; done; true' EXIT`)
	if !strings.Contains(out, "left: system.slice/other") || strings.Count(out, "left: ") != 1 {
		t.Errorf("teardown removed the wrong cgroups (want only system.slice/other left):\n%s", out)
	}
}

// A relative XDG_CACHE_HOME is refused before anything is built: the
// build cd's into its copy of the module, and the printed paths would not
// name the binaries for the caller (e2e.sh links kubectl by that path).
func TestKubeToolsScriptRelativeCache(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(filepath.Join(repoRoot(t), "scripts", "install-kube-tools.sh"), "kubectl")
	cmd.Env = append(os.Environ(), "XDG_CACHE_HOME=relative/cache")
	cmd.Dir = t.TempDir()
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	want := "the cache folder relative/cache/agora-tools is not absolute"
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(string(out), want) {
		t.Errorf("install-kube-tools.sh with XDG_CACHE_HOME=relative/cache: err %v, output %q; want exit 2 and %q", err, out, want)
	}
}
