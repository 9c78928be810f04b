package telemetry_test

import (
	"context"
	"net/http"
	"testing"

	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"agora/adapters/telemetry"
)

// Tracing is off unless an OTLP endpoint is configured, and OTEL_SDK_DISABLED
// wins over the endpoint; off means no tracer at all, so the HTTP
// middleware and pgx skip every hook.
func TestTracingIsOffWithoutAnEndpoint(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		env map[string]string
		on  bool
	}{
		{map[string]string{}, false},
		{map[string]string{"OTEL_SERVICE_NAME": "agora"}, false},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_SDK_DISABLED": "true"}, false},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, true},
		{map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces"}, true},
	} {
		tr, err := telemetry.NewTracing(ctx, tc.env, telemetry.BuildInfo{Version: "test"})
		if err != nil {
			t.Fatalf("%v: %v", tc.env, err)
		}
		if on := tr.Tracer() != nil; on != tc.on || (tr.QueryTracer() != nil) != tc.on {
			t.Errorf("%v: tracer %v, query tracer %v, want on=%v", tc.env, tr.Tracer(), tr.QueryTracer(), tc.on)
		}
		if tr.Propagator == nil {
			t.Errorf("%v: no propagator", tc.env)
		}
		if err := tr.Shutdown(ctx); err != nil {
			t.Errorf("%v: shutdown: %v", tc.env, err)
		}
	}
}

// Spans started with the tracer reach the span processor, and the
// propagator writes the W3C traceparent of the current span.
func TestSDKTracingExportsSpansAndPropagates(t *testing.T) {
	t.Parallel()
	exp := tracetest.NewInMemoryExporter()
	tr := telemetry.NewSDKTracing(sdktrace.NewSimpleSpanProcessor(exp), nil)
	ctx, span := tr.Tracer().Start(context.Background(), "GET /healthz")
	h := http.Header{}
	tr.Propagator.Inject(ctx, propagation.HeaderCarrier(h))
	span.End()
	spans := exp.GetSpans() // before Shutdown, which empties the exporter
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(spans) != 1 || spans[0].Name != "GET /healthz" {
		t.Fatalf("spans %+v", spans)
	}
	want := "00-" + spans[0].SpanContext.TraceID().String() + "-" + spans[0].SpanContext.SpanID().String() + "-01"
	if got := h.Get("Traceparent"); got != want {
		t.Errorf("traceparent %q, want %q", got, want)
	}
}
