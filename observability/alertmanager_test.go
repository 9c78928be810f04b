package observability_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"agora/internal/systest"
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
	cmd.Env = append(renderEnv(), "ALERTMANAGER_SLACK_CHANNEL=#agora-alerts", "ALERTMANAGER_HEARTBEAT_URL_FILE="+hb)
	cmd.Env = append(cmd.Env, env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("render.sh: %v\n%s", err, b)
	}
	return out
}

// renderEnv is the environment with complete, non-example e-mail settings
// (the .test domain is reserved for tests but is no placeholder: the live CI
// stack mails alerts@agora.test through its mail catcher).
func renderEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ALERTMANAGER_") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"ALERTMANAGER_SMTP_SMARTHOST=smtp.ops.test:587",
		"ALERTMANAGER_SMTP_FROM=alerts@ops.test",
		"ALERTMANAGER_SMTP_USERNAME=alerts",
		"ALERTMANAGER_EMAIL_TO=oncall@ops.test",
	)
	return append(env, extra...)
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
	for _, want := range []string{"https://heartbeat.example.org/ping/0123-secret", "smtp.ops.test:587", "oncall@ops.test", "#agora-alerts", "routing_key_file", "api_url_file"} {
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

// inhibitRule is one of alertmanager.yml's inhibit_rules.
type inhibitRule struct {
	SourceMatchers []string `yaml:"source_matchers"`
	TargetMatchers []string `yaml:"target_matchers"`
	Equal          []string `yaml:"equal"`
}

func inhibitRules(t *testing.T) []inhibitRule {
	t.Helper()
	var cfg struct {
		InhibitRules []inhibitRule `yaml:"inhibit_rules"`
	}
	readYAML(t, filepath.Join(obsDir(t), "alertmanager", "alertmanager.yml"), &cfg)
	return cfg.InhibitRules
}

// Inhibitions: backend down silences its error-rate and latency alerts;
// node down silences everything on that host.
func TestAlertmanagerInhibitions(t *testing.T) {
	t.Parallel()
	rules := inhibitRules(t)
	find := func(source string) (targets []string, equal []string) {
		for _, r := range rules {
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
	targets, equal = find(`alertname="AlertmanagerNotificationsFailing"`)
	if !slices.Equal(targets, []string{`alertname="Watchdog"`}) || len(equal) != 0 {
		t.Errorf("AlertmanagerNotificationsFailing inhibition: targets %q equal %q, want the Watchdog whatever its labels", targets, equal)
	}
}

// NodeDown silences only the alerts computed from node_exporter's metrics
// (its own collectors and the textfiles it serves), on the same host: its
// usual cause is a dead exporter, which must not hide PostgresDown,
// AgoraBackendDown or BlackboxProbeFailed. The list in alertmanager.yml is
// checked against what each rule reads.
func TestAlertmanagerNodeDownTargets(t *testing.T) {
	t.Parallel()
	var target *regexp.Regexp
	for _, r := range inhibitRules(t) {
		if !slices.Equal(r.SourceMatchers, []string{`alertname="NodeDown"`}) {
			continue
		}
		if target != nil {
			t.Fatal("two NodeDown inhibition rules")
		}
		m := regexp.MustCompile(`^alertname=~"(.+)"$`).FindStringSubmatch(strings.Join(r.TargetMatchers, ","))
		if m == nil || !slices.Equal(r.Equal, []string{"host"}) {
			t.Fatalf("NodeDown inhibition: targets %q equal %q, want one alertname=~ matcher and equal [host]", r.TargetMatchers, r.Equal)
		}
		target = regexp.MustCompile("^(?:" + m[1] + ")$") // Alertmanager anchors regex matchers
	}
	if target == nil {
		t.Fatal("no NodeDown inhibition rule")
	}
	// Metrics that only node_exporter serves: its collectors (node_*), the
	// textfiles (agora_backup_*, agora_tls_*, agora_container_*), and the
	// recording rules built on node_* (instance:node_*).
	nodeMetric := regexp.MustCompile(`\b(node_\w+|agora_(backup|tls|container)_\w+|instance:node_\w+)`)
	// A rule gated on node being up (up{job="node"} == 1) is still node's.
	nodeUp := regexp.MustCompile(`up\{job="node"\}`)
	var fromNode, others []string
	for _, rf := range loadRules(t) {
		for _, g := range rf.Groups {
			for _, r := range g.Rules {
				if r.Alert == "" || r.Alert == "NodeDown" {
					continue
				}
				if nodeMetric.MatchString(r.Expr) || (nodeUp.MatchString(r.Expr) && strings.Contains(r.Expr, "agora_")) {
					fromNode = append(fromNode, r.Alert)
				} else {
					others = append(others, r.Alert)
				}
			}
		}
	}
	for _, a := range fromNode {
		if !target.MatchString(a) {
			t.Errorf("%s reads node_exporter metrics but NodeDown does not silence it", a)
		}
	}
	for _, a := range others {
		if target.MatchString(a) {
			t.Errorf("%s does not read node_exporter metrics but NodeDown silences it", a)
		}
	}
	for _, a := range []string{"PostgresDown", "AgoraBackendDown", "BlackboxProbeFailed", "NginxDown", "Watchdog", "NodeDown"} {
		if target.MatchString(a) {
			t.Errorf("NodeDown silences %s", a)
		}
	}
	if len(fromNode) < 10 || !slices.Contains(others, "PostgresDown") {
		t.Errorf("classification looks wrong: from node %v, others %v", fromNode, others)
	}
}

// render.sh refuses values that would break the YAML, and is shellcheck-clean.
func TestAlertmanagerRenderScript(t *testing.T) {
	t.Parallel()
	script := filepath.Join(obsDir(t), "alertmanager", "render.sh")
	in := filepath.Join(obsDir(t), "alertmanager", "alertmanager.yml")
	for _, bad := range []string{`ops"@ops.test`, `ops\@ops.test`} {
		out := filepath.Join(t.TempDir(), "out.yml")
		cmd := exec.Command("sh", script, in, out)
		cmd.Env = renderEnv("ALERTMANAGER_EMAIL_TO="+bad, "ALERTMANAGER_HEARTBEAT_URL_FILE=/nonexistent")
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
	cmd.Env = renderEnv("ALERTMANAGER_EMAIL_TO=a&b|c@ops.test", "ALERTMANAGER_HEARTBEAT_URL_FILE=/nonexistent")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("render.sh: %v\n%s", err, b)
	}
	if b, _ := os.ReadFile(out); !strings.Contains(string(b), `to: "a&b|c@ops.test"`) {
		t.Errorf("special characters mangled:\n%s", b)
	}
	systest.Shellcheck(t, script)
}

// render.sh refuses to start Alertmanager with e-mail as the only receiver
// and an e-mail setting empty or still an example: every alert, including
// the one saying that notifications fail, would go nowhere. With Slack or
// PagerDuty on it warns and renders. Bad switch values are refused too.
func TestAlertmanagerRenderRejectsBrokenEmail(t *testing.T) {
	t.Parallel()
	script := filepath.Join(obsDir(t), "alertmanager", "render.sh")
	in := filepath.Join(obsDir(t), "alertmanager", "alertmanager.yml")
	run := func(env []string) (string, string, error) {
		out := filepath.Join(t.TempDir(), "out.yml")
		cmd := exec.Command("sh", script, in, out)
		cmd.Env = append(env, "ALERTMANAGER_HEARTBEAT_URL_FILE=/nonexistent")
		b, err := cmd.CombinedOutput()
		return out, string(b), err
	}
	for _, c := range []struct {
		name string
		env  []string
		want string // in the error line
	}{
		{"smarthost empty", []string{"ALERTMANAGER_SMTP_SMARTHOST="}, "ALERTMANAGER_SMTP_SMARTHOST"},
		{"from empty", []string{"ALERTMANAGER_SMTP_FROM="}, "ALERTMANAGER_SMTP_FROM"},
		{"to empty", []string{"ALERTMANAGER_EMAIL_TO="}, "ALERTMANAGER_EMAIL_TO"},
		{"username empty with auth on", []string{"ALERTMANAGER_SMTP_USERNAME="}, "ALERTMANAGER_SMTP_USERNAME"},
		{"committed placeholder", []string{"ALERTMANAGER_EMAIL_TO=REPLACE_ALERT_EMAIL_TO@agora.invalid"}, "ALERTMANAGER_EMAIL_TO"},
		{".env.example smarthost", []string{"ALERTMANAGER_SMTP_SMARTHOST=smtp.example.com:587"}, "ALERTMANAGER_SMTP_SMARTHOST"},
		{".env.example sender", []string{"ALERTMANAGER_SMTP_FROM=alerts@example.com"}, "ALERTMANAGER_SMTP_FROM"},
		{"example.org recipient", []string{"ALERTMANAGER_EMAIL_TO=ops@example.org"}, "ALERTMANAGER_EMAIL_TO"},
		{".invalid recipient", []string{"ALERTMANAGER_EMAIL_TO=ops@agora.invalid"}, "ALERTMANAGER_EMAIL_TO"},
		{"example sender with a display name", []string{"ALERTMANAGER_SMTP_FROM=Agora alerts <alerts@Example.COM>"}, "ALERTMANAGER_SMTP_FROM"},
		{"smarthost without port", []string{"ALERTMANAGER_SMTP_SMARTHOST=smtp.ops.test"}, "host:port"},
		{"smarthost with a space", []string{"ALERTMANAGER_SMTP_SMARTHOST=smtp ops.test:25"}, "host:port"},
		{"auth neither on nor off", []string{"ALERTMANAGER_SMTP_AUTH=yes"}, "ALERTMANAGER_SMTP_AUTH must be on or off"},
		{"require_tls neither true nor false", []string{"ALERTMANAGER_SMTP_REQUIRE_TLS=on"}, "ALERTMANAGER_SMTP_REQUIRE_TLS must be true or false"},
		{"slack neither on nor off", []string{"ALERTMANAGER_SLACK=true"}, "ALERTMANAGER_SLACK must be on or off"},
		{"pagerduty neither on nor off", []string{"ALERTMANAGER_PAGERDUTY=1"}, "ALERTMANAGER_PAGERDUTY must be on or off"},
	} {
		out, msg, err := run(renderEnv(c.env...))
		if err == nil {
			t.Errorf("%s: render.sh exited 0:\n%s", c.name, msg)
			continue
		}
		if !strings.Contains(msg, c.want) || !strings.HasPrefix(msg, "render.sh: ") || strings.Count(strings.TrimSpace(msg), "\n") != 0 {
			t.Errorf("%s: want one line naming %s, got:\n%s", c.name, c.want, msg)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s: render.sh wrote %s", c.name, out)
		}
	}
	// Nothing set at all: one line naming every missing setting.
	_, msg, err := run(renderEnv("ALERTMANAGER_SMTP_SMARTHOST=", "ALERTMANAGER_SMTP_FROM=", "ALERTMANAGER_SMTP_USERNAME=", "ALERTMANAGER_EMAIL_TO="))
	if err == nil || !strings.Contains(msg, "ALERTMANAGER_SMTP_SMARTHOST ALERTMANAGER_SMTP_FROM ALERTMANAGER_EMAIL_TO ALERTMANAGER_SMTP_USERNAME") {
		t.Errorf("nothing set: err %v, output:\n%s", err, msg)
	}

	// Accepted: the live CI stack's local relay (no login, no STARTTLS, a
	// .test domain), where the username may stay empty.
	out, msg, err := run(renderEnv("ALERTMANAGER_SMTP_SMARTHOST=mailcatcher:1025", "ALERTMANAGER_SMTP_FROM=alerts@agora.test",
		"ALERTMANAGER_EMAIL_TO=oncall@agora.test", "ALERTMANAGER_SMTP_USERNAME=", "ALERTMANAGER_SMTP_AUTH=off", "ALERTMANAGER_SMTP_REQUIRE_TLS=false"))
	if err != nil {
		t.Fatalf("CI settings: %v\n%s", err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	rendered := string(b)
	for _, want := range []string{`smtp_smarthost: "mailcatcher:1025"`, `smtp_from: "alerts@agora.test"`, `to: "oncall@agora.test"`, "smtp_require_tls: false"} {
		if !strings.Contains(rendered, want) {
			t.Errorf("CI settings: rendered file lacks %q", want)
		}
	}
	if regexp.MustCompile(`(?m)^\s+smtp_auth_`).MatchString(rendered) {
		t.Errorf("CI settings (AUTH=off): smtp_auth_* left in:\n%s", rendered)
	}
	// A display name around a real address is fine.
	if _, msg, err := run(renderEnv("ALERTMANAGER_SMTP_FROM=Agora alerts <alerts@ops.test>")); err != nil {
		t.Errorf("sender with a display name refused: %v\n%s", err, msg)
	}
	// An IPv6 relay is host:port too.
	if _, msg, err := run(renderEnv("ALERTMANAGER_SMTP_SMARTHOST=[2001:db8::25]:25")); err != nil {
		t.Errorf("IPv6 smarthost refused: %v\n%s", err, msg)
	}
	// E-mail broken but Slack on: a warning, and the file is written; an
	// empty Slack channel leaves the webhook's own channel (no placeholder).
	out, msg, err = run(renderEnv("ALERTMANAGER_SMTP_SMARTHOST=", "ALERTMANAGER_SLACK=on"))
	if err != nil || !strings.Contains(msg, "warning: e-mail will fail") || !strings.Contains(msg, "ALERTMANAGER_SMTP_SMARTHOST") {
		t.Errorf("e-mail broken, Slack on: err %v, output:\n%s", err, msg)
	}
	if b, err := os.ReadFile(out); err != nil || strings.Contains(string(b), "REPLACE_SLACK_CHANNEL") || !strings.Contains(string(b), "api_url_file") {
		t.Errorf("Slack on without a channel: err %v, file:\n%s", err, b)
	}
	if _, msg, err := run(renderEnv("ALERTMANAGER_EMAIL_TO=", "ALERTMANAGER_PAGERDUTY=on")); err != nil {
		t.Errorf("e-mail broken, PagerDuty on: %v\n%s", err, msg)
	}
}

// The heartbeat must reach the outside service every minute. Alertmanager
// flushes the group every group_interval and re-sends only when more than
// repeat_interval has passed since the last send; repeat_interval equal to
// group_interval just misses every other flush (measured: one ping every
// 2 minutes), so it must be below group_interval.
func TestAlertmanagerHeartbeatTiming(t *testing.T) {
	t.Parallel()
	var cfg struct {
		Route struct {
			Routes []struct {
				Receiver       string   `yaml:"receiver"`
				Matchers       []string `yaml:"matchers"`
				GroupWait      string   `yaml:"group_wait"`
				GroupInterval  string   `yaml:"group_interval"`
				RepeatInterval string   `yaml:"repeat_interval"`
				Continue       bool     `yaml:"continue"`
			} `yaml:"routes"`
		} `yaml:"route"`
	}
	readYAML(t, filepath.Join(obsDir(t), "alertmanager", "alertmanager.yml"), &cfg)
	if len(cfg.Route.Routes) == 0 {
		t.Fatal("no routes")
	}
	hb := cfg.Route.Routes[0]
	if hb.Receiver != "heartbeat" || !slices.Equal(hb.Matchers, []string{`alertname="Watchdog"`}) || hb.Continue {
		t.Fatalf("first route: %+v, want the Watchdog to heartbeat, not continuing", hb)
	}
	gi, err1 := time.ParseDuration(hb.GroupInterval)
	ri, err2 := time.ParseDuration(hb.RepeatInterval)
	gw, err3 := time.ParseDuration(hb.GroupWait)
	if err1 != nil || err2 != nil || err3 != nil {
		t.Fatalf("heartbeat timings %q/%q/%q: %v %v %v", hb.GroupWait, hb.GroupInterval, hb.RepeatInterval, err1, err2, err3)
	}
	if gi != time.Minute || ri >= gi || ri < gi/2 || gw != 0 {
		t.Errorf("heartbeat: group_wait %v, group_interval %v, repeat_interval %v; want 0s, 1m and repeat_interval a little below 1m (50s) for one ping a minute", gw, gi, ri)
	}
}

// The notification texts are never empty. A group holds alerts of one name
// (group_by alertname) whose summaries may differ (two mount points, two
// containers); .CommonAnnotations.summary is then empty, so the PagerDuty
// description falls back to the name and the count. Rendered by amtool's
// template engine (Alertmanager's own) on one and on two differing alerts.
func TestAlertmanagerTemplates(t *testing.T) {
	t.Parallel()
	amtool := needTool(t, "prometheus-alertmanager", "amtool")
	var cfg struct {
		Receivers []struct {
			Name         string           `yaml:"name"`
			SlackConfigs []map[string]any `yaml:"slack_configs"`
			PagerDuty    []map[string]any `yaml:"pagerduty_configs"`
			Email        []map[string]any `yaml:"email_configs"`
			Webhook      []map[string]any `yaml:"webhook_configs"`
		} `yaml:"receivers"`
	}
	readYAML(t, renderAlertmanager(t, "ALERTMANAGER_SLACK=on", "ALERTMANAGER_PAGERDUTY=on"), &cfg)
	templates := map[string]string{}
	for _, r := range cfg.Receivers {
		for _, c := range r.SlackConfigs {
			templates["slack title"], _ = c["title"].(string)
			templates["slack text"], _ = c["text"].(string)
		}
		for _, c := range r.PagerDuty {
			templates["pagerduty description"], _ = c["description"].(string)
		}
		for _, c := range r.Email {
			// The default subject ("__subject", group and common labels)
			// is never empty; a custom one must be checked here.
			if _, ok := c["headers"]; ok {
				t.Errorf("e-mail has custom headers: add its subject to this test")
			}
		}
	}
	for _, k := range []string{"slack title", "slack text", "pagerduty description"} {
		if templates[k] == "" {
			t.Fatalf("no %s template in the full configuration", k)
		}
	}
	alert := func(mount, summary string) map[string]any {
		return map[string]any{
			"status":      "firing",
			"labels":      map[string]string{"alertname": "HostDiskSpaceLow", "severity": "critical", "job": "node", "host": "agora-vps", "mountpoint": mount},
			"annotations": map[string]string{"summary": summary, "description": "d", "runbook_url": "observability/README.md#hostdiskspacelow"},
		}
	}
	data := func(alerts ...map[string]any) string {
		common := map[string]string{}
		if len(alerts) == 1 {
			common = alerts[0]["annotations"].(map[string]string)
		}
		f := filepath.Join(t.TempDir(), "data.json")
		b, err := json.Marshal(map[string]any{
			"receiver": "x", "status": "firing", "alerts": alerts,
			"groupLabels":       map[string]string{"alertname": "HostDiskSpaceLow", "job": "node", "host": "agora-vps"},
			"commonLabels":      map[string]string{"alertname": "HostDiskSpaceLow", "severity": "critical", "job": "node", "host": "agora-vps"},
			"commonAnnotations": common,
		})
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, f, string(b))
		return f
	}
	empty := filepath.Join(t.TempDir(), "empty.tmpl")
	writeFile(t, empty, `{{ define "unused" }}{{ end }}`)
	one := data(alert("/", "Less than 10 % free on / (agora-vps)"))
	two := data(alert("/", "Less than 10 % free on / (agora-vps)"), alert("/var", "Less than 10 % free on /var (agora-vps)"))
	render := func(text, dataFile string) string {
		out, err := runTool(t, time.Minute, obsDir(t), amtool, "template", "render",
			"--template.glob="+empty, "--template.text="+text, "--template.data="+dataFile)
		if err != nil {
			t.Fatalf("amtool template render %q: %v\n%s", text, err, out)
		}
		return strings.TrimSpace(out)
	}
	want := map[string][2]string{ // one alert, two differing alerts
		"slack title":           {"[FIRING:1] HostDiskSpaceLow", "[FIRING:2] HostDiskSpaceLow"},
		"pagerduty description": {"Less than 10 % free on / (agora-vps)", "HostDiskSpaceLow (2 firing)"},
	}
	for k, w := range want {
		if got := render(templates[k], one); got != w[0] {
			t.Errorf("%s, one alert: %q, want %q", k, got, w[0])
		}
		if got := render(templates[k], two); got != w[1] {
			t.Errorf("%s, two alerts: %q, want %q", k, got, w[1])
		}
	}
	if got := render(templates["slack text"], two); !strings.Contains(got, "on /var (agora-vps)") || !strings.Contains(got, "on / (agora-vps)") {
		t.Errorf("slack text, two alerts: %q lacks a summary", got)
	}
}

// The inhibition rules, run by Alertmanager itself: alerts are posted to a
// real Alertmanager with the rendered configuration (receivers pointed at a
// local webhook), and its API says which ones are inhibited and by what.
func TestAlertmanagerInhibitionsLive(t *testing.T) {
	t.Parallel()
	amBin := needTool(t, "prometheus-alertmanager", "prometheus-alertmanager", "alertmanager")
	tmp := t.TempDir()
	logs := &procLogs{dir: tmp}
	t.Cleanup(func() { logs.dumpIfFailed(t) })
	amAddr, _ := startAlertmanager(t, logs, amBin)
	waitHTTP(t, "alertmanager", "http://"+amAddr+"/-/ready", 30*time.Second)

	host := map[string]string{"host": "agora-vps"}
	with := func(labels map[string]string, extra map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range labels {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	alerts := map[string]map[string]string{
		"Watchdog":                         {"alertname": "Watchdog", "severity": "none"},
		"NodeDown":                         with(host, map[string]string{"alertname": "NodeDown", "severity": "critical", "job": "node", "instance": "host.docker.internal:9100"}),
		"PostgresDown":                     with(host, map[string]string{"alertname": "PostgresDown", "severity": "critical", "job": "postgres", "instance": "postgres-exporter:9187"}),
		"AgoraBackendDown":                 with(host, map[string]string{"alertname": "AgoraBackendDown", "severity": "critical", "job": "agora", "instance": "backend:9464"}),
		"BlackboxProbeFailed":              with(host, map[string]string{"alertname": "BlackboxProbeFailed", "severity": "critical", "job": "blackbox", "instance": "https://agora.example.org/healthz"}),
		"HostMemoryHigh":                   with(host, map[string]string{"alertname": "HostMemoryHigh", "severity": "warning", "job": "node", "instance": "host.docker.internal:9100"}),
		"ContainerStateStale":              with(host, map[string]string{"alertname": "ContainerStateStale", "severity": "warning", "job": "node"}),
		"HostMemoryHigh other host":        {"alertname": "HostMemoryHigh", "severity": "warning", "job": "node", "host": "other-vps"},
		"AlertmanagerNotificationsFailing": with(host, map[string]string{"alertname": "AlertmanagerNotificationsFailing", "severity": "warning", "job": "alertmanager", "integration": "email"}),
	}
	var body []map[string]any
	for _, l := range alerts {
		body = append(body, map[string]any{"labels": l, "annotations": map[string]string{"summary": "s"}})
	}
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := httpClient.Post("http://"+amAddr+"/api/v2/alerts", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("post alerts: %s", resp.Status)
	}

	want := map[string]bool{ // inhibited?
		"Watchdog":                         true, // by AlertmanagerNotificationsFailing
		"NodeDown":                         false,
		"PostgresDown":                     false,
		"AgoraBackendDown":                 false,
		"BlackboxProbeFailed":              false,
		"HostMemoryHigh":                   true, // by NodeDown
		"ContainerStateStale":              true, // by NodeDown
		"HostMemoryHigh other host":        false,
		"AlertmanagerNotificationsFailing": false,
	}
	waitFor(t, "Alertmanager's view of the inhibitions", 15*time.Second, func() (bool, string) {
		resp, err := httpClient.Get("http://" + amAddr + "/api/v2/alerts")
		if err != nil {
			return false, err.Error()
		}
		defer resp.Body.Close()
		var got []struct {
			Labels map[string]string `json:"labels"`
			Status struct {
				State       string   `json:"state"`
				InhibitedBy []string `json:"inhibitedBy"`
			} `json:"status"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
			return false, err.Error()
		}
		if len(got) != len(alerts) {
			return false, fmt.Sprintf("%d alerts of %d", len(got), len(alerts))
		}
		var wrong []string
		for _, a := range got {
			name := a.Labels["alertname"]
			if a.Labels["host"] == "other-vps" {
				name += " other host"
			}
			if inhibited := len(a.Status.InhibitedBy) > 0; inhibited != want[name] {
				wrong = append(wrong, fmt.Sprintf("%s inhibited=%v (state %s)", name, inhibited, a.Status.State))
			}
		}
		return len(wrong) == 0, strings.Join(wrong, "; ")
	})
}
