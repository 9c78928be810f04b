package observability_test

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	yaml "go.yaml.in/yaml/v4"

	"agora/internal/systest"
)

// The edge of the live stack: Debian's nginx on loopback with TLS in front
// of Agora, the stub_status snippet of deploy/nginx/snippets, the access log
// in the production log_format; the nginx exporter reading stub_status; the
// blackbox exporter probing https://127.0.0.1:<port>/healthz through nginx;
// and an Alloy stand-in that runs config.alloy's stages (the simulation of
// alloy_pipeline_test.go) on nginx's real access-log lines and serves the
// edge counters on /metrics for the job "alloy".

type edgeStack struct {
	httpsAddr    string // nginx TLS listener
	stubAddr     string // nginx stub_status listener
	nginxExpAddr string // nginx exporter
	bbAddr       string // blackbox exporter
	alloyAddr    string // Alloy stand-in
	probeURL     string
	client       *http.Client // trusts the test certificate
	stand        *alloyStandIn
}

var (
	logFormatRe = regexp.MustCompile(`(?s)\n\s*(log_format agora_json .*?';)`)
	agoraVarRe  = regexp.MustCompile(`\$(agora_\w+)`)
)

// nginxTestConfig builds nginx's test configuration around the production
// log_format and the stub-status snippet (listen address made loopback).
func nginxTestConfig(t *testing.T, dir, httpsAddr, stubAddr, backend, cert, key string) string {
	t.Helper()
	repo := filepath.Join(obsDir(t), "..")
	main, err := os.ReadFile(filepath.Join(repo, "deploy", "nginx", "nginx.conf"))
	if err != nil {
		t.Fatal(err)
	}
	m := logFormatRe.FindSubmatch(main)
	if m == nil {
		t.Fatal("deploy/nginx/nginx.conf has no `log_format agora_json ...;`: config.alloy's nginx branch parses that format")
	}
	logFormat := string(m[1])
	// Variables of nginx.conf's own maps (e.g. $agora_request_id) get a
	// stand-in value here.
	var maps strings.Builder
	seen := map[string]bool{}
	for _, v := range agoraVarRe.FindAllStringSubmatch(logFormat, -1) {
		if !seen[v[1]] {
			seen[v[1]] = true
			fmt.Fprintf(&maps, "    map $request_id $%s { default $request_id; }\n", v[1])
		}
	}
	snippet, err := os.ReadFile(filepath.Join(repo, "deploy", "nginx", "snippets", "stub-status.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(snippet), "listen 8080;") {
		t.Fatal("stub-status.conf: want `listen 8080;` (the port Prometheus' nginx exporter is told about)")
	}
	stubConf := filepath.Join(dir, "stub-status.conf")
	stub := strings.Replace(string(snippet), "listen 8080;", "listen "+stubAddr+";", 1)
	stub = strings.Replace(stub, "listen [::]:8080;", "", 1) // IPv4 loopback is enough here
	writeFile(t, stubConf, stub)
	tmpPaths := ""
	for _, k := range []string{"client_body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		tmpPaths += fmt.Sprintf("    %s_temp_path %s;\n", k, filepath.Join(dir, "tmp-"+k))
	}
	return fmt.Sprintf(`worker_processes 1;
events { worker_connections 256; }
http {
%s%s    %s
    access_log %s agora_json;
    server {
        listen %s ssl;
        ssl_certificate %s;
        ssl_certificate_key %s;
        location = /edge-test-502 { return 502; }
        location = /edge-test-429 { return 429; }
        location / { proxy_pass http://%s; }
    }
    include %s;
}
`, tmpPaths, maps.String(), logFormat, filepath.Join(dir, "access.log"), httpsAddr, cert, key, backend, stubConf)
}

// startEdge starts nginx, the nginx exporter, the blackbox exporter and the
// Alloy stand-in; it returns once each answers.
func startEdge(t *testing.T, logs *procLogs, tmp, agoraHTTP string) *edgeStack {
	t.Helper()
	nginxBin := needTool(t, "nginx", "nginx")
	nginxExpBin := needTool(t, "prometheus-nginx-exporter", "prometheus-nginx-exporter", "nginx-prometheus-exporter")
	bbBin := needTool(t, "prometheus-blackbox-exporter", "prometheus-blackbox-exporter", "blackbox_exporter")

	dir := filepath.Join(tmp, "edge")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for d := dir; d != "/" && d != "."; d = filepath.Dir(d) { // nginx's workers run as nobody under root
		if fi, err := os.Stat(d); err == nil && fi.Mode().Perm()&0o005 != 0o005 && strings.HasPrefix(d, os.TempDir()) && d != os.TempDir() {
			_ = os.Chmod(d, fi.Mode().Perm()|0o755)
		}
	}
	e := &edgeStack{httpsAddr: systest.FreeAddr(t), stubAddr: systest.FreeAddr(t), nginxExpAddr: systest.FreeAddr(t), bbAddr: systest.FreeAddr(t)}
	// Valid 60 days: ServedCertExpiring stays silent.
	tc := systest.SelfSigned(t, 60*24*time.Hour, "127.0.0.1")
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	tc.WriteFiles(t, cert, key)
	e.client = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: tc.Pool()}}}
	e.probeURL = "https://" + e.httpsAddr + "/healthz"

	conf := filepath.Join(dir, "nginx.conf")
	writeFile(t, conf, nginxTestConfig(t, dir, e.httpsAddr, e.stubAddr, agoraHTTP, cert, key))
	args := []string{"-p", dir + "/", "-c", conf, "-e", filepath.Join(dir, "error.log"), "-g", "daemon off; pid " + filepath.Join(dir, "nginx.pid") + ";"}
	if out, err := runTool(t, time.Minute, dir, nginxBin, append([]string{"-t", "-q"}, args...)...); err != nil {
		t.Fatalf("nginx -t on the test config (production log_format, stub-status snippet): %v\n%s", err, out)
	}
	startProc(t, logs, "nginx", nginxBin, args, nil)

	startProc(t, logs, "nginx_exporter", nginxExpBin, []string{
		"-nginx.scrape-uri=http://" + e.stubAddr + "/stub_status",
		"-web.listen-address=" + e.nginxExpAddr,
		"-nginx.retries=20", "-nginx.retry-interval=500ms", // 0.11 exits when nginx is not up yet
	}, nil)

	// The production blackbox module, trusting the test certificate only.
	var bb map[string]any
	readYAML(t, filepath.Join(obsDir(t), "blackbox", "blackbox.yml"), &bb)
	mod := bb["modules"].(map[string]any)["https_healthz"].(map[string]any)
	mod["http"].(map[string]any)["tls_config"].(map[string]any)["ca_file"] = cert
	bbConf := filepath.Join(dir, "blackbox.yml")
	writeYAMLFile(t, bbConf, bb)
	startProc(t, logs, "blackbox_exporter", bbBin, []string{
		"--config.file=" + bbConf, "--web.listen-address=" + e.bbAddr,
	}, nil)

	e.stand = startAlloyStandIn(t, filepath.Join(dir, "access.log"))
	e.alloyAddr = e.stand.addr

	waitFor(t, "nginx answering on "+e.httpsAddr, 30*time.Second, func() (bool, string) {
		resp, err := e.client.Get(e.probeURL)
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, resp.Status
	})
	waitHTTP(t, "nginx stub_status", "http://"+e.stubAddr+"/stub_status", 10*time.Second)
	waitHTTP(t, "nginx exporter", "http://"+e.nginxExpAddr+"/metrics", 30*time.Second)
	waitHTTP(t, "blackbox exporter", "http://"+e.bbAddr+"/metrics", 30*time.Second)
	// One 502 and one 429 through nginx, so that the 5xx and 429 counters
	// exist before the dashboards' queries are checked.
	for _, p := range []string{"/edge-test-502", "/edge-test-429"} {
		resp, err := e.client.Get("https://" + e.httpsAddr + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	return e
}

// loop sends user traffic through nginx until ctx ends.
func (e *edgeStack) loop(done <-chan struct{}, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-done:
			return
		case <-tick.C:
		}
		path := "/api/v1/openapi.yaml"
		if i%2 == 1 {
			path = "/no/such/route"
		}
		if resp, err := e.client.Get("https://" + e.httpsAddr + path); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
}

