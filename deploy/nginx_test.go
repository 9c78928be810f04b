package deploy_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"agora/internal/systest"
)

// The tests run Debian's nginx on the production files in deploy/nginx,
// rendered with loopback ports and temporary paths: only the substitutions
// below differ from what runs in the container.

const testHost = "agora.test"

type nginxOpts struct {
	backend string // host:port of the upstream server (start.sh writes backend:8000)
	ocsp    bool   // switch the OCSP stapling snippet on
}

type nginxServer struct {
	dir        string
	httpPort   int
	httpsPort  int
	accessLog  string
	rootCAs    *x509.CertPool
	acmeToken  string
	acmeAnswer string
}

func nginxBinary(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		return "/usr/sbin/nginx"
	}
	return systest.Tool(t, "nginx")
}

// renderNginx copies deploy/nginx into dir with the test substitutions and
// returns the path of the rendered nginx.conf.
func renderNginx(t testing.TB, bin, dir string, httpPort, httpsPort int, o nginxOpts) string {
	t.Helper()
	src := filepath.Join(deployDir(t), "nginx")
	statusPort := systest.FreePort(t) // stub_status, for the nginx exporter
	type sub struct{ old, new string }
	subs := []sub{
		{"/etc/nginx/", dir + "/etc/nginx/"},
		{"/var/log/nginx/", dir + "/log/"},
		{"/var/cache/nginx/", dir + "/cache/"},
		{"/etc/letsencrypt/live/agora/", dir + "/certs/"},
		{"/var/www/certbot", dir + "/www/certbot"},
		{"listen 80 ", "listen 127.0.0.1:" + itoa(httpPort) + " "},
		{"listen 443 ", "listen 127.0.0.1:" + itoa(httpsPort) + " "},
		{"listen [::]:80 ", "listen [::1]:" + itoa(httpPort) + " "},
		{"listen [::]:443 ", "listen [::1]:" + itoa(httpsPort) + " "},
		{"listen 8080;", "listen 127.0.0.1:" + itoa(statusPort) + ";"},
		{"listen [::]:8080;", "listen [::1]:" + itoa(statusPort) + ";"},
	}
	if o.ocsp {
		subs = append([]sub{{"# include /etc/nginx/agora/snippets/ocsp-stapling.conf;", "include /etc/nginx/agora/snippets/ocsp-stapling.conf;"}}, subs...)
	}
	used := make([]bool, len(subs))
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".conf") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		s := string(b)
		for i, r := range subs {
			if strings.Contains(s, r.old) {
				used[i] = true
				s = strings.ReplaceAll(s, r.old, r.new)
			}
		}
		rel, _ := filepath.Rel(src, path)
		targets := []string{filepath.Join(dir, "etc/nginx/agora", rel)}
		if rel == "nginx.conf" {
			targets = append(targets, filepath.Join(dir, "etc/nginx/nginx.conf"))
		}
		for _, dst := range targets {
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(dst, []byte(s), 0o644); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, u := range used {
		if !u {
			t.Fatalf("substitution %q matched nothing: the production files changed, update the test", subs[i].old)
		}
	}
	for _, d := range []string{"log", "cache", "certs", "www/certbot/.well-known/acme-challenge", "etc/nginx/upstream"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// What start.sh writes in the container (and deploy.sh swaps), with the
	// test's backend instead of Compose's `backend`.
	upstream := "server " + o.backend + " max_fails=1 fail_timeout=10s;\n"
	if err := os.WriteFile(filepath.Join(dir, "etc/nginx/upstream/servers.conf"), []byte(upstream), 0o644); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "etc/nginx/nginx.conf")
}

