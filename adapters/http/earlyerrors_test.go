package http

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
)

// startEarlyErrorListener serves h as cmd/agora does: NewHTTPServer over
// EarlyErrorListener.
func startEarlyErrorListener(t *testing.T, h http.Handler) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewHTTPServer("", h, zap.NewNop(), DefaultTimeouts())
	go func() { _ = srv.Serve(EarlyErrorListener(l)) }()
	t.Cleanup(func() { _ = srv.Close() })
	return l.Addr().String()
}

// rawExchange writes raw bytes and reads one answer.
func rawExchange(t *testing.T, addr, raw string) (*http.Response, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%.60q: %v", raw, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// What net/http refuses before any handler (it has no hook for it) was a
// text/plain answer without the contract's headers, and a 505 or 501 (a
// 5xx for bad input). Through EarlyErrorListener each is a problem: 431
// for a header over the hard cap, 400 for everything else.
func TestNetHTTPsOwnRefusalsAreProblems(t *testing.T) {
	t.Parallel()
	addr := startEarlyErrorListener(t, newServer(t, Options{}))
	for name, tc := range map[string]struct {
		raw    string
		status int
	}{
		"HTTP/2.0 over cleartext":   {"GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n", 400},
		"HTTP/9.9":                  {"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n", 400},
		"HTTP/0.9":                  {"GET /healthz HTTP/0.9\r\nHost: x\r\n\r\n", 400},
		"malformed version":         {"GET /healthz HTTP/x\r\nHost: x\r\n\r\n", 400},
		"malformed request line":    {"GARBAGE\r\n\r\n", 400},
		"no Host":                   {"GET /healthz HTTP/1.1\r\n\r\n", 400},
		"bad Host":                  {"GET /healthz HTTP/1.1\r\nHost: a b\r\n\r\n", 400},
		"two Hosts":                 {"GET /healthz HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400},
		"NUL in a header":           {"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n", 400},
		"bad header name":           {"GET /healthz HTTP/1.1\r\nHost: x\r\nX A: b\r\n\r\n", 400},
		"two Content-Lengths":       {"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400},
		"bad escape in path":        {"GET /users/%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		"unknown transfer coding":   {"POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 400},
		"header over the hard cap":  {"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + strings.Repeat("a", 40<<10) + "\r\n\r\n", 431},
		"header over the API limit": {"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + strings.Repeat("a", 17<<10) + "\r\n\r\n", 431},
	} {
		res, body := rawExchange(t, addr, tc.raw)
		h := res.Header
		if res.StatusCode != tc.status || h.Get("Content-Type") != "application/problem+json" || h.Get("X-Request-ID") == "" ||
			h.Get("Cache-Control") != "no-store" || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: %d %v %s", name, res.StatusCode, h, body)
			continue
		}
		var p problemDTO
		if err := json.Unmarshal([]byte(body), &p); err != nil || p.Status != tc.status || p.RequestID != h.Get("X-Request-ID") || p.Detail == "" {
			t.Errorf("%s: problem %s (%v)", name, body, err)
		}
	}
	// Well-formed requests pass untouched, several on one connection.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(conn)
	for range 3 {
		if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		res, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(b), `"ok"`) {
			t.Fatalf("keep-alive request: %d %s", res.StatusCode, b)
		}
	}
}

// Only a whole net/http refusal is rewritten; other writes pass as they are.
func TestEarlyErrorConnLeavesOtherWritesAlone(t *testing.T) {
	t.Parallel()
	for _, w := range []string{
		"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nDate: x\r\n\r\nhi",
		"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\nline one\r\nline two",
		"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n" + strings.Repeat("x", 600),
		"some body bytes",
	} {
		a, b := net.Pipe()
		go func() {
			c := &earlyErrorConn{Conn: a}
			_, _ = c.Write([]byte(w))
			a.Close()
		}()
		got, _ := io.ReadAll(b)
		if string(got) != w {
			t.Errorf("rewrote %.40q into %.80q", w, got)
		}
	}
}

// ListenAndServe reports a bad address and a closed server as
// http.Server.ListenAndServe does.
func TestListenAndServe(t *testing.T) {
	t.Parallel()
	if err := ListenAndServe(context.Background(), &http.Server{Addr: "256.0.0.1:0"}); err == nil || errors.Is(err, http.ErrServerClosed) {
		t.Fatalf("bad address: %v", err)
	}
	srv := &http.Server{Addr: "127.0.0.1:0", ReadHeaderTimeout: time.Second}
	done := make(chan error, 1)
	go func() { done <- ListenAndServe(context.Background(), srv) }()
	time.Sleep(50 * time.Millisecond)
	_ = srv.Close()
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		t.Fatalf("closed: %v", err)
	}
}
