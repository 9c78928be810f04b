package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"agora/adapters/postgres/pgtest"
	"agora/cmd/agora/agoratest"
)

// What the outside review saw on the wire of a real `agora serve`: a 17 KB
// header answered "431 text/plain" and an HTTP/2.0 or HTTP/9.9 request line
// "505" (a 5xx for bad input), both without X-Request-ID, the security
// headers or Cache-Control. Now each is a problem document with them.
func TestHostileWireRefusalsAreProblems(t *testing.T) {
	t.Parallel()
	bin := agoratest.Binary(t)
	addr := freeAddr(t)
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+pgtest.NewDatabase(t), "HTTP_ADDR="+addr,
		"RATE_LIMIT_ENABLED=false", "MAIL_DIR="+t.TempDir(), "LOG_LEVEL=warn")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		if res, err := http.Get("http://" + addr + "/healthz"); err == nil {
			_ = res.Body.Close()
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("server did not start: %s", stderr.String())
		}
	}
	pad := func(n int) string { return "X-Pad: " + strings.Repeat("a", n) + "\r\n" }
	for name, tc := range map[string]struct {
		raw    string
		status int
		reqID  string
	}{
		"17 KB header":           {"GET /api/v1/openapi.yaml HTTP/1.1\r\nHost: x\r\nX-Request-ID: mine-17k\r\n" + pad(17<<10) + "\r\n", 431, "mine-17k"},
		"header over hard cap":   {"GET /healthz HTTP/1.1\r\nHost: x\r\n" + pad(40<<10) + "\r\n", 431, ""},
		"HTTP/2.0 in cleartext":  {"GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n", 400, ""},
		"HTTP/9.9":               {"GET /api/v1/users/me HTTP/9.9\r\nHost: x\r\n\r\n", 400, ""},
		"malformed request line": {"GET\r\n\r\n", 400, ""},
		"NUL in a header":        {"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: \x00\r\n\r\n", 400, ""},
	} {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.WriteString(conn, tc.raw); err != nil {
			t.Fatal(err)
		}
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		conn.Close()
		h := res.Header
		if res.StatusCode != tc.status || h.Get("Content-Type") != "application/problem+json" ||
			h.Get("Cache-Control") != "no-store" || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("Content-Security-Policy") == "" || h.Get("X-Request-ID") == "" ||
			tc.reqID != "" && h.Get("X-Request-ID") != tc.reqID {
			t.Errorf("%s: %d %v %s", name, res.StatusCode, h, body)
			continue
		}
		var p map[string]any
		if err := json.Unmarshal(body, &p); err != nil || p["status"] != float64(tc.status) || p["request_id"] != h.Get("X-Request-ID") {
			t.Errorf("%s: problem %s", name, body)
		}
	}
}
