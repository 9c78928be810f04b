package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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

	// After real traffic, /metrics has every contract metric, and route
	// labels are templates only: no ids, no usernames.
	body := scrape(t, env)
	for _, name := range []string{"http_requests_total{", "http_request_duration_seconds_bucket{", "http_requests_in_flight",
		"db_pool_acquired_conns", `auth_login_attempts_total{result="success"} 1`, "agora_registrations_total 2",
		"agora_posts_created_total 2", `agora_connection_requests_total{outcome="accepted"} 1`, "agora_build_info{"} {
		if !strings.Contains(body, name) {
			t.Errorf("/metrics lacks %s", name)
		}
	}
	routes := regexp.MustCompile(`route="([^"]*)"`).FindAllStringSubmatch(body, -1)
	if len(routes) < 10 {
		t.Fatalf("only %d route labels after the walk-through", len(routes))
	}
	leak := regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}|alice_t|bob_t`)
	for _, m := range routes {
		if leak.MatchString(m[1]) || (m[1] != "unmatched" && !strings.HasPrefix(m[1], "/")) {
			t.Errorf("route label %q is not a template", m[1])
		}
	}
}

// The README shows docs/walkthrough.sh verbatim; this keeps them equal.
func TestReadmeWalkthroughMatchesTheScript(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile("../../docs/walkthrough.sh")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)<!-- walkthrough:start -->\n```sh\n(.*?)```\n<!-- walkthrough:end -->").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README has no walk-through block between the markers")
	}
	body := script[strings.Index(string(script), "set -euo pipefail"):]
	if string(m[1]) != string(body) {
		t.Fatal("the README's walk-through differs from docs/walkthrough.sh: copy the script into the README block")
	}
}
