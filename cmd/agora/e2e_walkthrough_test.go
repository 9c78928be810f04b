package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The README's walk-through is docs/walkthrough.sh; run it against a real
// server so the documentation cannot rot.
func TestWalkthroughScriptRuns(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is required by docs/walkthrough.sh (make deps installs it)", tool)
			}
			t.Skipf("%s not installed: skipping the walk-through", tool)
		}
	}
	env := startServer(t, nil)
	script, err := filepath.Abs("../../docs/walkthrough.sh")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", script, env.URL)
	cmd.Env = append(os.Environ(), "WALKTHROUGH_SUFFIX=t")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("walk-through failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "walk-through complete") {
		t.Fatalf("walk-through did not finish:\n%s", out)
	}
}
