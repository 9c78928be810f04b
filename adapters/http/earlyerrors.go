package http

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strconv"

	"github.com/google/uuid"
)

// EarlyErrorListener wraps l so that the answers net/http gives by itself
// become problem documents.
//
// net/http answers a few requests itself, before any handler runs and with
// no hook to change it: a request line or header it cannot parse, a bad or
// missing Host, a header over the listener's hard cap, an HTTP version
// other than 1.x ("HTTP/2.0" over cleartext, "HTTP/9.9": 505), a transfer
// coding it does not know (501). It writes each of those answers straight
// to the connection in one write, as
//
//	HTTP/1.1 <code> <text>\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n<text>
//
// and closes it. That is text/plain without X-Request-ID, the security
// headers or Cache-Control, and for the version and the transfer coding a
// 5xx for bad input, which the contract forbids.
//
// The listener rewrites exactly those writes into the API's problem
// documents: 431 stays 431, everything else becomes 400 (the contract's
// "no input ever answers 5xx"). A normal response never matches: net/http
// writes its headers sorted with a Date, so "Connection" comes before
// "Content-Type", and no handler here answers text/plain with
// Connection: close.
func EarlyErrorListener(l net.Listener) net.Listener { return earlyErrorListener{l} }

type earlyErrorListener struct{ net.Listener }

func (l earlyErrorListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &earlyErrorConn{Conn: c}, nil
}

// earlyErrorConn rewrites net/http's own error answers on one connection.
type earlyErrorConn struct{ net.Conn }

// CloseWrite keeps the TCP half-close net/http does before it closes a
// connection it refused (so the client reads the answer, not a reset).
func (c *earlyErrorConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// earlyError matches one whole answer written by net/http's conn.serve.
var earlyError = regexp.MustCompile(`\AHTTP/1\.1 ([1-5][0-9][0-9]) [^\r\n]*\r\n` +
	`Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n[^\r\n]*\z`)

// maxEarlyError bounds the writes worth matching (net/http's are short).
const maxEarlyError = 512

func (c *earlyErrorConn) Write(p []byte) (int, error) {
	if len(p) > maxEarlyError || !bytes.HasPrefix(p, []byte("HTTP/1.1 ")) {
		return c.Conn.Write(p)
	}
	m := earlyError.FindSubmatch(p)
	if m == nil {
		return c.Conn.Write(p)
	}
	code, _ := strconv.Atoi(string(m[1]))
	if _, err := c.Conn.Write(earlyProblem(code)); err != nil {
		return 0, err
	}
	return len(p), nil // net/http wrote what it meant to; the answer differs on purpose
}

// earlyDetail says, for each status net/http answers itself, what the
// client sent wrong, without echoing any of it.
var earlyDetail = map[int]string{
	http.StatusRequestHeaderFieldsTooLarge: "The request line and headers are far over the 16 KiB limit; the connection is closed.",
	http.StatusHTTPVersionNotSupported:     "Only HTTP/1.0 and HTTP/1.1 are served on this port.",
	http.StatusNotImplemented:              "The Transfer-Encoding is not supported; send chunked or a Content-Length.",
}

// earlyProblem is the full HTTP answer for one of net/http's own refusals.
func earlyProblem(goCode int) []byte {
	status := http.StatusBadRequest
	if goCode == http.StatusRequestHeaderFieldsTooLarge {
		status = goCode
	}
	detail, ok := earlyDetail[goCode]
	if !ok {
		detail = "The request is not well-formed HTTP/1.1 (request line, Host or a header)."
	}
	id := uuid.NewString()
	body, _ := json.Marshal(problemDTO{
		Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, RequestID: id,
	})
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	for _, h := range [][2]string{
		{"Cache-Control", "no-store"},
		{"Connection", "close"},
		{"Content-Length", strconv.Itoa(len(body))},
		{"Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"},
		{"Content-Type", "application/problem+json"},
		{"Referrer-Policy", "no-referrer"},
		{headerRequestID, id},
		{"X-Content-Type-Options", "nosniff"},
		{"X-Frame-Options", "DENY"},
	} {
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	b.WriteString("\r\n")
	b.Write(body)
	return b.Bytes()
}

// ListenAndServe is http.Server.ListenAndServe over EarlyErrorListener.
func ListenAndServe(ctx context.Context, srv *http.Server) error {
	addr := srv.Addr
	if addr == "" {
		addr = ":http"
	}
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	err = srv.Serve(EarlyErrorListener(l))
	if errors.Is(err, http.ErrServerClosed) {
		return http.ErrServerClosed
	}
	return err
}
