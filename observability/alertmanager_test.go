package observability_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// renderAlertmanager runs alertmanager/render.sh with env and returns the
// rendered file's path.
func renderAlertmanager(t testing.TB, env ...string) string {
	t.Helper()
	dir := t.TempDir()
	hb := filepath.Join(dir, "heartbeat_url")
	if err := os.WriteFile(hb, []byte("https://heartbeat.example.org/ping/0123-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "alertmanager.yml")
	cmd := exec.Command("sh", filepath.Join(obsDir(t), "alertmanager", "render.sh"),
		filepath.Join(obsDir(t), "alertmanager", "alertmanager.yml"), out)
	cmd.Env = append(os.Environ(),
		"ALERTMANAGER_SMTP_SMARTHOST=smtp.example.org:587",
		"ALERTMANAGER_SMTP_FROM=alerts@example.org",
		"ALERTMANAGER_SMTP_USERNAME=alerts",
		"ALERTMANAGER_EMAIL_TO=oncall@example.org",
		"ALERTMANAGER_SLACK_CHANNEL=#agora-alerts",
		"ALERTMANAGER_HEARTBEAT_URL_FILE="+hb,
	)
	cmd.Env = append(cmd.Env, env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("render.sh: %v\n%s", err, b)
	}
	return out
}

// amtool check-config: the committed file (e-mail only) and the rendered
// file with every optional receiver switched on.
func TestAlertmanagerCheckConfig(t *testing.T) {
	t.Parallel()
	amtool := needTool(t, "prometheus-alertmanager", "amtool")
	files := map[string]string{
		"committed": filepath.Join(obsDir(t), "alertmanager", "alertmanager.yml"),
		"rendered":  renderAlertmanager(t),
		"full":      renderAlertmanager(t, "ALERTMANAGER_SLACK=on", "ALERTMANAGER_PAGERDUTY=on"),
	}
	wantReceivers := map[string]string{"committed": "2 receivers", "rendered": "2 receivers", "full": "4 receivers"}
	for name, f := range files {
		out, err := runTool(t, time.Minute, obsDir(t), amtool, "check-config", f)
		if err != nil || !strings.Contains(out, "SUCCESS") {
			t.Errorf("amtool check-config (%s): %v\n%s", name, err, out)
			continue
		}
		if !strings.Contains(out, wantReceivers[name]) {
			t.Errorf("amtool check-config (%s): want %s:\n%s", name, wantReceivers[name], out)
		}
	}
	// The rendered file really carries the settings and nothing is left over.
	b, err := os.ReadFile(files["full"])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"https://heartbeat.example.org/ping/0123-secret", "smtp.example.org:587", "oncall@example.org", "#agora-alerts", "routing_key_file", "api_url_file"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("rendered config lacks %q", want)
		}
	}
	for i, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "#slack|") || strings.HasPrefix(line, "#pagerduty|") ||
			(!strings.HasPrefix(strings.TrimSpace(line), "#") && strings.Contains(line, "REPLACE_")) {
			t.Errorf("rendered config line %d still has a placeholder: %s", i+1, line)
		}
	}
}

// amtool config routes test, for every case in alertmanager/tests/routes.yml,
// against the committed and the fully switched-on configuration.
func TestAlertmanagerRoutes(t *testing.T) {
	t.Parallel()
	amtool := needTool(t, "prometheus-alertmanager", "amtool")
	var cases struct {
		Cases []struct {
			Name    string            `yaml:"name"`
			Labels  map[string]string `yaml:"labels"`
			Default []string          `yaml:"default"`
			Full    []string          `yaml:"full"`
		} `yaml:"cases"`
	}
	readYAML(t, filepath.Join(obsDir(t), "alertmanager", "tests", "routes.yml"), &cases)
	if len(cases.Cases) == 0 {
		t.Fatal("no routing cases")
	}
	committed := filepath.Join(obsDir(t), "alertmanager", "alertmanager.yml")
	full := renderAlertmanager(t, "ALERTMANAGER_SLACK=on", "ALERTMANAGER_PAGERDUTY=on")
	reached := map[string]bool{}
	for _, c := range cases.Cases {
		var labels []string
		for k, v := range c.Labels {
			labels = append(labels, k+"="+v)
		}
		sort.Strings(labels)
		for _, cfg := range []struct {
			name, file string
			want       []string
		}{{"default", committed, c.Default}, {"full", full, c.Full}} {
			args := append([]string{"config", "routes", "test", "--config.file=" + cfg.file,
				"--verify.receivers=" + strings.Join(cfg.want, ",")}, labels...)
			out, err := runTool(t, time.Minute, obsDir(t), amtool, args...)
			if err != nil {
				t.Errorf("%s (%s): amtool %s: %v\n%s", c.Name, cfg.name, strings.Join(args, " "), err, out)
			}
			for _, r := range cfg.want {
				reached[cfg.name+"/"+r] = true
			}
		}
	}
	// Every receiver of the full configuration is exercised by some case.
	for _, r := range []string{"full/email", "full/heartbeat", "full/slack", "full/pagerduty", "default/email", "default/heartbeat"} {
		if !reached[r] {
			t.Errorf("no routing case reaches receiver %s", r)
		}
	}
}

