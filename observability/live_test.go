package observability_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	yaml "go.yaml.in/yaml/v4"

	"agora/adapters/postgres/pgtest"
	"agora/cmd/agora/agoratest"
	"agora/internal/systest"
)

// TestLiveStack proves the monitoring set-up against a live stack on loopback:
// PostgreSQL (a private cluster it can stop), Agora, node_exporter,
// postgres_exporter, Prometheus (test copies of the config and rules with
// short windows) and Alertmanager (the real routing tree and inhibitions,
// receivers replaced by webhooks on an in-test server). See README.md.
func TestLiveStack(t *testing.T) {
	if testing.Short() {
		t.Skip("live stack test skipped in -short mode")
	}
	t.Parallel()
	promBin := needTool(t, "prometheus", "prometheus")
	amBin := needTool(t, "prometheus-alertmanager", "prometheus-alertmanager", "alertmanager")
	nodeBin := needTool(t, "prometheus-node-exporter", "prometheus-node-exporter", "node_exporter")
	pgExpBin := needTool(t, "prometheus-postgres-exporter", "prometheus-postgres-exporter", "postgres_exporter")

	deadline := time.Now().Add(4 * time.Minute)
	tmp := t.TempDir()
	logs := &procLogs{dir: tmp}
	t.Cleanup(func() { logs.dumpIfFailed(t) })

	// PostgreSQL and Agora.
	agoraBin := agoratest.Binary(t)
	cluster := pgtest.StartCluster(t)
	dbURL := cluster.NewDatabase(t)

	agoraHTTP, agoraMetrics := systest.FreeAddr(t), systest.FreeAddr(t)
	startProc(t, logs, "agora", agoraBin, []string{"serve"}, []string{
		"DATABASE_URL=" + dbURL,
		"HTTP_ADDR=" + agoraHTTP,
		"METRICS_ADDR=" + agoraMetrics,
		"RATE_LIMIT_ENABLED=false",
		"MAIL_DIR=" + filepath.Join(tmp, "mail"),
		"LOG_LEVEL=warn",
	})

	// Exporters.
	textfile := filepath.Join(tmp, "textfile")
	if err := os.MkdirAll(textfile, 0o755); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	writeFile(t, filepath.Join(textfile, "agora_backup.prom"), fmt.Sprintf(
		"agora_backup_last_run_timestamp_seconds %d\nagora_backup_last_success_timestamp_seconds %d\nagora_backup_last_size_bytes 1048576\nagora_backup_last_status 1\n", now, now))
	// What pgbackrest-backup.sh, restore-drill.sh and secrets-archive.sh write
	// after a good night (their own tests, in deploy/ and deploy/recovery,
	// check they do).
	writeFile(t, filepath.Join(textfile, "agora_pgbackrest.prom"), fmt.Sprintf(
		"agora_pgbackrest_backup_timestamp_seconds{repo=\"1\",type=\"full\"} %[1]d\n"+
			"agora_pgbackrest_backup_timestamp_seconds{repo=\"1\",type=\"diff\"} %[1]d\n"+
			"agora_pgbackrest_backup_timestamp_seconds{repo=\"2\",type=\"full\"} %[1]d\n"+
			"agora_pgbackrest_backup_timestamp_seconds{repo=\"2\",type=\"diff\"} %[1]d\n"+
			"agora_pgbackrest_repo_configured{repo=\"1\"} 1\nagora_pgbackrest_repo_configured{repo=\"2\"} 1\n"+
			"agora_pgbackrest_offsite_disabled 0\nagora_pgbackrest_last_status 1\nagora_pgbackrest_last_run_timestamp_seconds %[1]d\n", now))
	writeFile(t, filepath.Join(textfile, "agora_restore.prom"), fmt.Sprintf(
		"agora_restore_verified_timestamp_seconds %[1]d\nagora_restore_duration_seconds 42\n"+
			"agora_restore_last_status 1\nagora_restore_last_run_timestamp_seconds %[1]d\n", now))
	writeFile(t, filepath.Join(textfile, "agora_secrets_archive.prom"), fmt.Sprintf(
		"agora_secrets_archive_last_success_timestamp_seconds %[1]d\nagora_secrets_archive_last_status 1\n", now))
	writeFile(t, filepath.Join(textfile, "agora_tls.prom"), fmt.Sprintf(
		"agora_tls_cert_expiry_timestamp_seconds{domain=\"agora.example.org\"} %d\n", now+60*86400))
	// The container-state script, with a stubbed docker, writes its textfile
	// the way the systemd timer does on the host.
	dockerDir, _ := fakeDocker(t, "aaa\nbbb\n", 0, "/agora-backend-1|backend|0|false|true\n/agora-nginx-1|nginx|1|false|true\n", 0)
	if out, errOut, code := runContainerState(t, dockerDir, textfile); code != 0 {
		t.Fatalf("container-state.sh: exit %d: %s%s", code, out, errOut)
	}
	nodeAddr := systest.FreeAddr(t)
	startProc(t, logs, "node_exporter", nodeBin, []string{
		"--web.listen-address=" + nodeAddr,
		"--collector.textfile.directory=" + textfile,
		"--no-collector.systemd", // Debian enables it; no systemd here
	}, nil)
	pgExpAddr := systest.FreeAddr(t)
	startProc(t, logs, "postgres_exporter", pgExpBin, []string{"--web.listen-address=" + pgExpAddr},
		[]string{"DATA_SOURCE_NAME=" + cluster.AdminURL()})

	// The edge: nginx (TLS, stub_status), its exporter, the blackbox
	// exporter and the Alloy stand-in (edge_live_test.go).
	edge := startEdge(t, logs, tmp, agoraHTTP)

	// Alertmanager, a webhook receiver standing in for e-mail, Slack,
	// PagerDuty and the heartbeat.
	amAddr, hooks := startAlertmanager(t, logs, amBin)

	// Prometheus.
	promAddr := systest.FreeAddr(t)
	promDir := filepath.Join(tmp, "prometheus")
	targets := map[string]string{
		"agora": agoraMetrics, "node": nodeAddr, "postgres": pgExpAddr,
		"alertmanager": amAddr, "prometheus": promAddr,
		"nginx": edge.nginxExpAddr, "alloy": edge.alloyAddr, "blackbox": edge.bbAddr,
	}
	writeTestPrometheus(t, promDir, targets, amAddr, edge.probeURL)
	startProc(t, logs, "prometheus", promBin, []string{
		"--config.file=" + filepath.Join(promDir, "prometheus.yml"),
		"--storage.tsdb.path=" + filepath.Join(tmp, "prom-data"),
		"--web.listen-address=" + promAddr,
		"--rules.alert.resend-delay=1s",
		"--log.level=warn",
	}, nil)

	for name, u := range map[string]string{
		"agora":        "http://" + agoraHTTP + "/healthz",
		"node":         "http://" + nodeAddr + "/metrics",
		"postgres":     "http://" + pgExpAddr + "/metrics",
		"alertmanager": "http://" + amAddr + "/-/ready",
		"prometheus":   "http://" + promAddr + "/-/ready",
		"alloy":        "http://" + edge.alloyAddr + "/metrics",
	} {
		waitHTTP(t, name, u, 45*time.Second)
	}

	// Traffic: a fixed set of users and actions, then a loop until the end.
	api := &apiClient{base: "http://" + agoraHTTP}
	api.seed(t)
	// Until the product endpoints exist, the counters they feed have no
	// series; their queries are then only required to parse and evaluate.
	missingOK := map[string]bool{}
	if !api.ready {
		t.Log("the /api/v1 product endpoints are not served by this build: traffic is /readyz, /healthz, openapi.yaml and unmatched paths; auth_login_attempts_total and agora_connection_requests_total may have no series")
		missingOK["auth_login_attempts_total"] = true
		missingOK["agora_connection_requests_total"] = true
	}
	ctx, stopTraffic := context.WithCancel(context.Background())
	var trafficDone sync.WaitGroup
	trafficDone.Add(1)
	go func() {
		defer trafficDone.Done()
		api.loop(ctx, 60*time.Millisecond)
	}()
	edgeStop := make(chan struct{})
	trafficDone.Add(1)
	go func() {
		defer trafficDone.Done()
		edge.loop(edgeStop, 100*time.Millisecond)
	}()
	t.Cleanup(func() { stopTraffic(); close(edgeStop); trafficDone.Wait() })

	prom := &promClient{base: "http://" + promAddr}

	// 1. Every target is up.
	waitFor(t, "every scrape target up", 45*time.Second, func() (bool, string) {
		return prom.allTargetsUp(t, len(targets))
	})

	// The edge: the probe through nginx succeeds with the served certificate
	// read, the exporter reads stub_status, and the access-log counters of
	// the Alloy stand-in feed the edge recording rules.
	for what, q := range map[string]string{
		"blackbox probe of " + edge.probeURL + " succeeds": `probe_success{job="blackbox"} == 1`,
		"served certificate read (about 60 days left)":     `probe_ssl_earliest_cert_expiry{job="blackbox"} - time() > 50 * 86400`,
		"nginx exporter reads stub_status":                 `nginx_up{job="nginx"} == 1 and nginx_connections_accepted{job="nginx"} > 0`,
		"edge responses counted from the access log":       `host:agora_edge_http_responses:rate5m > 0`,
	} {
		q := q
		waitFor(t, what, 30*time.Second, func() (bool, string) {
			r := prom.query(t, q)
			return len(r) > 0, q + ": no series"
		})
	}

	// The 10 s windows need a few scrapes of traffic before rates exist.
	waitFor(t, "request rate recorded", 30*time.Second, func() (bool, string) {
		r := prom.query(t, `job:http_requests:rate5m{job="agora"} > 0`)
		return len(r) > 0, fmt.Sprintf("%d series", len(r))
	})

	// 2. Rules and dashboards: every rule evaluates; every recording rule, every
	// metric referenced by a rule, and every dashboard query returns data.
	waitFor(t, "every rule evaluated without error", 30*time.Second, func() (bool, string) {
		return prom.rulesHealthy(t)
	})
	checkQueriesReturnData(t, prom, missingOK)

	// 3. The dead man's switch reaches the heartbeat receiver.
	waitFor(t, "Watchdog at the heartbeat webhook", 30*time.Second, func() (bool, string) {
		n := hooks.find("heartbeat", "Watchdog", "firing")
		return n != nil, hooks.summary()
	})

	// 4. Database down: the error-rate alert fires and reaches every receiver
	// its severity routes to (full config: PagerDuty, Slack, e-mail).
	if s := prom.alertState(t, "AgoraHighErrorRate"); s != "" {
		t.Fatalf("AgoraHighErrorRate is %s before the database was stopped", s)
	}
	cluster.Stop(t)
	t.Log("database stopped")
	waitFor(t, "AgoraHighErrorRate firing in Prometheus", 60*time.Second, func() (bool, string) {
		return prom.alertState(t, "AgoraHighErrorRate") == "firing", "state " + prom.alertState(t, "AgoraHighErrorRate")
	})
	waitFor(t, "PostgresDown firing in Prometheus", 30*time.Second, func() (bool, string) {
		return prom.alertState(t, "PostgresDown") == "firing", "state " + prom.alertState(t, "PostgresDown")
	})
	for _, receiver := range []string{"email", "slack", "pagerduty"} {
		waitFor(t, "AgoraHighErrorRate at the "+receiver+" webhook", 30*time.Second, func() (bool, string) {
			return hooks.find(receiver, "AgoraHighErrorRate", "firing") != nil, hooks.summary()
		})
		a := hooks.find(receiver, "AgoraHighErrorRate", "firing")
		for k, v := range map[string]string{"alertname": "AgoraHighErrorRate", "severity": "critical", "job": "agora", "host": "agora-vps"} {
			if a.Labels[k] != v {
				t.Errorf("%s notification: label %s = %q, want %q (labels %v)", receiver, k, a.Labels[k], v, a.Labels)
			}
		}
		for _, k := range []string{"summary", "description", "runbook_url"} {
			if a.Annotations[k] == "" {
				t.Errorf("%s notification: annotation %s empty", receiver, k)
			}
		}
	}

	// 5. Database back: the service recovers by itself and the alert resolves.
	cluster.Start(t)
	t.Log("database started")
	waitFor(t, "AgoraHighErrorRate resolved in Prometheus and at the email webhook", 90*time.Second, func() (bool, string) {
		state := prom.alertState(t, "AgoraHighErrorRate")
		return state == "" && hooks.find("email", "AgoraHighErrorRate", "resolved") != nil, "state " + state + "; " + hooks.summary()
	})
	waitFor(t, "readyz answering 200 again", 30*time.Second, func() (bool, string) {
		code, _, err := api.do("GET", "/readyz", "", nil)
		return err == nil && code == http.StatusOK, fmt.Sprint(code, err)
	})
	// The Alloy stand-in parsed nginx's real access lines.
	edge.stand.check(t)
	if time.Now().After(deadline) {
		t.Errorf("live stack test took longer than its budget")
	}
}