// makeCert writes a self-signed certificate for testHost (openssl, as an
// operator would for a trial run) and returns a pool that trusts it.
func makeCert(t testing.TB, certDir string) *x509.CertPool {
	t.Helper()
	openssl := systest.Tool(t, "openssl")
	cmd := exec.Command(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
		"-nodes", "-days", "2", "-subj", "/CN="+testHost, "-addext", "subjectAltName=DNS:"+testHost,
		"-keyout", filepath.Join(certDir, "privkey.pem"), "-out", filepath.Join(certDir, "fullchain.pem"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v\n%s", err, out)
	}
	pem, err := os.ReadFile(filepath.Join(certDir, "fullchain.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(certDir, "chain.pem"), pem, 0o644); err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return pool
}

// nginxTempDir makes a temp dir that nginx's workers (nobody) can traverse.
func nginxTempDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for d := dir; d != os.TempDir() && d != "/" && d != "."; d = filepath.Dir(d) {
		_ = os.Chmod(d, 0o755)
	}
	return dir
}

func nginxArgs(dir, conf string) []string {
	return []string{"-p", dir + "/", "-c", conf, "-e", dir + "/log/error.log",
		"-g", "daemon off; pid " + dir + "/nginx.pid;"}
}

// startNginx renders the configuration, checks it with nginx -t and runs
// nginx in the foreground until the test ends.
func startNginx(t testing.TB, o nginxOpts) *nginxServer {
	t.Helper()
	bin := nginxBinary(t)
	if os.Geteuid() != 0 {
		t.Skip("the nginx tests run nginx as root (as CI does)")
	}
	dir := nginxTempDir(t)
	s := &nginxServer{dir: dir, httpPort: systest.FreePort(t), httpsPort: systest.FreePort(t)}
	conf := renderNginx(t, bin, dir, s.httpPort, s.httpsPort, o)
	s.rootCAs = makeCert(t, filepath.Join(dir, "certs"))
	s.accessLog = filepath.Join(dir, "log", "access.log")
	s.acmeToken = "tok-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	s.acmeAnswer = s.acmeToken + ".key-authorization"
	if err := os.WriteFile(filepath.Join(dir, "www/certbot/.well-known/acme-challenge", s.acmeToken), []byte(s.acmeAnswer), 0o644); err != nil {
		t.Fatal(err)
	}

	args := append([]string{"-t", "-q"}, nginxArgs(dir, conf)...)
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}

	cmd := exec.Command(bin, nginxArgs(dir, conf)...)
	var stderr bytes.Buffer
	cmd.Stdout = &stderr
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		systest.Stop(cmd.Process, done, 10*time.Second)
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "log", "error.log"))
			t.Logf("nginx error.log:\n%s\nstderr:\n%s", b, stderr.String())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c1, err1 := net.DialTimeout("tcp", "127.0.0.1:"+itoa(s.httpPort), time.Second)
		c2, err2 := net.DialTimeout("tcp", "127.0.0.1:"+itoa(s.httpsPort), time.Second)
		if c1 != nil {
			_ = c1.Close()
		}
		if c2 != nil {
			_ = c2.Close()
		}
		if err1 == nil && err2 == nil {
			break
		}
		select {
		case <-done:
			t.Fatalf("nginx exited: %v\n%s", waitErr, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx does not listen: %v %v", err1, err2)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s
}

// client returns an HTTP client whose connections come from the loopback
// address src (so each test is its own "client IP") and go to nginx,
// whatever the URL's host; redirects are not followed.
func (s *nginxServer) client(src string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, addr string) (net.Conn, error) {
			_, port, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			return d.DialContext(ctx, "tcp", "127.0.0.1:"+port)
		},
		TLSClientConfig:   &tls.Config{RootCAs: s.rootCAs, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2: true,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       15 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func (s *nginxServer) httpsURL(path string) string {
	return "https://" + testHost + ":" + itoa(s.httpsPort) + path
}

func (s *nginxServer) httpURL(path string) string {
	return "http://" + testHost + ":" + itoa(s.httpPort) + path
}

type result struct {
	status int
	header http.Header
	body   []byte
	tls    *tls.ConnectionState
}

func do(t testing.TB, c *http.Client, method, url string, body []byte, hdr map[string]string) result {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return result{resp.StatusCode, resp.Header, b, resp.TLS}
}

// wantSecurityHeaders checks the contract's headers, each exactly once.
func wantSecurityHeaders(t testing.TB, what string, r result, csp string) {
	t.Helper()
	want := map[string]string{
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "no-referrer",
		"Content-Security-Policy": csp,
	}
	for k, v := range want {
		if got := r.header.Values(k); len(got) != 1 || got[0] != v {
			t.Errorf("%s: %s = %q, want exactly [%q]", what, k, got, v)
		}
	}
	if got := r.header.Values("Strict-Transport-Security"); len(got) != 1 || !strings.Contains(got[0], "max-age=") {
		t.Errorf("%s: Strict-Transport-Security = %q", what, got)
	}
	if got := r.header.Values("X-Request-ID"); len(got) != 1 || got[0] == "" {
		t.Errorf("%s: X-Request-ID = %q, want one", what, got)
	}
	if srv := r.header.Get("Server"); regexp.MustCompile(`\d`).MatchString(srv) {
		t.Errorf("%s: Server header %q reveals a version", what, srv)
	}
}

const strictCSP = "default-src 'none'; frame-ancestors 'none'"

// wantProblem checks an Nginx-made problem+json answer.
func wantProblem(t testing.TB, what string, r result, status int) map[string]any {
	t.Helper()
	if r.status != status {
		t.Errorf("%s: status %d, want %d (body %s)", what, r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("%s: Content-Type %q, want application/problem+json", what, ct)
	}
	var p map[string]any
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Errorf("%s: body is not JSON: %v: %s", what, err, r.body)
		return nil
	}
	for _, k := range []string{"type", "title", "status", "detail", "request_id"} {
		if _, ok := p[k]; !ok {
			t.Errorf("%s: problem lacks %q: %s", what, k, r.body)
		}
	}
	if p["status"] != float64(status) {
		t.Errorf("%s: problem status %v, want %d", what, p["status"], status)
	}
	if p["request_id"] != r.header.Get("X-Request-ID") {
		t.Errorf("%s: problem request_id %v != X-Request-ID %q", what, p["request_id"], r.header.Get("X-Request-ID"))
	}
	wantSecurityHeaders(t, what, r, strictCSP)
	return p
}

type accessLine struct {
	RequestID  string  `json:"request_id"`
	RemoteAddr string  `json:"remote_addr"`
	Method     string  `json:"method"`
	Path       string  `json:"path"`
	Status     int     `json:"status"`
	Duration   float64 `json:"duration"`
	Msg        string  `json:"msg"`
	Time       string  `json:"time"`
}

// accessLog parses nginx's access log; every line must be JSON.
func (s *nginxServer) accessLogLines(t testing.TB) []accessLine {
	t.Helper()
	b, err := os.ReadFile(s.accessLog)
	if err != nil {
		t.Fatal(err)
	}
	var out []accessLine
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if line == "" {
			continue
		}
		var l accessLine
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Errorf("access log line is not JSON: %v: %s", err, line)
			continue
		}
		out = append(out, l)
	}
	return out
}

