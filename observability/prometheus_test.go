package observability_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// promtool check config: the main config and, through rule_files, every rule file.
func TestPromtoolCheckConfig(t *testing.T) {
	t.Parallel()
	promtool := needTool(t, "prometheus", "promtool")
	out, err := runTool(t, time.Minute, obsDir(t), promtool, "check", "config", filepath.Join("prometheus", "prometheus.yml"))
	if err != nil {
		t.Fatalf("promtool check config: %v\n%s", err, out)
	}
	if !strings.Contains(out, "SUCCESS") {
		t.Fatalf("promtool check config did not report SUCCESS:\n%s", out)
	}
}

func TestPromtoolCheckRules(t *testing.T) {
	t.Parallel()
	promtool := needTool(t, "prometheus", "promtool")
	files := globFiles(t, filepath.Join(obsDir(t), "prometheus", "rules", "*.yml"))
	out, err := runTool(t, time.Minute, obsDir(t), promtool, append([]string{"check", "rules"}, files...)...)
	if err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
}

// promtool test rules: every alert fires when it should and stays silent when
// it should not, with its labels and annotations (prometheus/tests/*.yml).
func TestPromtoolTestRules(t *testing.T) {
	t.Parallel()
	promtool := needTool(t, "prometheus", "promtool")
	files := globFiles(t, filepath.Join(obsDir(t), "prometheus", "tests", "*.yml"))
	out, err := runTool(t, 2*time.Minute, filepath.Join(obsDir(t), "prometheus", "tests"), promtool, append([]string{"test", "rules"}, files...)...)
	if err != nil {
		t.Fatalf("promtool test rules: %v\n%s", err, out)
	}
	if strings.Contains(out, "FAILED") {
		t.Fatalf("promtool test rules reported failures:\n%s", out)
	}
}