// checkQueriesReturnData runs every recording rule, every metric named in an
// alert rule and every dashboard query against the live Prometheus.
func checkQueriesReturnData(t *testing.T, prom *promClient, missingOK map[string]bool) {
	t.Helper()
	excused := func(expr string) bool {
		for _, m := range metricNames(expr) {
			if missingOK[m] {
				return true
			}
		}
		return false
	}
	metrics := map[string]bool{}
	var recorded []string
	for _, rf := range loadRules(t) {
		for _, g := range rf.Groups {
			for _, r := range g.Rules {
				if r.Record != "" {
					recorded = append(recorded, r.Record)
					if excused(r.Expr) {
						missingOK[r.Record] = true // derived from an excused metric
					}
				}
				for _, m := range metricNames(r.Expr) {
					metrics[m] = true
				}
			}
		}
	}
	skipped := 0
	for _, rec := range recorded {
		delete(metrics, rec)
		if missingOK[rec] && len(prom.query(t, rec)) == 0 {
			skipped++
			continue
		}
		rec := rec
		waitFor(t, "recording rule "+rec+" has data", 20*time.Second, func() (bool, string) {
			return len(prom.query(t, rec)) > 0, "no series"
		})
	}
	names := make([]string, 0, len(metrics))
	for m := range metrics {
		names = append(names, m)
	}
	sort.Strings(names)
	for _, m := range names {
		if len(prom.query(t, m)) == 0 {
			if missingOK[m] {
				skipped++
				continue
			}
			t.Errorf("metric %s, used by a rule, has no series in the live stack", m)
		}
	}
	// 15 s windows: at least 4 scrapes of the slowest (3 s) job.
	queries := dashboardPromQL(t, "15s")
	keys := make([]string, 0, len(queries))
	for k := range queries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	// Rates need a few scrapes: retry the empty ones for up to 20 s.
	pending := keys
	for end := time.Now().Add(20 * time.Second); ; {
		var still []string
		for _, where := range pending {
			res, err := prom.tryQuery(queries[where])
			if err != nil || len(res) == 0 {
				still = append(still, where)
			}
		}
		pending = still
		if len(pending) == 0 || time.Now().After(end) {
			break
		}
		time.Sleep(time.Second)
	}
	for _, where := range pending {
		q := queries[where]
		res, err := prom.tryQuery(q)
		if err != nil {
			t.Errorf("%s: %v\n  query: %s", where, err, q)
			continue
		}
		if len(res) > 0 {
			continue
		}
		if excused(q) {
			skipped++
			continue
		}
		var empty []string
		for _, m := range metricNames(q) {
			if len(prom.query(t, m)) == 0 {
				empty = append(empty, m)
			}
		}
		t.Errorf("%s: no data (metrics without series: %v)\n  query: %s", where, empty, q)
	}
	t.Logf("checked %d recording rules, %d metrics named by rules, %d dashboard queries; %d excused for missing endpoints", len(recorded), len(names), len(queries), skipped)
}

