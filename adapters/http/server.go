// Package http is the REST adapter: an Echo server with the middleware chain
// of the contract (request ID, recovery, telemetry, security headers, body
// limit, rate limits, authentication), strict JSON decoding into DTOs, and the
// one place where domain errors become problem+json responses.
package http

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"

	"agora/adapters/telemetry"
)

// Options configures the server. Services and checks come from cmd/agora;
// Identity.Service and Social.Service are required, the rest optional.
type Options struct {
	Logger  *zap.Logger
	Metrics *telemetry.Metrics
	// Tracer starts a server span per request when set; Propagator reads and
	// writes W3C traceparent headers.
	Tracer     trace.Tracer
	Propagator propagation.TextMapPropagator
	// Ready reports whether the service can serve (database up, schema current).
	Ready func(context.Context) error
	// TrustedProxies are the peers whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
	// RateLimiter enforces the budgets; nil switches rate limiting off.
	RateLimiter *RateLimiter
	// RequestTimeout bounds each request's context, and so its SQL.
	RequestTimeout time.Duration
	// SeparateMetrics moves /metrics (and pprof) to the internal listener.
	SeparateMetrics bool
	// OpenAPISpec is served at /api/v1/openapi.yaml; Docs renders it at /docs.
	OpenAPISpec []byte
	Docs        http.Handler
	DocsCSP     string

	Identity IdentityDeps
	Social   SocialDeps
}

// bodyLimit is 64 KiB (65,536 bytes: a body of exactly that size passes,
// one byte more is refused). Echo reads "64K" as 64,000 bytes, hence KiB.
const bodyLimit = "64KiB"

// Server is the public API's HTTP handler.
type Server struct {
	echo   *echo.Echo
	log    *zap.Logger
	opts   Options
	routes map[string]bool
}

// New builds the router and the middleware chain. A missing identity or
// social service is a wiring error reported here, at start-up, as the use
// cases' New reports a missing store: every route of the contract is
// mounted and served, none answers 404 or 503 because a service was left out.
func New(opts Options) (*Server, error) {
	if opts.Identity.Service == nil || opts.Social.Service == nil {
		return nil, errors.New("http: Identity.Service and Social.Service are required")
	}
	if opts.Logger == nil {
		opts.Logger = zap.NewNop()
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 10 * time.Second
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = ipExtractor(opts.TrustedProxies)
	s := &Server{echo: e, log: opts.Logger, opts: opts}
	e.HTTPErrorHandler = s.handleError

	// Order matters: the request ID first so every later line carries it;
	// recovery inside telemetry so a panic is still logged and counted as 500.
	e.Use(requestID, s.telemetry, s.recover, securityHeaders, headerLimit, strictQuery, decodePathParams,
		middleware.BodyLimit(bodyLimit), s.deadline(opts.RequestTimeout))

	get(e, "/healthz", s.healthz)
	get(e, "/readyz", s.readyz)
	if !opts.SeparateMetrics && opts.Metrics != nil {
		get(e, "/metrics", echo.WrapHandler(s.metricsHandler()))
	}
	if opts.Docs != nil {
		get(e, "/docs", s.docs, s.rateLimit)
		get(e, "/docs/*", s.docs, s.rateLimit)
	}

	// The API's own middleware runs by path prefix rather than as group
	// middleware: Echo registers a catch-all route for a group with
	// middleware, which would turn every 405 under /api/v1 into a 404.
	e.Use(s.under("/api/v1/", noStore, s.rateLimit))
	api := e.Group("/api/v1")
	if opts.OpenAPISpec != nil {
		get(api, "/openapi.yaml", s.openAPI)
	}
	s.registerIdentityRoutes(e, api)
	s.registerSocialRoutes(api)

	s.routes = map[string]bool{}
	for _, r := range e.Routes() {
		s.routes[r.Path] = true
	}
	return s, nil
}

// getHead is what get registers: RFC 9110 requires every GET resource to
// answer HEAD too (load balancers and uptime probes use it). net/http sends
// the same status and headers without the body.
var getHead = []string{http.MethodGet, http.MethodHead}

// router is what both *echo.Echo and *echo.Group offer for registering.
type router interface {
	Match(methods []string, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) []*echo.Route
}

// get registers a GET route and its HEAD twin; every GET route goes
// through here (TestEveryGETRouteAnswersHEAD checks that none is missed).
func get(r router, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
	r.Match(getHead, path, h, m...)
}

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// InternalHandler serves /metrics, /healthz, /readyz and pprof on the
// internal listener (METRICS_ADDR), which Nginx never exposes.
func (s *Server) InternalHandler() http.Handler {
	mux := http.NewServeMux()
	if s.opts.Metrics != nil {
		mux.Handle("GET /metrics", s.metricsHandler())
	}
	mux.Handle("GET /healthz", s)
	mux.Handle("GET /readyz", s)
	registerPprof(mux)
	return internalHeaders(mux)
}

// internalHeaders gives the internal listener's own answers (metrics,
// pprof) the request ID and security headers every response carries; the
// health endpoints get them from the API's chain.
func internalHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(headerRequestID)
		if !validRequestID.MatchString(id) {
			id = uuid.NewString()
			r.Header.Set(headerRequestID, id) // the API chain keeps it for /healthz and /readyz
		}
		h := w.Header()
		h.Set(headerRequestID, id)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.opts.Metrics.Registry, promhttp.HandlerOpts{
		ErrorLog:          zap.NewStdLog(s.log),
		EnableOpenMetrics: false,
	})
}

// Timeouts protect a listener from slow and hostile clients.
type Timeouts struct {
	ReadHeader time.Duration // slowloris: the whole header must arrive within this
	Read       time.Duration // the whole request, body included
	Write      time.Duration // from the end of the header to the end of the response
	Idle       time.Duration // keep-alive connections between requests
	// HeaderHardCap is the most a request line and its headers may take
	// before net/http stops reading and answers 431 itself (a memory bound).
	// It lies above the API's own 16 KiB limit (MaxHeaderBytes), so that
	// every request up to it gets the API's 431 problem with the request's
	// X-Request-ID; net/http allows 4 KiB more than its own MaxHeaderBytes,
	// and NewHTTPServer takes that slack off.
	HeaderHardCap int
}

// netHTTPHeaderSlack is what net/http adds to Server.MaxHeaderBytes before it
// answers 431 (its bufio slop).
const netHTTPHeaderSlack = 4096

// DefaultTimeouts suit a public API behind Nginx.
func DefaultTimeouts() Timeouts {
	return Timeouts{
		ReadHeader:    5 * time.Second,
		Read:          15 * time.Second,
		Write:         30 * time.Second,
		Idle:          120 * time.Second,
		HeaderHardCap: 2 * MaxHeaderBytes,
	}
}

// NewHTTPServer wraps a handler with the given timeouts.
func NewHTTPServer(addr string, h http.Handler, log *zap.Logger, t Timeouts) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    max(1, t.HeaderHardCap-netHTTPHeaderSlack),
		ErrorLog:          zap.NewStdLog(log.Named("http")),
	}
}

// ipExtractor believes X-Forwarded-For only from trusted proxies. Echo trusts
// loopback and private ranges by default; we trust exactly what is configured.
func ipExtractor(trusted []netip.Prefix) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range trusted {
		p = p.Masked()
		opts = append(opts, echo.TrustIPRange(&net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}
