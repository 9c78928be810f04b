package deploy_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"agora/internal/systest"
)

// scripts/test-all.sh is `make test`: the live stack beside the other
// checks. A stand-in make records what it was asked and fails on demand, so
// every way the run can end is checked without running the real suite
// (TestOtherScriptsShellcheck lints it with every scripts/*.sh).
func TestTestAllScript(t *testing.T) {
	t.Parallel()
	script := filepath.Join(repoRoot(t), "scripts", "test-all.sh")

	// The stand-in fails the targets named in FAIL (a space-separated list).
	fake := filepath.Join(t.TempDir(), "make")
	stub := `#!/bin/sh
echo "make $*" >>"$CALLS"
for a in "$@"; do
  case " $FAIL " in *" $a "*) echo "target $a broke"; exit 1 ;; esac
done
case "$*" in *test-stack*) echo "stack says hello" ;; esac
exit 0
`
	if err := os.WriteFile(fake, []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, fail string
		args       []string
		code       int
		want       []string
		stack      bool // whether the stack half must have started
	}{
		{name: "both pass", code: 0, stack: true,
			want: []string{"[stack] stack says hello", "stack exit 0, the rest exit 0"}},
		{name: "stack fails", fail: "test-stack", code: 1, stack: true,
			want: []string{"[stack] target test-stack broke", "FAILED: the live stack test"}},
		{name: "go tests fail", fail: "test-go", code: 1, stack: true,
			want: []string{"target test-go broke", "FAILED: the checks besides the stack"}},
		{name: "both fail", fail: "test-go test-stack", code: 1, stack: true,
			want: []string{"FAILED: the live stack test", "FAILED: the checks besides the stack"}},
		{name: "deps fail: nothing else starts", fail: "deps", code: 1, want: []string{"target deps broke"}},
		{name: "an argument is refused", args: []string{"test-go"}, code: 2, want: []string{"usage: scripts/test-all.sh"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			calls := filepath.Join(t.TempDir(), "calls")
			cmd := exec.Command(script, c.args...)
			cmd.Env = append(os.Environ(), "MAKE="+fake, "CALLS="+calls, "FAIL="+c.fail)
			out, err := cmd.CombinedOutput()
			code := systest.ExitCode(t, err)
			if code != c.code {
				t.Errorf("exit %d, want %d\n%s", code, c.code, out)
			}
			for _, w := range c.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			made, _ := os.ReadFile(calls)
			if got := strings.Contains(string(made), "test-stack"); got != c.stack {
				t.Errorf("stack started = %v, want %v; calls:\n%s", got, c.stack, made)
			}
			if c.stack && !strings.Contains(string(made), "check-generated vet lint check-openapi test-go fuzz-brief") {
				t.Errorf("the other checks did not all run in one make; calls:\n%s", made)
			}
		})
	}
}