var (
	promStrings  = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`)
	promMatchers = regexp.MustCompile(`\{[^{}]*\}`)
	promRanges   = regexp.MustCompile(`\[[^\]]*\]`)
	promGrouping = regexp.MustCompile(`\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	promIdent    = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*`)
	promKeywords = []string{"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan", "Inf", "NaN"}
)

// metricNames lists the metric names a PromQL expression selects.
func metricNames(expr string) []string {
	s := promStrings.ReplaceAllString(expr, `""`)
	s = promMatchers.ReplaceAllString(s, "{}")
	s = promRanges.ReplaceAllString(s, "")
	s = promGrouping.ReplaceAllString(s, " ")
	var out []string
	for _, loc := range promIdent.FindAllStringIndex(s, -1) {
		name := s[loc[0]:loc[1]]
		rest := strings.TrimLeft(s[loc[1]:], " \t\n")
		if strings.HasPrefix(rest, "(") || slices.Contains(promKeywords, name) {
			continue
		}
		if loc[0] > 0 && (s[loc[0]-1] >= '0' && s[loc[0]-1] <= '9' || s[loc[0]-1] == '.') {
			continue // exponent or unit of a number, e.g. 5e8
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

func TestMetricNames(t *testing.T) {
	t.Parallel()
	got := metricNames(`sum by (job, host) (rate(http_requests_total{status=~"5.."}[5m])) / on(job) group_left max(db_pool_max_conns) > 0.5e3 and time() - agora_backup_last_success_timestamp_seconds > 26 * 3600 or vector(1)`)
	want := []string{"http_requests_total", "db_pool_max_conns", "agora_backup_last_success_timestamp_seconds"}
	if !slices.Equal(got, want) {
		t.Errorf("metricNames = %v, want %v", got, want)
	}
}

// --- test copies of the configuration ---------------------------------------

var (
	rangeRe = regexp.MustCompile(`\[(\d+[smhdwy])\]`)
	forRe   = regexp.MustCompile(`(?m)^(\s+for:\s*)\S+\s*$`)
)

func writeTestPrometheus(t *testing.T, dir string, targets map[string]string, amAddr, probeURL string) {
	t.Helper()
	rulesDir := filepath.Join(dir, "rules")
	if err := os.MkdirAll(rulesDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range globFiles(t, filepath.Join(obsDir(t), "prometheus", "rules", "*.yml")) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s := rangeRe.ReplaceAllString(string(b), "[10s]")
		s = forRe.ReplaceAllString(s, "${1}5s")
		writeFile(t, filepath.Join(rulesDir, filepath.Base(f)), s)
	}
	var cfg map[string]any
	readYAML(t, filepath.Join(obsDir(t), "prometheus", "prometheus.yml"), &cfg)
	cfg["global"] = map[string]any{
		"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s",
		"external_labels": cfg["global"].(map[string]any)["external_labels"],
	}
	cfg["rule_files"] = []string{filepath.Join(rulesDir, "*.yml")}
	cfg["alerting"] = map[string]any{"alertmanagers": []any{map[string]any{
		"static_configs": []any{map[string]any{"targets": []string{amAddr}}},
	}}}
	var jobs []any
	for _, sc := range cfg["scrape_configs"].([]any) {
		job := sc.(map[string]any)
		name := job["job_name"].(string)
		addr, ok := targets[name]
		if !ok {
			continue // loki cannot run here (alloy has a stand-in)
		}
		if name == "blackbox" {
			// The public URL file becomes the loopback nginx's /healthz, and
			// the probes go to the test's blackbox exporter.
			delete(job, "file_sd_configs")
			job["static_configs"] = []any{map[string]any{"targets": []string{probeURL}}}
			for _, rc := range job["relabel_configs"].([]any) {
				r := rc.(map[string]any)
				if r["target_label"] == "__address__" {
					r["replacement"] = addr
				}
			}
			jobs = append(jobs, job)
			continue
		}
		static := job["static_configs"].([]any)[0].(map[string]any)
		static["targets"] = []string{addr}
		if name == "postgres" {
			// postgres_exporter 0.11 needs about 1 s to report pg_up 0 when
			// the database is down; give it room to answer.
			job["scrape_interval"], job["scrape_timeout"] = "3s", "3s"
		}
		jobs = append(jobs, job)
	}
	cfg["scrape_configs"] = jobs
	b, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "prometheus.yml"), string(b))
}

// startAlertmanager runs Alertmanager with the test configuration, every
// receiver pointed at a webhook sink in the test; it returns Alertmanager's
// address and the sink.
func startAlertmanager(t *testing.T, logs *procLogs, bin string) (addr string, hooks *webhookSink) {
	t.Helper()
	hooks = &webhookSink{}
	hookSrv := httptest.NewServer(hooks)
	t.Cleanup(hookSrv.Close)
	addr = systest.FreeAddr(t)
	cfg := filepath.Join(logs.dir, "alertmanager.yml")
	writeFile(t, cfg, testAlertmanagerConfig(t, hookSrv.URL))
	startProc(t, logs, "alertmanager", bin, []string{
		"--config.file=" + cfg,
		"--storage.path=" + filepath.Join(logs.dir, "am-data"),
		"--web.listen-address=" + addr,
		"--cluster.listen-address=",
	}, nil)
	return addr, hooks
}

// testAlertmanagerConfig renders alertmanager.yml with Slack and PagerDuty on,
// keeps its route tree and inhibitions, points every receiver at a webhook
// path named after it, and shortens the timings.
func testAlertmanagerConfig(t *testing.T, hookURL string) string {
	t.Helper()
	var cfg map[string]any
	readYAML(t, renderAlertmanager(t, "ALERTMANAGER_SLACK=on", "ALERTMANAGER_PAGERDUTY=on"), &cfg)
	cfg["global"] = map[string]any{"resolve_timeout": "1m"}
	var receivers []any
	for _, r := range cfg["receivers"].([]any) {
		name := r.(map[string]any)["name"].(string)
		receivers = append(receivers, map[string]any{
			"name": name,
			"webhook_configs": []any{map[string]any{
				"url": hookURL + "/" + name, "send_resolved": true,
			}},
		})
	}
	cfg["receivers"] = receivers
	var shorten func(r map[string]any)
	shorten = func(r map[string]any) {
		for k, v := range map[string]string{"group_wait": "1s", "group_interval": "2s"} {
			if _, ok := r[k]; ok {
				r[k] = v
			}
		}
		if rs, ok := r["routes"].([]any); ok {
			for _, c := range rs {
				shorten(c.(map[string]any))
			}
		}
	}
	route := cfg["route"].(map[string]any)
	shorten(route)
	b, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// --- processes ---------------------------------------------------------------

type procLogs struct {
	dir   string
	mu    sync.Mutex
	files []string
}

func (l *procLogs) add(name string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := filepath.Join(l.dir, name+".log")
	l.files = append(l.files, p)
	return p
}

func (l *procLogs) dumpIfFailed(t *testing.T) {
	if !t.Failed() {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, f := range l.files {
		b, _ := os.ReadFile(f)
		lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
		if len(lines) > 30 {
			lines = lines[len(lines)-30:]
		}
		t.Logf("--- last lines of %s:\n%s", filepath.Base(f), strings.Join(lines, "\n"))
	}
}

func startProc(t *testing.T, logs *procLogs, name, bin string, args, env []string) {
	t.Helper()
	logf, err := os.Create(logs.add(name))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Dir = logs.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		systest.Stop(cmd.Process, done, 10*time.Second)
		_ = logf.Close()
	})
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

var httpClient = &http.Client{Timeout: 5 * time.Second}

func waitHTTP(t *testing.T, name, u string, timeout time.Duration) {
	t.Helper()
	waitFor(t, name+" answering at "+u, timeout, func() (bool, string) {
		resp, err := httpClient.Get(u)
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, resp.Status
	})
}

// waitFor polls cond every 250 ms until it holds or timeout passes.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	end := time.Now().Add(timeout)
	last := ""
	for {
		ok, detail := cond()
		if ok {
			return
		}
		last = detail
		if time.Now().After(end) {
			t.Fatalf("timed out after %v waiting for %s (last: %s)", timeout, what, last)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// --- Prometheus API ----------------------------------------------------------

type promClient struct{ base string }

type promSample struct {
	Metric map[string]string `json:"metric"`
}

func (p *promClient) get(path string, params url.Values, v any) error {
	resp, err := httpClient.Get(p.base + path + "?" + params.Encode())
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var env struct {
		Status string          `json:"status"`
		Error  string          `json:"error"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return fmt.Errorf("%s: %w: %s", path, err, body)
	}
	if env.Status != "success" {
		return fmt.Errorf("%s: %s", path, env.Error)
	}
	return json.Unmarshal(env.Data, v)
}

