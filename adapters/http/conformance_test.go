package http

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// RFC 9110: every GET resource answers HEAD. Every GET route registered by
// New has a HEAD twin, so a route added later cannot forget it.
func TestEveryGETRouteAnswersHEAD(t *testing.T) {
	t.Parallel()
	s := newServer(t, Options{OpenAPISpec: []byte("openapi: 3.1.0\n"), Docs: http.NotFoundHandler()})
	heads := map[string]bool{}
	gets := 0
	for _, r := range s.echo.Routes() {
		if r.Method == http.MethodHead {
			heads[r.Path] = true
		}
	}
	for _, r := range s.echo.Routes() {
		if r.Method != http.MethodGet {
			continue
		}
		gets++
		if !heads[r.Path] {
			t.Errorf("GET %s has no HEAD route", r.Path)
		}
	}
	if gets < 4 {
		t.Fatalf("only %d GET routes registered", gets)
	}
}

// HEAD through a real listener: the GET's status and headers, no body.
func TestHEADHasTheGETsStatusAndHeadersWithoutBody(t *testing.T) {
	t.Parallel()
	s := newServer(t, Options{OpenAPISpec: []byte("openapi: 3.1.0\ninfo: {}\n")})
	addr := startListener(t, s, DefaultTimeouts())
	for _, path := range []string{"/healthz", "/readyz", "/api/v1/openapi.yaml", "/api/v1/users/me", "/nowhere"} {
		get := roundTrip(t, http.MethodGet, "http://"+addr+path)
		head := roundTrip(t, http.MethodHead, "http://"+addr+path)
		if head.status != get.status {
			t.Errorf("%s: HEAD %d, GET %d", path, head.status, get.status)
		}
		if head.body != "" {
			t.Errorf("%s: HEAD sent a body %q", path, head.body)
		}
		for _, h := range []string{"Content-Type", "Cache-Control", "X-Content-Type-Options", "Content-Security-Policy", "WWW-Authenticate"} {
			if head.header.Get(h) != get.header.Get(h) {
				t.Errorf("%s: %s: HEAD %q, GET %q", path, h, head.header.Get(h), get.header.Get(h))
			}
		}
	}
}

type answer struct {
	status int
	header http.Header
	body   string
}

func roundTrip(t *testing.T, method, url string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{status: res.StatusCode, header: res.Header, body: string(b)}
}

// The contract refuses bodies *over* 64 KiB: exactly 65,536 bytes pass, one
// more is a 413, whether announced by Content-Length or sent chunked, and
// each 413 carries the headers of every error answer (Cache-Control: no-store).
func TestBodyLimitIsExactly64KiB(t *testing.T) {
	t.Parallel()
	s := newServer(t, Options{})
	s.echo.POST("/api/v1/test/echo", func(c echo.Context) error {
		var v map[string]any
		if err := decodeJSON(c, &v); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	})
	addr := startListener(t, s, DefaultTimeouts())
	body := func(n int) []byte { // a JSON object padded with spaces to n bytes
		return append([]byte("{}"), bytes.Repeat([]byte(" "), n-2)...)
	}
	for _, tc := range []struct {
		size    int
		chunked bool
		want    int
	}{
		{64 << 10, false, http.StatusNoContent},
		{64 << 10, true, http.StatusNoContent},
		{64<<10 + 1, false, http.StatusRequestEntityTooLarge},
		{64<<10 + 1, true, http.StatusRequestEntityTooLarge},
	} {
		var r io.Reader = bytes.NewReader(body(tc.size))
		if tc.chunked {
			r = io.MultiReader(r) // unknown length: net/http sends it chunked
		}
		req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/api/v1/test/echo", r)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
		if res.StatusCode != tc.want {
			t.Errorf("%d bytes (chunked %v): %d, want %d", tc.size, tc.chunked, res.StatusCode, tc.want)
		}
		if tc.want == http.StatusRequestEntityTooLarge {
			if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("%d bytes (chunked %v): 413 with Cache-Control %q", tc.size, tc.chunked, cc)
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("413 content type %q", ct)
			}
		}
	}
}