func writeYAMLFile(t *testing.T, path string, v any) {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, string(b))
}

// alloyStandIn tails nginx's access log, runs config.alloy's stages on each
// line and serves the resulting counters, like Alloy's /metrics.
type alloyStandIn struct {
	addr     string
	counters *alloyCounters
	collect  *bgT
	mu       sync.Mutex
	lines    int
	levels   map[string]int // level label -> lines
	noMeta   []string       // access lines that got no status metadata
}

// bgT collects what the stage simulation reports from a goroutine that is
// not the test's; the test checks it at the end.
type bgT struct {
	mu   sync.Mutex
	errs []string
}

type bgFatal struct{}

func (b *bgT) Helper() {}
func (b *bgT) Errorf(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.errs = append(b.errs, fmt.Sprintf(format, args...))
}
func (b *bgT) Fatalf(format string, args ...any) {
	b.Errorf(format, args...)
	panic(bgFatal{})
}
func (b *bgT) report(t *testing.T) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.errs {
		t.Errorf("Alloy stand-in: %s", e)
	}
}

func startAlloyStandIn(t *testing.T, accessLog string) *alloyStandIn {
	t.Helper()
	stages := loadAlloyProcessStages(t)
	s := &alloyStandIn{counters: &alloyCounters{}, collect: &bgT{}, levels: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_, _ = io.WriteString(w, s.counters.exposition())
	}))
	s.addr = strings.TrimPrefix(srv.URL, "http://")
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var off int64
		var partial string
		for {
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
			}
			f, err := os.Open(accessLog)
			if err != nil {
				continue
			}
			_, _ = f.Seek(off, io.SeekStart)
			rd := bufio.NewReader(f)
			for {
				chunk, err := rd.ReadString('\n')
				off += int64(len(chunk))
				if err != nil {
					partial += chunk
					break
				}
				s.process(stages, partial+strings.TrimSuffix(chunk, "\n"))
				partial = ""
			}
			off -= int64(len(partial))
			partial = ""
			_ = f.Close()
		}
	}()
	t.Cleanup(func() { close(stop); <-done; srv.Close() })
	return s
}