// The production configuration passes `nginx -t`, with and without the
// optional OCSP stapling snippet. (`make test` runs this.)
func TestNginxConfigTest(t *testing.T) {
	t.Parallel()
	bin := nginxBinary(t)
	if os.Geteuid() != 0 {
		t.Skip("nginx -t on this configuration needs root")
	}
	for _, ocsp := range []bool{false, true} {
		t.Run(fmt.Sprintf("ocsp=%v", ocsp), func(t *testing.T) {
			t.Parallel()
			dir := nginxTempDir(t)
			conf := renderNginx(t, bin, dir, systest.FreePort(t), systest.FreePort(t), nginxOpts{backend: "127.0.0.1:9", ocsp: ocsp})
			makeCert(t, filepath.Join(dir, "certs"))
			args := append([]string{"-t"}, nginxArgs(dir, conf)...)
			out, err := exec.Command(bin, args...).CombinedOutput()
			if err != nil {
				t.Fatalf("nginx -t: %v\n%s", err, out)
			}
			// Warnings other than the expected OCSP one mean a sloppy config.
			for _, line := range strings.Split(string(out), "\n") {
				if strings.Contains(line, "[warn]") && !strings.Contains(line, "ssl_stapling") {
					t.Errorf("nginx -t warns: %s", line)
				}
			}
		})
	}
}

