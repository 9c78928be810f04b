package deploy_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"agora/adapters/http/apidoc"
	"agora/adapters/postgres/pgtest"
	"agora/internal/systest"
)

// agoraServer is a real `agora serve` on a loopback port, its stdout (the
// JSON request log) captured.
type agoraServer struct {
	addr string
	mu   sync.Mutex
	logs []map[string]any
	raw  bytes.Buffer
}

func startAgora(t *testing.T, trustedProxies string) *agoraServer {
	t.Helper()
	bin := buildAgora(t)
	dbURL := pgtest.NewDatabase(t)
	s := &agoraServer{addr: systest.FreeAddr(t)}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(),
		"DATABASE_URL="+dbURL,
		"HTTP_ADDR="+s.addr,
		"METRICS_ADDR=", // /metrics on the main port: Nginx must still hide it
		"RATE_LIMIT_ENABLED=false",
		"MAIL_DIR="+t.TempDir(),
		"TRUSTED_PROXIES="+trustedProxies,
		"JWT_ISSUER=https://"+testHost,
		"JWT_AUDIENCE=agora",
		"PUBLIC_BASE_URL=https://"+testHost,
		"LOG_LEVEL=info",
	)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Bytes()
			s.mu.Lock()
			s.raw.Write(line)
			s.raw.WriteByte('\n')
			var m map[string]any
			if json.Unmarshal(line, &m) == nil {
				s.logs = append(s.logs, m)
			}
			s.mu.Unlock()
		}
	}()
	// Wait after the output is read: it closes the pipe.
	done := make(chan struct{})
	go func() { <-copied; _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		systest.Stop(cmd.Process, done, 15*time.Second)
		if t.Failed() {
			s.mu.Lock()
			t.Logf("agora stdout:\n%s\nstderr:\n%s", s.raw.String(), stderr.String())
			s.mu.Unlock()
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + s.addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("agora did not answer /healthz: %v\nstderr:\n%s", err, stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// requestLog waits for Agora's request log line with this request id.
func (s *agoraServer) requestLog(t *testing.T, requestID string) map[string]any {
	t.Helper()
	for i := 0; i < 50; i++ {
		s.mu.Lock()
		for _, l := range s.logs {
			if l["msg"] == "request" && l["request_id"] == requestID {
				s.mu.Unlock()
				return l
			}
		}
		s.mu.Unlock()
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no request log line with request_id %q", requestID)
	return nil
}

// Nginx (Debian's, on the production files) in front of a real Agora on a
// real database: redirect, proxying, headers, the client IP reaching
// Agora's log through X-Forwarded-For, a 429 from a burst, and the internal
// endpoints hidden.
func TestNginxInFrontOfAgora(t *testing.T) {
	t.Parallel()
	nginxBinary(t)
	if os.Geteuid() != 0 {
		t.Skip("the nginx tests run nginx as root (as CI does)")
	}
	// Nginx connects to the backend from 127.0.0.1: the trusted proxy.
	app := startAgora(t, "127.0.0.1/32")
	ng := startNginx(t, nginxOpts{backend: app.addr})

	checkEdge(t, ng, "127.0.2.")

	t.Run("healthz through nginx", func(t *testing.T) {
		r := do(t, ng.client("127.0.2.10"), "GET", ng.httpsURL("/healthz"), nil, nil)
		if r.status != 200 || !strings.Contains(string(r.body), `"ok"`) {
			t.Fatalf("status %d body %s", r.status, r.body)
		}
		wantSecurityHeaders(t, "/healthz", r, strictCSP)
	})

	t.Run("openapi document proxied", func(t *testing.T) {
		r := do(t, ng.client("127.0.2.10"), "GET", ng.httpsURL("/api/v1/openapi.yaml"), nil, nil)
		if r.status != 200 || !strings.Contains(string(r.body), "openapi:") {
			t.Fatalf("status %d, body starts %.80q", r.status, r.body)
		}
	})

	t.Run("docs keeps the backend's CSP", func(t *testing.T) {
		direct, err := http.Get("http://" + app.addr + "/docs")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, direct.Body)
		direct.Body.Close()
		if csp := direct.Header.Get("Content-Security-Policy"); direct.StatusCode != 200 || csp != apidoc.DocsCSP() {
			t.Fatalf("agora /docs answers %d with CSP %q, want 200 with the docs page's %q", direct.StatusCode, csp, apidoc.DocsCSP())
		}
		r := do(t, ng.client("127.0.2.10"), "GET", ng.httpsURL("/docs"), nil, nil)
		if r.status != 200 {
			t.Fatalf("/docs through nginx: %d", r.status)
		}
		wantSecurityHeaders(t, "/docs", r, apidoc.DocsCSP())
	})

	t.Run("client ip and request id reach agora's log", func(t *testing.T) {
		r := do(t, ng.client("127.0.2.11"), "GET", ng.httpsURL("/api/v1/users/me"), nil, map[string]string{
			"X-Request-ID":    "live-xff-check",
			"X-Forwarded-For": "203.0.113.66", // a spoofing attempt: must not win
		})
		// Agora's 401 (Nginx has no such answer) proves the proxying.
		if r.status != http.StatusUnauthorized {
			t.Errorf("GET /users/me without a token: %d, want 401 from agora", r.status)
		}
		if got := r.header.Values("X-Request-ID"); len(got) != 1 || got[0] != "live-xff-check" {
			t.Errorf("X-Request-ID = %q", got)
		}
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
			t.Errorf("agora's 401 Content-Type %q", ct)
		}
		wantSecurityHeaders(t, "401", r, strictCSP)
		l := app.requestLog(t, "live-xff-check")
		if l["remote_ip"] != "127.0.2.11" {
			t.Errorf("agora logged remote_ip %v, want the client's 127.0.2.11 (log line %v)", l["remote_ip"], l)
		}
	})

	t.Run("internal endpoints hidden", func(t *testing.T) {
		// Agora itself serves these (METRICS_ADDR is empty here) ...
		for _, p := range []string{"/metrics", "/readyz"} {
			resp, err := http.Get("http://" + app.addr + p)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("agora answers %s directly with %d, want 200", p, resp.StatusCode)
			}
		}
		// ... but not through Nginx.
		c := ng.client("127.0.2.12")
		for _, p := range []string{"/metrics", "/readyz", "/debug/pprof/", "//metrics", "/api/../metrics"} {
			r := do(t, c, "GET", ng.httpsURL(p), nil, nil)
			if strings.Contains(string(r.body), "http_requests_total") {
				t.Errorf("%s leaked metrics", p)
			}
			wantProblem(t, p, r, 404)
		}
	})
}
