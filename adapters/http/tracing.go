package http

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"

	"agora/adapters/telemetry"
)

// startSpan continues the caller's trace (W3C traceparent) or starts one,
// names the span after the route template, and returns the span's
// traceparent so a client can find its trace.
func (s *Server) startSpan(c echo.Context, route string) trace.Span {
	req := c.Request()
	ctx := req.Context()
	if s.opts.Propagator != nil {
		ctx = s.opts.Propagator.Extract(ctx, propagation.HeaderCarrier(req.Header))
	}
	method := telemetry.MethodLabel(req.Method)
	attrs := []attribute.KeyValue{semconv.HTTPRequestMethodKey.String(method)}
	if method == telemetry.OtherMethod {
		// The semantic conventions' _OTHER, with the original (bounded) beside it.
		attrs = []attribute.KeyValue{
			semconv.HTTPRequestMethodKey.String("_OTHER"),
			attribute.String("http.request.method_original", truncate(req.Method, 64)),
		}
	}
	ctx, span := s.opts.Tracer.Start(ctx, method+" "+route,
		trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attrs...),
		trace.WithAttributes(
			semconv.HTTPRoute(route),
			semconv.URLPath(req.URL.Path),
			semconv.ClientAddress(c.RealIP()),
			semconv.UserAgentOriginal(req.UserAgent()),
			attribute.String("http.request_id", requestIDOf(c)),
		))
	c.SetRequest(req.WithContext(ctx))
	if s.opts.Propagator != nil {
		s.opts.Propagator.Inject(ctx, propagation.HeaderCarrier(c.Response().Header()))
	}
	return span
}

// truncate cuts s to at most n bytes.
func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// endSpan records the status; 5xx marks the span as an error (4xx are the
// client's, per the HTTP semantic conventions for servers).
func endSpan(span trace.Span, status int) {
	span.SetAttributes(semconv.HTTPResponseStatusCode(status))
	if status >= http.StatusInternalServerError {
		span.SetStatus(codes.Error, http.StatusText(status))
	}
	span.End()
}

// traceFields links a log line to its trace when the request is traced.
func traceFields(ctx context.Context) []zap.Field {
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() {
		return nil
	}
	return []zap.Field{zap.String("trace_id", sc.TraceID().String()), zap.String("span_id", sc.SpanID().String())}
}
