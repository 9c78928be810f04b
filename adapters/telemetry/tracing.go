package telemetry

import (
	"context"
	"fmt"
	"os"

	"github.com/exaring/otelpgx"
	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

// Tracing is the service's tracer provider and W3C propagator. It is passed
// to the HTTP middleware and the pgx tracer rather than installed globally.
type Tracing struct {
	Provider   trace.TracerProvider
	Propagator propagation.TextMapPropagator
	enabled    bool
	shutdown   func(context.Context) error
}

// NewTracing exports spans over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT
// (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set; otherwise tracing is a
// no-op that costs next to nothing. The exporter itself reads the other
// standard OTEL_* variables (headers, timeout, protocol details).
func NewTracing(ctx context.Context, env map[string]string, build BuildInfo) (*Tracing, error) {
	t := &Tracing{
		Propagator: propagator(),
		Provider:   tracenoop.NewTracerProvider(),
		shutdown:   func(context.Context) error { return nil },
	}
	if env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "" && env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] == "" {
		return t, nil
	}
	if env["OTEL_SDK_DISABLED"] == "true" {
		return t, nil
	}
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_ENDPOINT: %w", err)
	}
	name := env["OTEL_SERVICE_NAME"]
	if name == "" {
		name = "agora"
	}
	host, _ := os.Hostname()
	res := resource.NewWithAttributes(semconv.SchemaURL,
		semconv.ServiceName(name), semconv.ServiceVersion(build.Version), semconv.HostName(host))
	return NewSDKTracing(sdktrace.NewBatchSpanProcessor(exp), res), nil
}

// NewSDKTracing traces through an SDK provider around the span processor:
// NewTracing's OTLP batch exporter, or an in-memory one in tests. Sampling
// follows the parent, so a caller's traceparent decides; root spans are
// always sampled unless OTEL_TRACES_SAMPLER says otherwise.
func NewSDKTracing(sp sdktrace.SpanProcessor, res *resource.Resource) *Tracing {
	opts := []sdktrace.TracerProviderOption{sdktrace.WithSpanProcessor(sp)}
	if res != nil {
		opts = append(opts, sdktrace.WithResource(res))
	}
	tp := sdktrace.NewTracerProvider(opts...)
	return &Tracing{
		Provider:   tp,
		Propagator: propagator(),
		enabled:    true,
		shutdown:   tp.Shutdown,
	}
}

func propagator() propagation.TextMapPropagator {
	return propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
}

// Shutdown flushes pending spans.
func (t *Tracing) Shutdown(ctx context.Context) error { return t.shutdown(ctx) }

// Tracer returns the tracer the HTTP adapter starts server spans with, or
// nil when tracing is off (the middleware then skips all span work).
func (t *Tracing) Tracer() trace.Tracer {
	if !t.enabled {
		return nil
	}
	return t.Provider.Tracer("agora/http")
}

// QueryTracer makes a child span for every SQL statement on the pool, or is
// nil when tracing is off, so pgx skips the hooks entirely.
func (t *Tracing) QueryTracer() pgx.QueryTracer {
	if !t.enabled {
		return nil
	}
	return otelpgx.NewTracer(
		otelpgx.WithTracerProvider(t.Provider),
		otelpgx.WithMeterProvider(noop.NewMeterProvider()),
		otelpgx.WithDisableConnectionDetailsInAttributes(),
	)
}