func (s *alloyStandIn) process(stages []*alloyBlock, line string) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bgFatal); !ok {
				panic(r)
			}
		}
	}()
	e := &logEntry{
		labels:    map[string]string{"service": "nginx", "container": "nginx", "container_name": "agora-nginx-1", "stream": "stdout"},
		line:      line,
		extracted: map[string]any{},
		metadata:  map[string]string{},
		counters:  s.counters,
	}
	runPipeline(s.collect, stages, e)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lines++
	s.levels[e.labels["level"]]++
	if e.metadata["status"] == "" {
		s.noMeta = append(s.noMeta, line)
	}
}

// check reports what the stand-in saw: real nginx access lines, each with a
// level and its status as structured metadata.
func (s *alloyStandIn) check(t *testing.T) {
	t.Helper()
	s.collect.report(t)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lines == 0 {
		t.Error("Alloy stand-in read no nginx access line")
	}
	if s.levels[""] > 0 {
		t.Errorf("%d nginx access lines got no level label", s.levels[""])
	}
	if len(s.noMeta) > 0 {
		t.Errorf("%d nginx access lines got no status metadata, e.g. %s", len(s.noMeta), s.noMeta[0])
	}
	t.Logf("Alloy stand-in: %d nginx access lines, levels %v", s.lines, s.levels)
}