// The scrape jobs and intervals are the contract with deploy/ and the dashboards.
func TestPrometheusConfigShape(t *testing.T) {
	t.Parallel()
	var cfg struct {
		Global struct {
			ScrapeInterval     string `yaml:"scrape_interval"`
			EvaluationInterval string `yaml:"evaluation_interval"`
		} `yaml:"global"`
		RuleFiles     []string `yaml:"rule_files"`
		ScrapeConfigs []struct {
			JobName       string              `yaml:"job_name"`
			MetricsPath   string              `yaml:"metrics_path"`
			Params        map[string][]string `yaml:"params"`
			FileSDConfigs []struct {
				Files []string `yaml:"files"`
			} `yaml:"file_sd_configs"`
			RelabelConfigs []struct {
				SourceLabels []string `yaml:"source_labels"`
				TargetLabel  string   `yaml:"target_label"`
				Replacement  string   `yaml:"replacement"`
			} `yaml:"relabel_configs"`
			StaticConfigs []struct {
				Targets []string          `yaml:"targets"`
				Labels  map[string]string `yaml:"labels"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	readYAML(t, filepath.Join(obsDir(t), "prometheus", "prometheus.yml"), &cfg)
	if cfg.Global.ScrapeInterval != "15s" || cfg.Global.EvaluationInterval != "30s" {
		t.Errorf("scrape/evaluation interval = %q/%q, want 15s/30s", cfg.Global.ScrapeInterval, cfg.Global.EvaluationInterval)
	}
	want := map[string]string{
		"agora":        "backend:9464",
		"node":         "host.docker.internal:9100",
		"postgres":     "postgres-exporter:9187",
		"alertmanager": "alertmanager:9093",
		"loki":         "loki:3100",
		"alloy":        "alloy:12345",
		"prometheus":   "localhost:9090",
		"nginx":        "nginx-exporter:9113",
		"blackbox":     "(file_sd)",
	}
	seen := map[string]bool{}
	for _, sc := range cfg.ScrapeConfigs {
		seen[sc.JobName] = true
		if sc.JobName == "blackbox" {
			// The public URL comes from a file written at install time; every
			// probe goes to the exporter and carries the host label.
			relabel := map[string]string{}
			for _, r := range sc.RelabelConfigs {
				relabel[r.TargetLabel] = strings.Join(r.SourceLabels, ",") + "->" + r.Replacement
			}
			if sc.MetricsPath != "/probe" || !slices.Equal(sc.Params["module"], []string{"https_healthz"}) ||
				len(sc.FileSDConfigs) != 1 || !slices.Equal(sc.FileSDConfigs[0].Files, []string{"/etc/prometheus/targets/public-urls.yml"}) ||
				relabel["__param_target"] != "__address__->" || relabel["instance"] != "__param_target->" ||
				relabel["__address__"] != "->blackbox-exporter:9115" || relabel["host"] != "->agora-vps" {
				t.Errorf("job blackbox: path %q params %v file_sd %+v relabel %v", sc.MetricsPath, sc.Params, sc.FileSDConfigs, relabel)
			}
			continue
		}
		target, ok := want[sc.JobName]
		if !ok {
			t.Errorf("unexpected job %q", sc.JobName)
			continue
		}
		if len(sc.StaticConfigs) != 1 || !slices.Equal(sc.StaticConfigs[0].Targets, []string{target}) {
			t.Errorf("job %s: targets %+v, want [%s]", sc.JobName, sc.StaticConfigs, target)
			continue
		}
		if sc.StaticConfigs[0].Labels["host"] == "" {
			t.Errorf("job %s: no host label (NodeDown inhibition matches on it)", sc.JobName)
		}
	}
	for job := range want {
		if !seen[job] {
			t.Errorf("job %q missing", job)
		}
	}
}

// Every alert carries severity, summary, description and a runbook_url that
// points at a heading of observability/README.md; every alert has a promtool
// test where it fires with its severity and one where it stays silent.
func TestAlertRulesMetadata(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join(obsDir(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	anchors := markdownAnchors(string(readme))

	alerts := map[string][]rule{}
	records := map[string]bool{}
	for file, rf := range loadRules(t) {
		for _, g := range rf.Groups {
			for _, r := range g.Rules {
				if r.Record != "" {
					if records[r.Record] {
						t.Errorf("%s: recording rule %s defined twice", file, r.Record)
					}
					records[r.Record] = true
					if strings.Count(r.Record, ":") != 2 {
						t.Errorf("%s: recording rule %s does not follow level:metric:operations", file, r.Record)
					}
					continue
				}
				alerts[r.Alert] = append(alerts[r.Alert], r)
				sev := r.Labels["severity"]
				if !slices.Contains([]string{"critical", "warning", "none"}, sev) {
					t.Errorf("%s: alert %s: severity %q, want critical, warning or none", file, r.Alert, sev)
				}
				for _, a := range []string{"summary", "description", "runbook_url"} {
					if strings.TrimSpace(r.Annotations[a]) == "" {
						t.Errorf("%s: alert %s has no %s annotation", file, r.Alert, a)
					}
				}
				u := r.Annotations["runbook_url"]
				_, frag, _ := strings.Cut(u, "#")
				if !strings.HasPrefix(u, "observability/README.md#") || !anchors[frag] {
					t.Errorf("%s: alert %s: runbook_url %q is not a heading of observability/README.md", file, r.Alert, u)
				}
			}
		}
	}

	wantAlerts := []string{
		"AgoraHighErrorRate", "AgoraHighLatency", "AgoraBackendDown", "PostgresDown",
		"PostgresTooManyConnections", "AgoraDBPoolExhausted", "AgoraLoginFailuresSpike",
		"HostDiskSpaceLow", "HostDiskWillFillIn24Hours", "HostMemoryHigh", "HostCPUHigh",
		"NodeDown", "BackupFailed", "BackupTooOld", "TLSCertExpiring", "Watchdog",
	}
	for _, a := range wantAlerts {
		if len(alerts[a]) == 0 {
			t.Errorf("alert %s is missing", a)
		}
	}

	// Coverage by promtool tests.
	type cover struct {
		fires      map[string]bool // severities seen firing
		silentCase bool
	}
	covered := map[string]*cover{}
	for _, f := range globFiles(t, filepath.Join(obsDir(t), "prometheus", "tests", "*.yml")) {
		var tf struct {
			Tests []struct {
				AlertRuleTest []struct {
					Alertname string `yaml:"alertname"`
					ExpAlerts []struct {
						ExpLabels map[string]string `yaml:"exp_labels"`
					} `yaml:"exp_alerts"`
				} `yaml:"alert_rule_test"`
			} `yaml:"tests"`
		}
		readYAML(t, f, &tf)
		for _, tc := range tf.Tests {
			for _, art := range tc.AlertRuleTest {
				c := covered[art.Alertname]
				if c == nil {
					c = &cover{fires: map[string]bool{}}
					covered[art.Alertname] = c
				}
				if len(art.ExpAlerts) == 0 {
					c.silentCase = true
				}
				for _, e := range art.ExpAlerts {
					c.fires[e.ExpLabels["severity"]] = true
					// Every alert but the Watchdog carries host: the
					// inhibitions match on it, and an absent()-style alert
					// without it escapes them and silences by host.
					if e.ExpLabels["host"] == "" && art.Alertname != "Watchdog" {
						t.Errorf("%s: %s fires without a host label %v", filepath.Base(f), art.Alertname, e.ExpLabels)
					}
				}
			}
		}
	}
	names := make([]string, 0, len(alerts))
	for n := range alerts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		c := covered[name]
		if c == nil {
			t.Errorf("alert %s has no promtool test", name)
			continue
		}
		for _, r := range alerts[name] {
			if !c.fires[r.Labels["severity"]] {
				t.Errorf("alert %s (severity %s) is never expected to fire in prometheus/tests", name, r.Labels["severity"])
			}
		}
		if !c.silentCase && name != "Watchdog" {
			t.Errorf("alert %s has no test case where it stays silent", name)
		}
	}
}

var headingRe = regexp.MustCompile(`(?m)^#{1,6}\s+(.+?)\s*$`)

// markdownAnchors returns the GitHub-style anchors of a document's headings.
func markdownAnchors(doc string) map[string]bool {
	out := map[string]bool{}
	for _, m := range headingRe.FindAllStringSubmatch(doc, -1) {
		var b strings.Builder
		for _, r := range strings.ToLower(m[1]) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9'):
				b.WriteRune(r)
			}
		}
		out[b.String()] = true
	}
	return out
}

// The example file for the blackbox job's targets is valid file_sd and names
// an https /healthz URL; the module it asks for exists in blackbox.yml.
func TestBlackboxTargetsAndModule(t *testing.T) {
	t.Parallel()
	var groups []struct {
		Targets []string          `yaml:"targets"`
		Labels  map[string]string `yaml:"labels"`
	}
	readYAML(t, filepath.Join(obsDir(t), "prometheus", "targets", "public-urls.example.yml"), &groups)
	if len(groups) != 1 || len(groups[0].Targets) == 0 {
		t.Fatalf("public-urls.example.yml: %+v", groups)
	}
	for _, u := range groups[0].Targets {
		if !strings.HasPrefix(u, "https://") || !strings.HasSuffix(u, "/healthz") {
			t.Errorf("target %q: want https://<domain>/healthz", u)
		}
	}
	var bb struct {
		Modules map[string]struct {
			Prober string `yaml:"prober"`
			HTTP   struct {
				ValidStatusCodes []int `yaml:"valid_status_codes"`
				FailIfNotSSL     bool  `yaml:"fail_if_not_ssl"`
				FollowRedirects  *bool `yaml:"follow_redirects"`
				TLSConfig        struct {
					InsecureSkipVerify bool `yaml:"insecure_skip_verify"`
				} `yaml:"tls_config"`
			} `yaml:"http"`
		} `yaml:"modules"`
	}
	readYAML(t, filepath.Join(obsDir(t), "blackbox", "blackbox.yml"), &bb)
	m, ok := bb.Modules["https_healthz"]
	if !ok || m.Prober != "http" || !slices.Equal(m.HTTP.ValidStatusCodes, []int{200}) || !m.HTTP.FailIfNotSSL ||
		m.HTTP.FollowRedirects == nil || *m.HTTP.FollowRedirects || m.HTTP.TLSConfig.InsecureSkipVerify {
		t.Errorf("module https_healthz: %+v (want http, 200 only, TLS required and verified, no redirects)", m)
	}
}

// The blackbox exporter itself accepts blackbox.yml.
func TestBlackboxConfigCheck(t *testing.T) {
	t.Parallel()
	bb := needTool(t, "prometheus-blackbox-exporter", "prometheus-blackbox-exporter", "blackbox_exporter")
	out, err := runTool(t, time.Minute, obsDir(t), bb, "--config.check", "--config.file="+filepath.Join("blackbox", "blackbox.yml"))
	if err != nil {
		t.Fatalf("blackbox_exporter --config.check: %v\n%s", err, out)
	}
}
