package helm_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// `make e2e-k8s` (deploy/helm/e2e/e2e.sh) needs root and changes the host,
// so it is not part of `make test`. What can be checked without running
// it is checked here: its arguments, its shell, and that the objects it
// installs (its values file and its PostgreSQL) still render and pass the
// real API server's strict validation.

func e2eDir(t testing.TB) string { return filepath.Join(helmDir(t), "e2e") }

// shellcheck lints scripts (following what they source); a missing
// shellcheck fails under CI=true and is reported otherwise.
func shellcheck(t testing.TB, scripts ...string) {
	t.Helper()
	if _, err := exec.LookPath("shellcheck"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("shellcheck is not installed (Debian package shellcheck, in scripts/apt-packages.txt)")
		}
		t.Log("shellcheck is not installed: the scripts are not linted")
		return
	}
	cmd := exec.Command("shellcheck", append([]string{"--severity=style", "--external-sources"}, scripts...)...)
	cmd.Dir = filepath.Dir(scripts[0])
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("shellcheck %v: %v\n%s", scripts, err, out)
	}
}

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
		code := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tc.code || !strings.Contains(string(out), tc.want) {
			t.Errorf("e2e.sh %q: exit %d, output %q; want exit %d and %q", tc.args, code, out, tc.code, tc.want)
		}
		// Nothing was started: no log line of the run itself.
		if tc.notWant != "" && strings.Contains(string(out), tc.notWant) {
			t.Errorf("e2e.sh %q started a run: %q", tc.args, out)
		}
	}
	shellcheck(t, script)
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