func (p *promClient) tryQuery(q string) ([]promSample, error) {
	var data struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	}
	if err := p.get("/api/v1/query", url.Values{"query": {q}}, &data); err != nil {
		return nil, err
	}
	if data.ResultType == "scalar" {
		return []promSample{{}}, nil
	}
	var res []promSample
	err := json.Unmarshal(data.Result, &res)
	return res, err
}

func (p *promClient) query(t *testing.T, q string) []promSample {
	t.Helper()
	res, err := p.tryQuery(q)
	if err != nil {
		t.Fatalf("query %s: %v", q, err)
	}
	return res
}

func (p *promClient) allTargetsUp(t *testing.T, want int) (bool, string) {
	var data struct {
		ActiveTargets []struct {
			Labels    map[string]string `json:"labels"`
			Health    string            `json:"health"`
			LastError string            `json:"lastError"`
		} `json:"activeTargets"`
	}
	if err := p.get("/api/v1/targets", url.Values{"state": {"active"}}, &data); err != nil {
		return false, err.Error()
	}
	var bad []string
	for _, tg := range data.ActiveTargets {
		if tg.Health != "up" {
			bad = append(bad, tg.Labels["job"]+": "+tg.Health+" "+tg.LastError)
		}
	}
	return len(data.ActiveTargets) == want && len(bad) == 0, fmt.Sprintf("%d targets, not up: %v", len(data.ActiveTargets), bad)
}

