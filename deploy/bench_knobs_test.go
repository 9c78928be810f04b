package deploy_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"agora/internal/systest"
)

// make bench checks its knobs before it builds, starts PostgreSQL or seeds
// anything: a bad one fails at once, with one line naming it, instead of
// after a million posts.
func TestBenchRefusesBadKnobs(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	calls := filepath.Join(t.TempDir(), "calls")
	stubs := stubDir(t, calls, map[string]string{"go": "exit 0", "wrk": "exit 0"})
	for _, tc := range []struct{ env, want string }{
		{"BENCH_DURATION=abc", "BENCH_DURATION must be a whole number from 1 to 9999, got 'abc'"},
		{"BENCH_DURATION=0", "BENCH_DURATION must be a whole number"},
		{"BENCH_DURATION=1.5", "BENCH_DURATION must be a whole number"},
		{"BENCH_CONNS=-1", "BENCH_CONNS must be a whole number from 1 to 9999, got '-1'"},
		{"BENCH_CONNS=99999", "BENCH_CONNS must be a whole number"},
		{"BENCH_POOL=0", "BENCH_POOL must be a whole number from 1 to 9999, got '0'"},
		{"BENCH_POOL=", "BENCH_POOL must be a whole number from 1 to 9999, got ''"},
		{"BENCH_POOL=8;rm", "BENCH_POOL must be a whole number"},
		{"BENCH_SMALL=yes", "BENCH_SMALL must be 0 or 1, got 'yes'"},
	} {
		t.Run(tc.env, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command("bash", filepath.Join(root, "scripts", "bench.sh"))
			cmd.Env = append(os.Environ(), "PATH="+stubs+":"+os.Getenv("PATH"), tc.env)
			out, err := cmd.CombinedOutput()
			if code := systest.ExitCode(t, err); code != 2 || !strings.Contains(string(out), tc.want) {
				t.Errorf("exit %d (want 2), output lacks %q:\n%s", code, tc.want, out)
			}
			if raw, _ := os.ReadFile(calls); len(raw) > 0 {
				t.Errorf("ran before the knobs were checked:\n%s", raw)
			}
		})
	}
}