// Every error answer, from any middleware or handler, says no-store.
func TestEveryErrorAnswerIsNoStore(t *testing.T) {
	t.Parallel()
	s := newServer(t, Options{})
	addr := startListener(t, s, DefaultTimeouts())
	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "/nowhere"},            // 404 outside /api/v1
		{http.MethodDelete, "/healthz"},         // 405
		{"ZQ1", "/healthz"},                     // 405 for an invented method
		{http.MethodGet, "/api/v1/users/me"},    // 401
		{http.MethodPost, "/api/v1/auth/login"}, // 415
	} {
		a := roundTrip(t, tc.method, "http://"+addr+tc.path)
		if a.status < 400 || a.header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s %s: %d with Cache-Control %q", tc.method, tc.path, a.status, a.header.Get("Cache-Control"))
		}
	}
}

// The README's 16 KiB of headers is the real limit, answered by the API
// itself: a 431 problem with the request ID and the headers of every error
// answer (net/http's own 431 was text/plain without them). Beyond the
// listener's hard cap net/http answers before any handler.
func TestHeadersAreLimitedTo16KiB(t *testing.T) {
	t.Parallel()
	s := newServer(t, Options{})
	addr := startListener(t, s, DefaultTimeouts())
	send := func(total int) *http.Response {
		t.Helper()
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		head := "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-ID: big-one\r\nX-Pad: "
		tail := "\r\nConnection: close\r\n\r\n"
		req := head + strings.Repeat("a", total-len(head)-len(tail)) + tail
		if len(req) != total {
			t.Fatalf("built %d bytes, want %d", len(req), total)
		}
		if _, err := io.WriteString(conn, req); err != nil {
			t.Fatal(err)
		}
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("%d bytes of header: %v", total, err)
		}
		t.Cleanup(func() { res.Body.Close() })
		return res
	}
	for total, want := range map[int]int{
		8 << 10:      http.StatusOK,
		16 << 10:     http.StatusOK,
		16<<10 + 1:   http.StatusRequestHeaderFieldsTooLarge,
		17 << 10:     http.StatusRequestHeaderFieldsTooLarge,
		20<<10 - 256: http.StatusRequestHeaderFieldsTooLarge,
		32<<10 - 256: http.StatusRequestHeaderFieldsTooLarge,
	} {
		res := send(total)
		if res.StatusCode != want {
			t.Errorf("%d bytes of header: %d, want %d", total, res.StatusCode, want)
			continue
		}
		if want == http.StatusRequestHeaderFieldsTooLarge {
			h := res.Header
			if h.Get("Content-Type") != "application/problem+json" || h.Get("X-Request-ID") != "big-one" ||
				h.Get("Cache-Control") != "no-store" || h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%d bytes of header: a 431 without the problem's headers: %v", total, h)
			}
		}
	}
}

// A query string that url.ParseQuery cannot read whole is a 400 problem on
// every route: Go's parser would silently drop the bad pair and serve the
// defaults ("?limit=%zz" was a 200 with 20 items). An empty limit or cursor
// is given but malformed, also 400.
func TestMalformedQueryStringIsRefused(t *testing.T) {
	t.Parallel()
	s := newServer(t, Options{OpenAPISpec: []byte("openapi: 3.1.0\n")})
	for _, q := range []string{"limit=%zz", "limit=500%", "limit=1;x", "cursor=%zz", "cursor=garbage%", "q=%zz", "a=%", "%zz", "x=1&y=%G0"} {
		for _, path := range []string{"/healthz", "/api/v1/openapi.yaml", "/api/v1/feed", "/nowhere"} {
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path+"?"+q, nil))
			if rec.Code != http.StatusBadRequest || rec.Header().Get("Content-Type") != "application/problem+json" ||
				rec.Header().Get("X-Request-ID") == "" || !strings.Contains(rec.Body.String(), "query string is malformed") {
				t.Errorf("%s?%s: %d %s %s", path, q, rec.Code, rec.Header().Get("Content-Type"), rec.Body)
			}
		}
	}
	for _, q := range []string{"", "limit=5", "q=%C3%A9&x=a+b", "a=1&a=2"} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz?"+q, nil))
		if rec.Code != http.StatusOK {
			t.Errorf("/healthz?%s: %d %s", q, rec.Code, rec.Body)
		}
	}
}