// Static checks on settings the live tests cannot observe easily.
func TestNginxConfigSettings(t *testing.T) {
	t.Parallel()
	var all strings.Builder
	_ = filepath.WalkDir(filepath.Join(deployDir(t), "nginx"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".conf") {
			b, _ := os.ReadFile(p)
			all.Write(b)
		}
		return nil
	})
	conf := all.String()
	for _, re := range []string{
		`(?m)^\s*ssl_protocols\s+TLSv1\.2 TLSv1\.3;`,
		`(?m)^\s*client_max_body_size\s+64k;`,
		`(?m)^\s*limit_req_zone .* zone=agora_general:`,
		`(?m)^\s*limit_req_zone .* zone=agora_auth:`,
		`(?m)^\s*limit_req_status 429;`,
		`(?m)^\s*server_tokens off;`,
		`(?m)^\s*proxy_read_timeout \d+s;`,
		`(?m)^\s*proxy_connect_timeout \d+s;`,
		`(?m)^\s*log_format agora_json escape=json`,
		`(?m)^\s*ssl_stapling on;`,
	} {
		if !regexp.MustCompile(re).MatchString(conf) {
			t.Errorf("nginx configuration lacks %s", re)
		}
	}
}

// stubBackend records what reaches "the backend" and answers like Agora
// would for the few paths the proxy tests use.
type stubBackend struct {
	mu   sync.Mutex
	reqs []*http.Request
	srv  *http.Server
	addr string
}

func startStub(t testing.TB) *stubBackend {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &stubBackend{addr: l.Addr().String()}
	s.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.reqs = append(s.reqs, r.Clone(context.Background()))
		s.mu.Unlock()
		// Like Agora: the security headers and the request id on every answer.
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Referrer-Policy", "no-referrer")
		w.Header().Set("X-Request-ID", r.Header.Get("X-Request-ID"))
		if r.URL.Path == "/docs" {
			w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; frame-ancestors 'none'")
		} else {
			w.Header().Set("Content-Security-Policy", strictCSP)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.Copy(io.Discard, r.Body)
		fmt.Fprintf(w, `{"status":"ok","path":%q}`, r.URL.Path)
	})}
	go func() { _ = s.srv.Serve(l) }()
	t.Cleanup(func() { _ = s.srv.Close() })
	return s
}

func (s *stubBackend) find(requestID string) *http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.reqs {
		if r.Header.Get("X-Request-ID") == requestID {
			return r
		}
	}
	return nil
}

func (s *stubBackend) sawPath(prefix string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.reqs {
		if strings.HasPrefix(r.URL.Path, prefix) || strings.Contains(r.URL.Path, "metrics") {
			return true
		}
	}
	return false
}