func (p *promClient) rulesHealthy(t *testing.T) (bool, string) {
	var data systest.RuleGroups
	if err := p.get("/api/v1/rules", url.Values{}, &data); err != nil {
		return false, err.Error()
	}
	n, bad := data.Unhealthy()
	return n > 0 && len(bad) == 0, fmt.Sprintf("%d rules, unhealthy: %v", n, bad)
}

// alertState is "", "pending" or "firing".
func (p *promClient) alertState(t *testing.T, name string) string {
	var data struct {
		Alerts []struct {
			Labels map[string]string `json:"labels"`
			State  string            `json:"state"`
		} `json:"alerts"`
	}
	if err := p.get("/api/v1/alerts", url.Values{}, &data); err != nil {
		return "error: " + err.Error()
	}
	state := ""
	for _, a := range data.Alerts {
		if a.Labels["alertname"] == name {
			if a.State == "firing" {
				return "firing"
			}
			state = a.State
		}
	}
	return state
}

// --- webhook receiver --------------------------------------------------------

type hookAlert struct {
	Status      string            `json:"status"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
}

type webhookSink struct {
	mu     sync.Mutex
	byPath map[string][]hookAlert
}

func (s *webhookSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var msg struct {
		Receiver string      `json:"receiver"`
		Status   string      `json:"status"`
		Alerts   []hookAlert `json:"alerts"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&msg); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	if s.byPath == nil {
		s.byPath = map[string][]hookAlert{}
	}
	name := strings.TrimPrefix(r.URL.Path, "/")
	s.byPath[name] = append(s.byPath[name], msg.Alerts...)
	s.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (s *webhookSink) find(receiver, alertname, status string) *hookAlert {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.byPath[receiver]) - 1; i >= 0; i-- {
		a := s.byPath[receiver][i]
		if a.Labels["alertname"] == alertname && a.Status == status {
			return &a
		}
	}
	return nil
}

