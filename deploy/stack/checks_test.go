package stack_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"agora/internal/systest"
)

type psLine struct {
	Service  string
	Name     string
	State    string
	Health   string
	ExitCode int
	Image    string
	ID       string
}

func (s *stack) ps(t *testing.T) []psLine {
	t.Helper()
	out := s.composeStdout(t, "", "ps", "-a", "--format", "json")
	var lines []psLine
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var p psLine
		if err := json.Unmarshal([]byte(l), &p); err != nil {
			t.Fatalf("compose ps line %q: %v", l, err)
		}
		lines = append(lines, p)
	}
	return lines
}

// Every service of the CI stack is running and passes its health check; the
// one-shot migrate service has exited 0.
func checkHealthy(t *testing.T, s *stack) {
	seen := map[string]bool{}
	for _, p := range s.ps(t) {
		seen[p.Service] = true
		switch {
		case p.Service == "migrate":
			if p.State != "exited" || p.ExitCode != 0 {
				t.Errorf("migrate: state %s, exit %d; want exited 0", p.State, p.ExitCode)
			}
		case p.State != "running":
			t.Errorf("%s: state %s", p.Service, p.State)
		case p.Health != "" && p.Health != "healthy":
			t.Errorf("%s: health %s", p.Service, p.Health)
		case p.Health == "" && p.Service != "mailcatcher" && p.Service != "nginx-exporter":
			t.Errorf("%s has no health check", p.Service)
		}
	}
	for _, svc := range []string{"nginx", "backend", "migrate", "postgres", "prometheus", "alertmanager", "node-exporter", "postgres-exporter", "nginx-exporter", "blackbox-exporter"} {
		if !seen[svc] {
			t.Errorf("service %s did not start", svc)
		}
	}
}

func checkWalkthrough(t *testing.T, s *stack) {
	for _, tool := range []string{"curl", "jq"} {
		_, err := exec.LookPath(tool)
		need(t, err == nil, tool+" is not installed (scripts/apt-packages.txt; make deps)")
	}
	cmd := exec.Command("bash", filepath.Join(s.repo, "docs/walkthrough.sh"), "https://"+s.https)
	cmd.Env = append(os.Environ(), "CURL_CA_BUNDLE="+s.caFile, "WALKTHROUGH_SUFFIX="+randomHex(t, 4))
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "walk-through complete") {
		t.Fatalf("walk-through through Nginx: %v\n%s", err, out)
	}
}

