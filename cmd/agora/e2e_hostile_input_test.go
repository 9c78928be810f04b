package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"agora/adapters/http/apitest"
	"agora/adapters/telemetry"
)

// The inputs of the outside black-box run that answered 500 (PostgreSQL
// refused a NUL: SQLSTATE 22021), through the real wiring: each is now a
// 4xx naming the field, and nothing was stored.
func TestHostileTextNeverAnswers5xx(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	me := idRegister(t, env, "hostile_me")
	do := func(method, path, token string, body any) *apitest.Response {
		return env.API.Do(apitest.Request{Method: method, Path: path, Token: token, Body: body, NoCheck: true})
	}
	for _, tc := range []struct {
		name, method, path string
		body               any
		status             int
		field              string
	}{
		{"login with NUL", "POST", "/api/v1/auth/login", `{"login":"hostile_me\u0000","password":"whatever it is"}`, 422, "login"},
		{"login with NUL in the password", "POST", "/api/v1/auth/login", `{"login":"hostile_me","password":"pass\u0000word"}`, 422, "password"},
		{"register display_name NUL", "POST", "/api/v1/auth/register", `{"username":"nul_user","email":"nul@example.com","password":"long enough pass","display_name":"a\u0000b"}`, 422, "display_name"},
		{"register display_name bidi override", "POST", "/api/v1/auth/register", `{"username":"rlo_user","email":"rlo@example.com","password":"long enough pass","display_name":"evil\u202egnp.exe"}`, 422, "display_name"},
		{"register display_name only spaces", "POST", "/api/v1/auth/register", `{"username":"sp_user","email":"sp@example.com","password":"long enough pass","display_name":"    "}`, 422, "display_name"},
		{"register email NUL", "POST", "/api/v1/auth/register", `{"username":"nul_mail","email":"nul\u0000@example.com","password":"long enough pass"}`, 422, "email"},
		{"PATCH display_name NUL", "PATCH", "/api/v1/users/me", `{"display_name":"\u0000"}`, 422, "display_name"},
		{"PATCH headline NUL", "PATCH", "/api/v1/users/me", `{"headline":"x\u0000"}`, 422, "headline"},
		{"PATCH bio NUL", "PATCH", "/api/v1/users/me", `{"bio":"x\u0000y"}`, 422, "bio"},
		{"PATCH display_name zero-width", "PATCH", "/api/v1/users/me", `{"display_name":"Ad\u200ba"}`, 422, "display_name"},
		{"post of a zero-width space", "POST", "/api/v1/posts", `{"body":"\u200b"}`, 422, "body"},
		{"post with an escape sequence", "POST", "/api/v1/posts", `{"body":"\u001b[2J"}`, 422, "body"},
		{"request message NUL", "POST", "/api/v1/connection-requests", `{"username":"hostile_me","message":"\u0000"}`, 422, "message"},
		{"search NUL", "GET", "/api/v1/users?q=%00", nil, 400, "q"},
		{"search 0xFF", "GET", "/api/v1/users?q=%FF", nil, 400, "q"},
		{"search cursor key NUL", "GET", "/api/v1/users?q=a&cursor=" + forgedCursor("a\x00"), nil, 400, "cursor"},
		{"search cursor key 0xFF", "GET", "/api/v1/users?cursor=" + forgedCursor("\xff"), nil, 400, "cursor"},
		{"profile path NUL", "GET", "/api/v1/users/a%00b", nil, 404, ""},
		{"direction NUL", "GET", "/api/v1/connection-requests?direction=%00", nil, 400, "direction"},
	} {
		res := do(tc.method, tc.path, me.AccessToken, tc.body)
		if tc.field == "" {
			assertProblem(t, res, tc.status)
			continue
		}
		p := assertProblem(t, res, tc.status)
		list, _ := p["errors"].([]any)
		if len(list) == 0 || list[0].(map[string]any)["field"] != tc.field {
			t.Errorf("%s: errors %v, want field %s", tc.name, p["errors"], tc.field)
		}
	}
	// Malformed JSON: invalid UTF-8, duplicate names, names in another case.
	for _, body := range []string{
		"{\"body\":\"caf\xe9\"}",
		`{"body":"x","body":"y"}`,
		`{"body":"x","visibility":"public","VISIBILITY":"connections"}`,
		`{"BODY":"x"}`,
	} {
		assertProblem(t, do("POST", "/api/v1/posts", me.AccessToken, []byte(body)), http.StatusBadRequest)
	}
	// Nothing of all that was stored: no post, no user, the profile unchanged.
	var feed struct {
		Items []any `json:"items"`
	}
	do("GET", "/api/v1/feed", me.AccessToken, nil).JSON(t, &feed)
	if len(feed.Items) != 0 {
		t.Fatalf("refused posts were stored: %v", feed.Items)
	}
	if got := idMe(env, me.AccessToken).Map(t); got["display_name"] != "hostile_me" || got["headline"] != "" || got["bio"] != "" {
		t.Fatalf("profile changed: %v", got)
	}
	if strings.Contains(env.Logs(), `"status":500`) || strings.Contains(env.Logs(), "request failed") {
		t.Fatal("a hostile input was logged as a server error")
	}
}