// One resource, one URL: an id path parameter is accepted only in the
// spelling the API issues; uuid.Parse alone takes four more.
func TestPathIDAcceptsOnlyTheCanonicalSpelling(t *testing.T) {
	t.Parallel()
	e := echo.New()
	const id = "0193f0a2-7c4e-7d3a-9b1e-2f4a5c6d7e8f"
	notFound := errors.New("not found")
	for raw, ok := range map[string]bool{
		id:                                     true,
		strings.ToUpper(id):                    false,
		"{" + id + "}":                         false,
		strings.ReplaceAll(id, "-", ""):        false,
		"urn:uuid:" + id:                       false,
		"0193F0A2-7c4e-7d3a-9b1e-2f4a5c6d7e8f": false,
		"":                                     false,
		"x":                                    false,
	} {
		c := e.NewContext(httptest.NewRequest(http.MethodGet, "/", nil), httptest.NewRecorder())
		c.SetParamNames("id")
		c.SetParamValues(raw)
		got, err := pathID(c, notFound)
		if ok != (err == nil) || !ok && !errors.Is(err, notFound) || ok && got.String() != id {
			t.Errorf("%q: %v, %v", raw, got, err)
		}
	}
}

// Path parameters arrive percent-decoded (RFC 3986: "u_x%61" is "u_xa"),
// on every route, while routing still splits only on a real "/".
func TestPathParametersArePercentDecoded(t *testing.T) {
	t.Parallel()
	e := echo.New()
	var seen []string
	e.GET("/users/:username", func(c echo.Context) error {
		seen = append(seen, c.Param("username"))
		return c.NoContent(http.StatusNoContent)
	}, decodePathParams)
	for path, want := range map[string]string{
		"/users/u_x%61":     "u_xa",
		"/users/u_xa":       "u_xa",
		"/users/a%2Fb":      "a/b",
		"/users/%C3%A9":     "é",
		"/users/plain%2520": "plain%20",
	} {
		seen = nil
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusNoContent || len(seen) != 1 || seen[0] != want {
			t.Errorf("%s: %d, saw %q, want %q", path, rec.Code, seen, want)
		}
	}
}

// Two Authorization headers: the first one used to win. None is believed.
func TestTwoAuthorizationHeadersAreRefused(t *testing.T) {
	t.Parallel()
	s := newServer(t, Options{})
	req := httptest.NewRequest(http.MethodGet, "/api/v1/users/me", nil)
	req.Header.Add("Authorization", "Bearer a.b.c")
	req.Header.Add("Authorization", "Bearer d.e.f")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized || rec.Header().Get("WWW-Authenticate") != `Bearer error="invalid_token"` ||
		!strings.Contains(rec.Body.String(), "More than one Authorization header") {
		t.Fatalf("%d %v %s", rec.Code, rec.Header(), rec.Body)
	}
}

// OPTIONS, as the OpenAPI conventions describe it: 204 with Allow and no
// body on any routed path, no token needed; 404 where no route is.
func TestOPTIONSAnswersAllow(t *testing.T) {
	t.Parallel()
	s := newServer(t, Options{OpenAPISpec: []byte("openapi: 3.1.0\n")})
	for path, allow := range map[string]string{
		"/healthz":             "OPTIONS, GET, HEAD",
		"/api/v1/users/me":     "OPTIONS, DELETE, GET, HEAD, PATCH",
		"/api/v1/openapi.yaml": "OPTIONS, GET, HEAD",
	} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodOptions, path, nil))
		if rec.Code != http.StatusNoContent || rec.Header().Get("Allow") != allow || rec.Body.Len() != 0 {
			t.Errorf("OPTIONS %s: %d Allow %q %q", path, rec.Code, rec.Header().Get("Allow"), rec.Body)
		}
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodOptions, "/nowhere", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("OPTIONS /nowhere: %d", rec.Code)
	}
}
