package http

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"go.uber.org/zap"
)

// startListener serves s with short timeouts on a loopback port.
func startListener(t *testing.T, h http.Handler, to Timeouts) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewHTTPServer("", h, zap.NewNop(), to)
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return l.Addr().String()
}

func TestDefaultTimeoutsAreAllSet(t *testing.T) {
	t.Parallel()
	d := DefaultTimeouts()
	if d.ReadHeader <= 0 || d.Read <= 0 || d.Write <= 0 || d.Idle <= 0 || d.HeaderHardCap <= MaxHeaderBytes || d.ReadHeader > d.Read {
		t.Fatalf("timeouts: %+v", d)
	}
}

// A client that trickles its header (slowloris) is cut off once the header
// timeout passes, instead of holding a connection forever.
func TestSlowlorisClientIsDisconnected(t *testing.T) {
	t.Parallel()
	s := newServer(t, Options{})
	to := DefaultTimeouts()
	to.ReadHeader = 300 * time.Millisecond
	addr := startListener(t, s, to)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	closed := false
	for i := 0; i < 30 && !closed; i++ { // at most ~3s of trickling
		time.Sleep(100 * time.Millisecond)
		if _, err := io.WriteString(conn, "X-Slow: y\r\n"); err != nil {
			closed = true
			break
		}
		_ = conn.SetReadDeadline(time.Now().Add(time.Millisecond))
		var b [1]byte
		if _, err := conn.Read(b[:]); err != nil && !isTimeout(err) {
			closed = true
		}
	}
	if !closed {
		t.Fatalf("a trickling client still held its connection after %s", time.Since(start))
	}
}

// An endless chunked body is refused with 413 after 64 KiB, not read to the end.
func TestEndlessBodyIsRefused(t *testing.T) {
	t.Parallel()
	s := newServer(t, Options{})
	s.echo.POST("/test/echo", func(c echo.Context) error {
		var v map[string]any
		if err := decodeJSON(c, &v); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	})
	addr := startListener(t, s, DefaultTimeouts())
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, "POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	// Write up to 16 MiB of chunks in the background; the server should answer long before.
	go func() {
		chunk := "10000\r\n" + strings.Repeat(" ", 0x10000) + "\r\n"
		for i := 0; i < 256; i++ {
			if _, err := io.WriteString(conn, chunk); err != nil {
				return
			}
		}
	}()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no response to an endless body: %v", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q", ct)
	}
}

// A declared Content-Length over the limit is refused before any body is read.
func TestOversizeContentLengthIsRefusedUpFront(t *testing.T) {
	t.Parallel()
	s := newServer(t, Options{})
	s.echo.POST("/test/echo", func(c echo.Context) error {
		var v map[string]any
		return decodeJSON(c, &v)
	})
	addr := startListener(t, s, DefaultTimeouts())
	body := bytes.Repeat([]byte(" "), 65*1024)
	res, err := http.Post("http://"+addr+"/test/echo", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", res.StatusCode)
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error) //nolint:errorlint // a direct net.Conn error
	return ok && ne.Timeout()
}