// forgedCursor makes a cursor the way the server does (its checksum is no
// secret) with the given key, URL-escaped.
func forgedCursor(key string) string {
	var b bytes.Buffer
	b.WriteByte(1)
	_ = binary.Write(&b, binary.BigEndian, time.Now().UnixNano())
	b.Write(make([]byte, 16))
	b.WriteString(key)
	sum := sha256.Sum256(b.Bytes())
	b.Write(sum[:6])
	return url.QueryEscape(base64.RawURLEncoding.EncodeToString(b.Bytes()))
}

// A thousand invented methods and random paths add no series to /metrics:
// every label that comes from a request is from a closed set.
func TestHostileMethodsAndPathsKeepMetricSeriesConstant(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	client := &http.Client{}
	send := func(i int) {
		method := fmt.Sprintf("ZQ%d", rand.Uint32())
		path := fmt.Sprintf("/%x", rand.Uint64())
		switch i % 4 {
		case 0:
			path = "/healthz"
		case 1:
			path = "/api/v1" + path
		case 2:
			method = http.MethodGet
		}
		req, err := http.NewRequest(method, env.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		_ = res.Body.Close()
		if res.StatusCode >= 500 {
			t.Fatalf("%s %s: %d", method, path, res.StatusCode)
		}
	}
	series := func() int {
		res, err := client.Get(env.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		n := 0
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "http_requests_total{") || strings.HasPrefix(line, "http_request_duration_seconds_count{") {
				n++
			}
		}
		return n
	}
	for i := range 8 { // every shape once, and /metrics itself
		send(i)
	}
	series()
	before := series()
	for i := range 1000 {
		send(i)
	}
	if after := series(); after != before || before == 0 {
		t.Fatalf("series: %d before, %d after 1000 invented methods and paths", before, after)
	}
}

// RFC 9110: every GET route answers HEAD with the GET's status and headers
// and no body, through the real wiring.
func TestHostileHEADOnEveryGETRoute(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	me := idRegister(t, env, "head_user")
	for _, path := range []string{
		"/healthz", "/readyz", "/metrics", "/docs", "/.well-known/jwks.json", "/api/v1/openapi.yaml",
		"/api/v1/users/me", "/api/v1/feed", "/api/v1/users/head_user", "/api/v1/users?q=h",
	} {
		get := rawDo(t, http.MethodGet, env.URL+path, me.AccessToken)
		head := rawDo(t, http.MethodHead, env.URL+path, me.AccessToken)
		if get.Status != http.StatusOK || head.Status != get.Status {
			t.Errorf("%s: GET %d, HEAD %d", path, get.Status, head.Status)
		}
		if len(head.Body) != 0 {
			t.Errorf("%s: HEAD answered a body of %d bytes", path, len(head.Body))
		}
		for _, h := range []string{"Content-Type", "Cache-Control", "X-Content-Type-Options", "Content-Security-Policy"} {
			if head.Header.Get(h) != get.Header.Get(h) {
				t.Errorf("%s: %s differs: HEAD %q, GET %q", path, h, head.Header.Get(h), get.Header.Get(h))
			}
		}
	}
}

func rawDo(t *testing.T, method, u, token string) *apitest.Response {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return &apitest.Response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// Span names are bounded like metric labels: an invented method is OTHER in
// the span name and _OTHER in http.request.method (the semantic conventions),
// with the original, cut to 64 bytes, beside it.
func TestHostileMethodsMakeBoundedSpanNames(t *testing.T) {
	t.Parallel()
	exp := tracetest.NewInMemoryExporter()
	env := startServerWith(t, serverOptions{Tracing: telemetry.NewSDKTracing(sdktrace.NewSimpleSpanProcessor(exp), nil)})
	method := "ZQ" + strings.Repeat("X", 100)
	req, err := http.NewRequest(method, env.URL+"/healthz", nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	for _, s := range exp.GetSpans() {
		if s.SpanKind != trace.SpanKindServer {
			continue
		}
		if s.Name != "OTHER /healthz" {
			t.Fatalf("span name %q", s.Name)
		}
		attrs := map[string]string{}
		for _, a := range s.Attributes {
			attrs[string(a.Key)] = a.Value.AsString()
		}
		if attrs["http.request.method"] != "_OTHER" || attrs["http.request.method_original"] != method[:64] {
			t.Fatalf("attributes %v", attrs)
		}
		return
	}
	t.Fatal("no server span")
}
