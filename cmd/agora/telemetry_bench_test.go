package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.uber.org/zap"

	httpapi "agora/adapters/http"
	"agora/adapters/jwt/jwttest"
	"agora/adapters/mail"
	"agora/adapters/password"
	"agora/adapters/postgres"
	"agora/adapters/postgres/pgtest"
	"agora/adapters/telemetry"
	"agora/ports/identity"
	"agora/ports/identity/identitytest"
	"agora/ports/social"
	"agora/ports/social/socialtest"
)

// BenchmarkTelemetryOverhead serves GET /readyz (one real round trip to
// PostgreSQL, like a cheap API read) through the full middleware chain,
// with every signal off, then with metrics and request logs (production
// default), then with tracing too. Compare ns/op:
//
//	go test -run '^$' -bench TelemetryOverhead -benchtime 3s ./cmd/agora
func BenchmarkTelemetryOverhead(b *testing.B) {
	ctx := context.Background()
	dbURL := pgtest.NewDatabase(b)
	pool, err := postgres.Open(ctx, dbURL, postgres.PoolOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	ready, err := postgres.NewReadiness(pool)
	if err != nil {
		b.Fatal(err)
	}
	jsonLog, err := telemetry.NewLogger("info", io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	tracing := telemetry.NewSDKTracing(sdktrace.NewBatchSpanProcessor(tracetest.NewNoopExporter()), nil)
	benchVariants(b, "/readyz", []telemetryVariant{
		{"off", httpapi.Options{Logger: zap.NewNop(), Ready: ready.Check}},
		{"metrics+logs", httpapi.Options{Logger: jsonLog, Metrics: telemetry.NewMetrics(buildInfo()), Ready: ready.Check}},
		{"metrics+logs+traces", httpapi.Options{Logger: jsonLog, Metrics: telemetry.NewMetrics(buildInfo()), Ready: ready.Check,
			Tracer: tracing.Tracer(), Propagator: tracing.Propagator}},
	})
}

// BenchmarkTelemetryCost isolates the signals' own cost on a handler that
// does nothing (/healthz): the difference between variants is what
// telemetry adds to every request, to set against a real handler's time
// from BenchmarkTelemetryOverhead.
func BenchmarkTelemetryCost(b *testing.B) {
	jsonLog, err := telemetry.NewLogger("info", io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	benchVariants(b, "/healthz", []telemetryVariant{
		{"off", httpapi.Options{Logger: zap.NewNop()}},
		{"metrics+logs", httpapi.Options{Logger: jsonLog, Metrics: telemetry.NewMetrics(buildInfo())}},
	})
}

// telemetryVariant is one server set-up the benchmarks compare.
type telemetryVariant struct {
	name string
	opts httpapi.Options
}

// benchVariants times GET path on each variant's server, one sub-benchmark
// per variant; an answer other than 200 fails it.
func benchVariants(b *testing.B, path string, variants []telemetryVariant) {
	ids, soc := benchServices(b)
	for _, v := range variants {
		v.opts.Identity, v.opts.Social = ids, soc
		srv, err := httpapi.New(v.opts)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d", rec.Code)
				}
			}
		})
	}
}

// benchServices are the services httpapi.New requires, over the in-memory
// fakes of their stores: the benchmarked paths never reach a use case.
func benchServices(b *testing.B) (httpapi.IdentityDeps, httpapi.SocialDeps) {
	issuer := jwttest.Issuer(b)
	mailer, err := mail.NewDir(b.TempDir(), "agora@example.com")
	if err != nil {
		b.Fatal(err)
	}
	ids, err := identity.New(identity.Config{AccessTTL: time.Hour, RefreshTTL: 24 * time.Hour}, identity.Deps{
		Store: identitytest.NewMemStore(), Hasher: password.New(password.OWASPLowMemory, 1, 0), Tokens: issuer, Mailer: mailer,
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = ids.Close(context.Background()) })
	soc, err := social.New(social.Deps{Store: socialtest.NewMemStore()})
	if err != nil {
		b.Fatal(err)
	}
	return httpapi.IdentityDeps{Service: ids, JWKS: issuer.JWKS()}, httpapi.SocialDeps{Service: soc}
}
