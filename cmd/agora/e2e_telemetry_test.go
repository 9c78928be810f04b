package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"agora/adapters/http/apitest"
	"agora/adapters/telemetry"
)

// One request makes one server span named by its route, with a child span
// per SQL statement, in the caller's trace (W3C traceparent), and its log
// line carries the trace and span ids.
func TestTracingSpanTreeOfOneRequest(t *testing.T) {
	t.Parallel()
	exp := tracetest.NewInMemoryExporter()
	env := startServerWith(t, serverOptions{Tracing: telemetry.NewSDKTracing(sdktrace.NewSimpleSpanProcessor(exp), nil)})

	const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	res := env.API.Do(apitest.Request{Method: "GET", Path: "/readyz", Header: http.Header{"Traceparent": {parent}}})
	if res.Status != 200 {
		t.Fatalf("readyz: %d", res.Status)
	}
	if tp := res.Header.Get("Traceparent"); !strings.HasPrefix(tp, "00-4bf92f3577b34da6a3ce929d0e0e4736-") {
		t.Fatalf("response traceparent %q is not in the caller's trace", tp)
	}
	spans := exp.GetSpans()
	var server *tracetest.SpanStub
	for i := range spans {
		if spans[i].SpanKind == trace.SpanKindServer {
			server = &spans[i]
		}
	}
	if server == nil {
		t.Fatalf("no server span among %d spans", len(spans))
	}
	if server.Name != "GET /readyz" {
		t.Fatalf("server span named %q", server.Name)
	}
	if server.Parent.SpanID().String() != "00f067aa0ba902b7" || server.SpanContext.TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Fatalf("server span does not continue the caller's trace: parent %s", server.Parent.SpanID())
	}
	attrs := map[string]string{}
	for _, a := range server.Attributes {
		attrs[string(a.Key)] = a.Value.String()
	}
	if attrs["http.route"] != "/readyz" || attrs["http.response.status_code"] != "200" || attrs["http.request.method"] != "GET" {
		t.Fatalf("server span attributes: %v", attrs)
	}
	var sqlChildren int
	for _, s := range spans {
		if s.Parent.SpanID() == server.SpanContext.SpanID() && s.SpanKind == trace.SpanKindClient {
			sqlChildren++
		}
	}
	if sqlChildren == 0 {
		t.Fatalf("no SQL child spans under the server span; spans: %v", spanNames(spans))
	}
	if !strings.Contains(env.Logs(), `"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"`) {
		t.Fatalf("request log line without trace_id:\n%s", env.Logs())
	}
}

// A 5xx marks the server span as an error.
func TestTracingMarksServerErrors(t *testing.T) {
	t.Parallel()
	exp := tracetest.NewInMemoryExporter()
	env := startServerWith(t, serverOptions{Tracing: telemetry.NewSDKTracing(sdktrace.NewSimpleSpanProcessor(exp), nil)})
	env.app.pool.Close() // every query now fails: /readyz answers 503
	res := env.API.Do(apitest.Request{Method: "GET", Path: "/readyz"})
	if res.Status != 503 {
		t.Fatalf("readyz with a closed pool: %d", res.Status)
	}
	for _, s := range exp.GetSpans() {
		if s.SpanKind == trace.SpanKindServer {
			if s.Status.Code != codes.Error {
				t.Fatalf("server span status %v, want Error", s.Status)
			}
			return
		}
	}
	t.Fatal("no server span")
}

// Arbitrary URLs all share one route label, so they cannot blow up the
// number of series.
func TestMetricsRouteCardinalityIsBounded(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 1000; i++ {
		path := fmt.Sprintf("/%x/%d/%s", rng.Uint64(), i, strings.Repeat("z", rng.IntN(20)))
		res, err := http.Get(env.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
	}
	body := scrape(t, env)
	var unmatched, other int
	for _, line := range strings.Split(body, "\n") {
		if !strings.HasPrefix(line, "http_requests_total{") {
			continue
		}
		if strings.Contains(line, `route="unmatched"`) {
			unmatched++
		} else {
			other++
		}
	}
	if unmatched != 1 {
		t.Fatalf("%d series for unmatched routes, want 1", unmatched)
	}
	if strings.Contains(body, `route="/`+"0") || other > 5 {
		t.Fatalf("raw paths leaked into route labels:\n%s", body)
	}
}

func TestMetricsExposeTheContractNames(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	env.API.Do(apitest.Request{Method: "GET", Path: "/readyz"})
	body := scrape(t, env)
	for _, name := range []string{
		`http_requests_total{method="GET",route="/readyz",status="200"}`,
		`http_request_duration_seconds_bucket{method="GET",route="/readyz",le="0.001"}`,
		"http_requests_in_flight",
		"db_pool_acquired_conns", "db_pool_idle_conns", "db_pool_total_conns", "db_pool_max_conns",
		"db_pool_acquire_count_total", "db_pool_acquire_duration_seconds_total", "db_pool_empty_acquire_count_total",
		`auth_login_attempts_total{result="invalid_credentials"}`,
		"agora_auth_session_cache_listening", "agora_auth_session_cache_hits_total", "agora_auth_session_cache_drops_total",
		`agora_build_info{goversion="go`,
		"go_goroutines", "process_resident_memory_bytes",
	} {
		if !strings.Contains(body, name) {
			t.Errorf("/metrics lacks %s", name)
		}
	}
}

func scrape(t *testing.T, env *testEnv) string {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), "GET", env.URL+"/metrics", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("/metrics: %d", res.StatusCode)
	}
	return string(b)
}

func spanNames(spans tracetest.SpanStubs) []string {
	out := make([]string, 0, len(spans))
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}

// With METRICS_ADDR set, /metrics and pprof live on the internal listener
// only; the public listener no longer serves /metrics.
func TestInternalListenerServesMetricsAndPprof(t *testing.T) {
	t.Parallel()
	env := startServer(t, map[string]string{"METRICS_ADDR": "127.0.0.1:0"})
	res, err := http.Get(env.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != 404 {
		t.Fatalf("public /metrics with METRICS_ADDR set: %d", res.StatusCode)
	}
	internal := httptest.NewServer(env.app.internal)
	defer internal.Close()
	for path, want := range map[string]string{
		"/metrics":      "http_requests_total",
		"/debug/pprof/": "goroutine",
		"/readyz":       `"ready"`,
		"/healthz":      `"ok"`,
	} {
		res, err := http.Get(internal.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		_ = res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Fatalf("internal %s: %d %.200s", path, res.StatusCode, b)
		}
		if res.Header.Get("X-Request-ID") == "" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("internal %s without the headers every response carries: %v", path, res.Header)
		}
	}
}