// No secret is written in the committed file: passwords, Slack URLs and
// PagerDuty keys only through *_file options.
func TestAlertmanagerNoInlineSecrets(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(obsDir(t), "alertmanager", "alertmanager.yml"))
	if err != nil {
		t.Fatal(err)
	}
	forbidden := regexp.MustCompile(`(?m)^[#a-z|\s-]*\b(smtp_auth_password|auth_password|api_url|slack_api_url|routing_key|service_key|pagerduty_url|auth_secret|bearer_token|password)\s*:`)
	if m := forbidden.FindAllString(string(b), -1); len(m) > 0 {
		t.Errorf("alertmanager.yml sets secrets inline (use the *_file option): %q", m)
	}
	for _, want := range []string{"smtp_auth_password_file:", "api_url_file:", "routing_key_file:"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("alertmanager.yml lacks %s", want)
		}
	}
}

// Inhibitions: backend down silences its error-rate and latency alerts;
// node down silences everything on that host.
func TestAlertmanagerInhibitions(t *testing.T) {
	t.Parallel()
	var cfg struct {
		InhibitRules []struct {
			SourceMatchers []string `yaml:"source_matchers"`
			TargetMatchers []string `yaml:"target_matchers"`
			Equal          []string `yaml:"equal"`
		} `yaml:"inhibit_rules"`
	}
	readYAML(t, filepath.Join(obsDir(t), "alertmanager", "alertmanager.yml"), &cfg)
	find := func(source string) (targets []string, equal []string) {
		for _, r := range cfg.InhibitRules {
			if slices.Contains(r.SourceMatchers, source) {
				return r.TargetMatchers, r.Equal
			}
		}
		return nil, nil
	}
	targets, equal := find(`alertname="AgoraBackendDown"`)
	if len(targets) != 1 || !strings.Contains(targets[0], "AgoraHighErrorRate") || !strings.Contains(targets[0], "AgoraHighLatency") || !slices.Contains(equal, "job") || !slices.Contains(equal, "host") {
		t.Errorf("AgoraBackendDown inhibition: targets %q equal %q", targets, equal)
	}
	targets, equal = find(`alertname=~"AgoraBackendDown|AgoraHighErrorRate"`)
	if !slices.Equal(targets, []string{`alertname="EdgeHighErrorRate"`}) || !slices.Equal(equal, []string{"host"}) {
		t.Errorf("backend alerts over EdgeHighErrorRate inhibition: targets %q equal %q", targets, equal)
	}
	targets, equal = find(`alertname="NodeDown"`)
	if !slices.Equal(targets, []string{`alertname!~"NodeDown|Watchdog"`}) || !slices.Equal(equal, []string{"host"}) {
		t.Errorf("NodeDown inhibition: targets %q equal %q", targets, equal)
	}
}

// render.sh refuses values that would break the YAML, and is shellcheck-clean.
func TestAlertmanagerRenderScript(t *testing.T) {
	t.Parallel()
	script := filepath.Join(obsDir(t), "alertmanager", "render.sh")
	in := filepath.Join(obsDir(t), "alertmanager", "alertmanager.yml")
	for _, bad := range []string{`ops"@example.org`, `ops\@example.org`} {
		out := filepath.Join(t.TempDir(), "out.yml")
		cmd := exec.Command("sh", script, in, out)
		cmd.Env = append(os.Environ(), "ALERTMANAGER_EMAIL_TO="+bad, "ALERTMANAGER_HEARTBEAT_URL_FILE=/nonexistent")
		b, err := cmd.CombinedOutput()
		if err == nil {
			t.Errorf("render.sh accepted ALERTMANAGER_EMAIL_TO=%s", bad)
		} else if !strings.Contains(string(b), "ALERTMANAGER_EMAIL_TO") {
			t.Errorf("render.sh error does not name the variable: %s", b)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("render.sh wrote %s despite the bad value", out)
		}
	}
	// "|" and "&" are special to sed's replacement; they must arrive intact.
	out := filepath.Join(t.TempDir(), "out.yml")
	cmd := exec.Command("sh", script, in, out)
	cmd.Env = append(os.Environ(), "ALERTMANAGER_EMAIL_TO=a&b|c@example.org", "ALERTMANAGER_HEARTBEAT_URL_FILE=/nonexistent")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("render.sh: %v\n%s", err, b)
	}
	if b, _ := os.ReadFile(out); !strings.Contains(string(b), `to: "a&b|c@example.org"`) {
		t.Errorf("special characters mangled:\n%s", b)
	}
	if sc, err := exec.LookPath("shellcheck"); err == nil {
		if res, err := runTool(t, time.Minute, obsDir(t), sc, script); err != nil {
			t.Errorf("shellcheck render.sh: %v\n%s", err, res)
		}
	}
}