// client is an HTTPS client that trusts the stack's certificate and never
// follows redirects.
func (s *stack) client(t *testing.T) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(s.caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return &http.Client{
		Timeout:       10 * time.Second,
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: testHost, MinVersion: tls.VersionTLS12}, ForceAttemptHTTP2: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func get(t *testing.T, c *http.Client, url string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func checkRedirect(t *testing.T, s *stack) {
	resp, _ := get(t, s.client(t), "http://"+s.http+"/api/v1/feed?limit=2", nil)
	if resp.StatusCode != http.StatusMovedPermanently {
		t.Fatalf("http:// answered %d, want 301", resp.StatusCode)
	}
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "https://") || !strings.HasSuffix(loc, "/api/v1/feed?limit=2") {
		t.Errorf("Location = %q, want https://…/api/v1/feed?limit=2", loc)
	}
}

func checkEdge(t *testing.T, s *stack) {
	c := s.client(t)
	resp, body := get(t, c, "https://"+s.https+"/healthz", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"ok"`) {
		t.Errorf("/healthz: %d %s", resp.StatusCode, body)
	}
	if resp.ProtoMajor != 2 {
		t.Errorf("/healthz over %s, want HTTP/2", resp.Proto)
	}
	for _, h := range []string{"Strict-Transport-Security", "X-Content-Type-Options", "Content-Security-Policy", "X-Request-Id"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("/healthz lacks %s", h)
		}
	}
	for _, p := range []string{"/metrics", "/readyz", "/debug/pprof/", "/debug/pprof/heap"} {
		resp, body := get(t, c, "https://"+s.https+p, nil)
		if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "go_goroutines") {
			t.Errorf("%s at the edge: %d, want 404 (%.80s)", p, resp.StatusCode, body)
		}
	}
}

// The address Nginx saw is the one the backend logs: from the host, and from
// a container on the stack's network (a client Nginx sees directly). The
// engine must publish ports without its userland proxy (bootstrap.sh sets
// production up so): through the proxy every client is the gateway.
func checkClientAddress(t *testing.T, s *stack) {
	if out, err := exec.Command("pgrep", "-a", "-x", "docker-proxy").Output(); err == nil && len(out) > 0 {
		t.Errorf("the engine relays published ports through docker-proxy (start dockerd with --userland-proxy=false, as scripts/ensure-docker.sh and bootstrap.sh do):\n%s", out)
	}
	hostID := "stack-host-" + randomHex(t, 6)
	resp, _ := get(t, s.client(t), "https://"+s.https+"/healthz", map[string]string{"X-Request-ID": hostID})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Request-Id") != hostID {
		t.Fatalf("/healthz with X-Request-ID: %d, echoed %q", resp.StatusCode, resp.Header.Get("X-Request-Id"))
	}
	ctrID := "stack-ctr-" + randomHex(t, 6)
	s.mustCompose(t, "exec", "-T", "prometheus", "wget", "-q", "-O", "/dev/null", "--no-check-certificate", "--inet4-only",
		"--header", "Host: "+testHost, "--header", "X-Request-ID: "+ctrID, "https://nginx/healthz")
	// The same over IPv6, inside the network (no NAT can be tried here: the
	// engine's ip6tables path needs a routable address).
	v6ID := "stack-v6-" + randomHex(t, 6)
	s.mustCompose(t, "exec", "-T", "prometheus", "wget", "-q", "-O", "/dev/null", "--no-check-certificate", "--inet6-only",
		"--header", "Host: "+testHost, "--header", "X-Request-ID: "+v6ID, "https://nginx/healthz")
	promAddrs := strings.Fields(s.composeStdout(t, "", "exec", "-T", "prometheus", "hostname", "-I"))
	nginxIP := strings.TrimSpace(s.composeStdout(t, "", "exec", "-T", "nginx", "hostname", "-i"))

	find := func(lines []map[string]any, key, id string) string {
		for _, l := range lines {
			if l["request_id"] == id {
				v, _ := l[key].(string)
				return v
			}
		}
		return ""
	}
	var edge, backend []map[string]any
	eventually(t, 10*time.Second, 500*time.Millisecond, func() string {
		edge, backend = s.logLines(t, "nginx"), s.logLines(t, "backend")
		for _, id := range []string{hostID, ctrID, v6ID} {
			if find(edge, "remote_addr", id) == "" || find(backend, "remote_ip", id) == "" {
				return "request " + id + " is not in both logs"
			}
		}
		return ""
	})
	for _, id := range []string{hostID, ctrID, v6ID} {
		seen, logged := find(edge, "remote_addr", id), find(backend, "remote_ip", id)
		t.Logf("%s: nginx saw %s, backend logged %s (nginx is %s)", id, seen, logged, nginxIP)
		if seen == "" || logged != seen {
			t.Errorf("%s: the backend logged remote_ip %q, Nginx saw %q", id, logged, seen)
		}
		if logged == nginxIP {
			t.Errorf("%s: the backend logged Nginx's own address", id)
		}
	}
	for _, id := range []string{ctrID, v6ID} {
		got := find(backend, "remote_ip", id)
		if !slices.Contains(promAddrs, got) {
			t.Errorf("%s: a client at %v was logged as %s", id, promAddrs, got)
		}
	}
	if got := find(backend, "remote_ip", v6ID); !strings.Contains(got, ":") {
		t.Errorf("the IPv6 client was logged as %q", got)
	}
}

// Every target of a service the stack started is up, and every rule group
// in observability/prometheus/rules is loaded without an evaluation error.
func checkPrometheus(t *testing.T, s *stack) {
	started := map[string]bool{"agora": true, "node": true, "postgres": true, "alertmanager": true, "prometheus": true, "nginx": true, "blackbox": true}
	eventually(t, 2*time.Minute, 3*time.Second, func() string {
		var targets struct {
			Data struct {
				ActiveTargets []struct {
					Labels    map[string]string `json:"labels"`
					Health    string            `json:"health"`
					LastError string            `json:"lastError"`
				} `json:"activeTargets"`
			} `json:"data"`
		}
		s.prom(t, "/api/v1/targets", &targets)
		up := map[string]bool{}
		var bad []string
		for _, tg := range targets.Data.ActiveTargets {
			job := tg.Labels["job"]
			if !started[job] {
				continue // Loki and Alloy are not run here (no package)
			}
			if tg.Health != "up" {
				bad = append(bad, job+": "+tg.Health+" "+tg.LastError)
				continue
			}
			up[job] = true
		}
		for job := range started {
			if !up[job] {
				bad = append(bad, job+" not up")
			}
		}
		if len(bad) > 0 {
			return "targets: " + strings.Join(bad, "; ")
		}
		return ""
	})

	// The exporters see what they are for: Nginx's counters, and the probe
	// through TLS and Nginx with the certificate verified.
	for _, q := range []string{"nginx_up", "probe_success", "probe_http_ssl"} {
		eventually(t, time.Minute, 3*time.Second, func() string {
			var r struct {
				Data struct {
					Result []struct {
						Value []any `json:"value"`
					} `json:"result"`
				} `json:"data"`
			}
			s.prom(t, "/api/v1/query?query="+q, &r)
			if len(r.Data.Result) != 1 || len(r.Data.Result[0].Value) != 2 || r.Data.Result[0].Value[1] != "1" {
				return fmt.Sprintf("%s = %+v, want 1", q, r.Data.Result)
			}
			return ""
		})
	}

	files, err := filepath.Glob(filepath.Join(s.repo, "observability/prometheus/rules/*.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no rule files: %v", err)
	}
	want := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want += len(regexp.MustCompile(`(?m)^  - name:`).FindAll(b, -1))
	}
	eventually(t, 90*time.Second, 5*time.Second, func() string {
		var rules struct {
			Data systest.RuleGroups `json:"data"`
		}
		s.prom(t, "/api/v1/rules", &rules)
		if len(rules.Data.Groups) != want {
			return fmt.Sprintf("%d rule groups loaded, the files have %d", len(rules.Data.Groups), want)
		}
		if _, bad := rules.Data.Unhealthy(); len(bad) > 0 {
			return fmt.Sprintf("unhealthy rules: %v", bad)
		}
		return ""
	})
}

// tableCounts returns the row count of every table of the schema.
func (s *stack) tableCounts(t *testing.T) string {
	t.Helper()
	return s.psql(t, `SELECT string_agg(format('%s=%s', table_name,
		(xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text), ' ' ORDER BY table_name)
		FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`)
}

func checkBackupRestore(t *testing.T, s *stack) {
	before := s.tableCounts(t)
	if !strings.Contains(before, "users=") || strings.Contains(before, "users=0 ") {
		t.Fatalf("no data to back up: %s", before)
	}
	out, code := s.script("backup.sh", nil)
	if code != 0 {
		t.Fatalf("backup.sh (docker compose exec path): exit %d\n%s", code, out)
	}
	files, _ := filepath.Glob(filepath.Join(s.dir, "backups", "backup_*.sql.gz"))
	if len(files) != 1 {
		t.Fatalf("backups: %v", files)
	}
	// The backup's metric reaches node_exporter's textfile collector.
	eventually(t, 20*time.Second, time.Second, func() string {
		m := s.composeStdout(t, "", "exec", "-T", "prometheus", "wget", "-q", "-O", "-", "http://host.docker.internal:9100/metrics")
		if !strings.Contains(m, "\nagora_backup_last_status 1\n") {
			return "node_exporter does not show agora_backup_last_status 1"
		}
		return ""
	})

	// A change made after the backup is undone by the restore.
	s.psql(t, `UPDATE users SET display_name = 'changed after the backup'`)
	out, code = s.script("restore.sh", nil, "--yes", files[0])
	if code != 0 {
		t.Fatalf("restore.sh: exit %d\n%s", code, out)
	}
	if after := s.tableCounts(t); after != before {
		t.Errorf("row counts differ after the restore:\nbefore %s\nafter  %s", before, after)
	}
	if n := s.psql(t, `SELECT count(*) FROM users WHERE display_name = 'changed after the backup'`); n != "0" {
		t.Errorf("%s users keep a change made after the backup", n)
	}
	t.Logf("restored %s: %s", filepath.Base(files[0]), before)
	c := s.client(t)
	eventually(t, 90*time.Second, 2*time.Second, func() string {
		for _, p := range s.ps(t) {
			if p.Service == "backend" && p.Health != "healthy" {
				return "backend " + p.Health
			}
		}
		resp, body := get(t, c, "https://"+s.https+"/api/v1/users/me", nil)
		if resp.StatusCode != http.StatusUnauthorized {
			return fmt.Sprintf("through Nginx after the restore: %d %.100s", resp.StatusCode, body)
		}
		return ""
	})
}

// nodeMetric waits until node_exporter (through Prometheus' network) shows
// the line.
func (s *stack) nodeMetric(t *testing.T, line string) {
	t.Helper()
	eventually(t, 30*time.Second, time.Second, func() string {
		m := s.composeStdout(t, "", "exec", "-T", "prometheus", "wget", "-q", "-O", "-", "http://host.docker.internal:9100/metrics")
		if !strings.Contains(m, "\n"+line+"\n") {
			return "node_exporter does not show " + line
		}
		return ""
	})
}

// WAL is archived by the postgres service (the stanza made by deploy.sh);
// the nightly job's full backup and the weekly drill run through Compose
// as cron and systemd run them, and their metrics reach node_exporter.
func checkPgBackRest(t *testing.T, s *stack) {
	s.psql(t, `SELECT pg_switch_wal() FROM (SELECT txid_current()) x`)
	eventually(t, 60*time.Second, time.Second, func() string {
		if got := s.psql(t, `SELECT archived_count > 0 AND failed_count = 0 FROM pg_stat_archiver`); got != "t" {
			return "pg_stat_archiver: " + s.psql(t, `SELECT archived_count || ' archived, ' || failed_count || ' failed' FROM pg_stat_archiver`)
		}
		return ""
	})
	start := time.Now()
	out, code := s.script("pgbackrest-backup.sh", nil, "full")
	if code != 0 {
		t.Fatalf("pgbackrest-backup.sh full: exit %d\n%s", code, out)
	}
	t.Logf("full backup in %s", time.Since(start).Round(time.Second))
	s.nodeMetric(t, "agora_pgbackrest_last_status 1")
	s.psql(t, `UPDATE users SET bio = 'after the full backup' WHERE username = (SELECT min(username) FROM users)`)

	start = time.Now()
	out, code = s.script("restore-drill.sh", nil)
	if code != 0 {
		t.Fatalf("restore-drill.sh: exit %d\n%s", code, out)
	}
	if !strings.Contains(out, "00001  applied") {
		t.Errorf("the drill did not run agora migrate status:\n%s", out)
	}
	t.Logf("restore drill in %s", time.Since(start).Round(time.Second))
	s.nodeMetric(t, "agora_restore_last_status 1")
}