func (s *webhookSink) summary() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var parts []string
	for r, as := range s.byPath {
		seen := map[string]bool{}
		for _, a := range as {
			seen[a.Labels["alertname"]+"/"+a.Status] = true
		}
		var names []string
		for n := range seen {
			names = append(names, n)
		}
		sort.Strings(names)
		parts = append(parts, r+": "+strings.Join(names, ","))
	}
	sort.Strings(parts)
	return "webhooks got {" + strings.Join(parts, "; ") + "}"
}

// --- Agora traffic -------------------------------------------------------------

type apiClient struct {
	base       string
	alice, bob string // access tokens
	ready      bool   // the /api/v1 product endpoints are served
}

func (a *apiClient) do(method, path, token string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, nil
}

func (a *apiClient) must(t *testing.T, want int, method, path, token string, body any) []byte {
	t.Helper()
	code, b, err := a.do(method, path, token, body)
	if err != nil || code != want {
		t.Fatalf("%s %s: %d %v, want %d: %s", method, path, code, err, want, b)
	}
	return b
}

// seed registers two users, logs in, posts, and connects them, so that every
// product counter has a series.
func (a *apiClient) seed(t *testing.T) {
	t.Helper()
	token := func(b []byte) string {
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		if err := json.Unmarshal(b, &tok); err != nil || tok.AccessToken == "" {
			t.Fatalf("no access token in %s", b)
		}
		return tok.AccessToken
	}
	regAlice := map[string]string{"username": "alice", "email": "alice@example.org", "password": "correct horse battery"}
	if code, _, err := a.do("POST", "/api/v1/auth/register", "", regAlice); err == nil && code == http.StatusNotFound {
		return // endpoints not there yet: a.ready stays false
	}
	a.ready = true
	a.alice = token(a.must(t, 200, "POST", "/api/v1/auth/login", "", map[string]string{"login": "alice", "password": "correct horse battery"}))
	a.bob = token(a.must(t, 201, "POST", "/api/v1/auth/register", "", map[string]string{
		"username": "bob", "email": "bob@example.org", "password": "correct horse battery"}))
	a.must(t, 401, "POST", "/api/v1/auth/login", "", map[string]string{"login": "alice", "password": "wrong password!"})
	a.must(t, 201, "POST", "/api/v1/posts", a.alice, map[string]string{"body": "hello from the live stack test"})
	b := a.must(t, 201, "POST", "/api/v1/connection-requests", a.alice, map[string]string{"username": "bob"})
	var cr struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(b, &cr); err != nil || cr.ID == "" {
		t.Fatalf("connection request: %s", b)
	}
	a.must(t, 200, "POST", "/api/v1/connection-requests/"+cr.ID+"/accept", a.bob, nil)
}

// loop sends a steady mix of DB-backed and DB-free requests until ctx ends.
func (a *apiClient) loop(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if !a.ready {
			switch i % 4 {
			case 0:
				_, _, _ = a.do("GET", "/readyz", "", nil) // DB-backed: 503 while the database is down
			case 1:
				_, _, _ = a.do("GET", "/healthz", "", nil)
			case 2:
				_, _, _ = a.do("GET", "/api/v1/openapi.yaml", "", nil)
			case 3:
				_, _, _ = a.do("GET", "/no/such/route", "", nil)
			}
			continue
		}
		switch i % 6 {
		case 5:
			_, _, _ = a.do("GET", "/readyz", "", nil)
		case 0:
			_, _, _ = a.do("GET", "/api/v1/users/me", a.alice, nil)
		case 1:
			_, _, _ = a.do("GET", "/api/v1/feed", a.bob, nil)
		case 2:
			_, _, _ = a.do("POST", "/api/v1/auth/login", "", map[string]string{"login": "alice", "password": "wrong password!"})
		case 3:
			_, _, _ = a.do("GET", "/api/v1/users/bob", a.alice, nil)
		case 4:
			_, _, _ = a.do("GET", "/no/such/route", "", nil)
		}
	}
}