// The proxy behaviour that does not depend on Agora, against a recording
// stub: exactly what the backend receives, and what Nginx answers itself.
func TestNginxProxyWithStubBackend(t *testing.T) {
	t.Parallel()
	stub := startStub(t)
	ng := startNginx(t, nginxOpts{backend: stub.addr})
	checkEdge(t, ng, "127.0.1.")

	t.Run("forwarded headers", func(t *testing.T) {
		c := ng.client("127.0.0.3")
		r := do(t, c, "GET", ng.httpsURL("/api/v1/users?q=al"), nil, map[string]string{
			"X-Request-ID":      "stub-req-1",
			"X-Forwarded-For":   "203.0.113.9",
			"X-Forwarded-Proto": "http",
		})
		if r.status != 200 {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		got := stub.find("stub-req-1")
		if got == nil {
			t.Fatal("the backend never saw X-Request-ID stub-req-1")
		}
		if xff := got.Header.Values("X-Forwarded-For"); len(xff) != 1 || xff[0] != "127.0.0.3" {
			t.Errorf("backend got X-Forwarded-For %q, want exactly the client address 127.0.0.3", xff)
		}
		if p := got.Header.Get("X-Forwarded-Proto"); p != "https" {
			t.Errorf("backend got X-Forwarded-Proto %q, want https", p)
		}
		if got.URL.RawQuery != "q=al" {
			t.Errorf("query not passed: %q", got.URL.RawQuery)
		}
		wantSecurityHeaders(t, "proxied", r, strictCSP)
		if id := r.header.Get("X-Request-ID"); id != "stub-req-1" {
			t.Errorf("X-Request-ID = %q, want the client's", id)
		}
	})

	t.Run("generated request id", func(t *testing.T) {
		r := do(t, ng.client("127.0.0.3"), "GET", ng.httpsURL("/healthz"), nil, map[string]string{"X-Request-ID": "not valid!"})
		id := r.header.Get("X-Request-ID")
		if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(id) {
			t.Fatalf("X-Request-ID = %q, want one made by nginx", id)
		}
		if stub.find(id) == nil {
			t.Errorf("the generated id %s did not reach the backend", id)
		}
	})

	t.Run("docs keeps its own CSP", func(t *testing.T) {
		r := do(t, ng.client("127.0.0.3"), "GET", ng.httpsURL("/docs"), nil, nil)
		wantSecurityHeaders(t, "/docs", r, "default-src 'none'; script-src 'self'; frame-ancestors 'none'")
	})

	t.Run("internal paths blocked", func(t *testing.T) {
		c := ng.client("127.0.0.5")
		for _, p := range []string{"/metrics", "/readyz", "/debug/pprof/", "//metrics", "/api/../metrics", "/metrics/"} {
			r := do(t, c, "GET", ng.httpsURL(p), nil, nil)
			wantProblem(t, p, r, 404)
		}
		if stub.sawPath("/readyz") || stub.sawPath("/debug") {
			t.Error("an internal path reached the backend")
		}
	})

	t.Run("backend down gives 502 problem", func(t *testing.T) {
		// A second nginx whose backend port has nothing listening.
		dead := startNginx(t, nginxOpts{backend: systest.FreeAddr(t)})
		r := do(t, dead.client("127.0.0.6"), "GET", dead.httpsURL("/api/v1/feed"), nil, nil)
		wantProblem(t, "backend down", r, 502)
	})
}

// checkEdge runs the checks that hold whatever the backend is: the HTTP
// side, TLS, body limit, rate limit and the JSON access log. src is the
// loopback address prefix the subtests use as client IPs ("127.0.1.").
func checkEdge(t *testing.T, ng *nginxServer, src string) {
	t.Run("http redirects to https", func(t *testing.T) {
		r := do(t, ng.client(src+"1"), "GET", ng.httpURL("/api/v1/users?q=x"), nil, nil)
		if r.status != http.StatusMovedPermanently {
			t.Fatalf("status %d, want 301", r.status)
		}
		if loc := r.header.Get("Location"); loc != "https://"+testHost+"/api/v1/users?q=x" {
			t.Errorf("Location = %q", loc)
		}
	})

	t.Run("acme challenge served over http", func(t *testing.T) {
		r := do(t, ng.client(src+"1"), "GET", ng.httpURL("/.well-known/acme-challenge/"+ng.acmeToken), nil, nil)
		if r.status != 200 || string(r.body) != ng.acmeAnswer {
			t.Errorf("status %d body %q, want 200 %q", r.status, r.body, ng.acmeAnswer)
		}
		r = do(t, ng.client(src+"1"), "GET", ng.httpURL("/.well-known/acme-challenge/missing"), nil, nil)
		wantProblem(t, "missing challenge", r, 404)
	})

	t.Run("container health probe only from loopback", func(t *testing.T) {
		r := do(t, ng.client("127.0.0.1"), "GET", ng.httpURL("/nginx-health"), nil, nil)
		if r.status != 200 {
			t.Errorf("from 127.0.0.1: %d", r.status)
		}
		r = do(t, ng.client(src+"1"), "GET", ng.httpURL("/nginx-health"), nil, nil)
		wantProblem(t, "/nginx-health from outside", r, 403)
	})

	t.Run("tls profile", func(t *testing.T) {
		r := do(t, ng.client(src+"1"), "GET", ng.httpsURL("/healthz"), nil, nil)
		if r.tls == nil || r.tls.Version < tls.VersionTLS12 {
			t.Fatalf("TLS state %+v", r.tls)
		}
		// TLS 1.1 is refused.
		d := &net.Dialer{Timeout: 5 * time.Second}
		conn, err := tls.DialWithDialer(d, "tcp", "127.0.0.1:"+itoa(ng.httpsPort), &tls.Config{
			ServerName: testHost, RootCAs: ng.rootCAs, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11,
		})
		if err == nil {
			_ = conn.Close()
			t.Error("nginx accepted TLS 1.1")
		}
	})

	t.Run("body over 64 KiB is refused by nginx", func(t *testing.T) {
		big := []byte(`{"body":"` + strings.Repeat("a", 70*1024) + `"}`)
		r := do(t, ng.client(src+"2"), "POST", ng.httpsURL("/api/v1/posts"), big, nil)
		wantProblem(t, "big body", r, 413)
	})

	t.Run("auth burst gets 429 problem", func(t *testing.T) {
		c := ng.client(src + "3")
		body := []byte(`{"login":"nobody_here","password":"wrong-password"}`)
		var limited *result
		passed := 0
		start := time.Now()
		for i := 0; i < 40; i++ {
			r := do(t, c, "POST", ng.httpsURL("/api/v1/auth/login"), body, nil)
			if r.status == http.StatusTooManyRequests && r.header.Get("Content-Type") == "application/problem+json" && strings.Contains(string(r.body), "Too Many Requests") {
				if limited == nil {
					limited = &r
				}
			} else {
				passed++
			}
		}
		if limited == nil {
			t.Fatal("40 login attempts at once were never limited by nginx")
		}
		// The zone (30r/m) refills one request every 2 s while the loop runs:
		// on a loaded machine 40 failed logins take seconds, not milliseconds.
		if allowed := 21 + int(time.Since(start)/(2*time.Second)); passed > allowed {
			t.Errorf("%d requests passed in %s; the auth zone allows a burst of 20 plus one per 2 s (%d)",
				passed, time.Since(start).Round(time.Millisecond), allowed)
		}
		wantProblem(t, "429", *limited, 429)
		if ra := limited.header.Get("Retry-After"); ra != "60" {
			t.Errorf("Retry-After = %q, want 60", ra)
		}
		// Another client is not affected.
		r := do(t, ng.client(src+"4"), "GET", ng.httpsURL("/healthz"), nil, nil)
		if r.status != 200 {
			t.Errorf("another client got %d", r.status)
		}
	})

	t.Run("json access log", func(t *testing.T) {
		r := do(t, ng.client(src+"5"), "GET", ng.httpsURL("/healthz?token=secret"), nil, map[string]string{"X-Request-ID": "log-check-" + strings.ReplaceAll(src, ".", "-")})
		if r.status != 200 {
			t.Fatalf("status %d", r.status)
		}
		want := r.header.Get("X-Request-ID")
		var found *accessLine
		for i := 0; i < 50 && found == nil; i++ {
			for _, l := range ng.accessLogLines(t) {
				if l.RequestID == want {
					l := l
					found = &l
				}
			}
			if found == nil {
				time.Sleep(100 * time.Millisecond)
			}
		}
		if found == nil {
			t.Fatalf("no access log line with request_id %s", want)
		}
		if found.RemoteAddr != src+"5" || found.Method != "GET" || found.Path != "/healthz" || found.Status != 200 || found.Msg != "access" || found.Time == "" {
			t.Errorf("access log line %+v", *found)
		}
		b, _ := os.ReadFile(ng.accessLog)
		if strings.Contains(string(b), "secret") {
			t.Error("the access log contains a query string")
		}
	})
}
