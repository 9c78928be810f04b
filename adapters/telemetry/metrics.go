// Package telemetry holds the service's signals: Prometheus metrics on a
// registry of our own, zap JSON logs and OpenTelemetry traces. Other packages
// record through the small types here; nothing uses a global registry.
package telemetry

import (
	"runtime"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"agora/ports/identity"
	"agora/ports/social"
)

// BuildInfo describes the running binary; it is exported as agora_build_info.
type BuildInfo struct {
	Version   string
	Revision  string
	GoVersion string
}

// ReadBuildInfo takes the revision from the VCS stamp the Go toolchain
// writes into the binary, and the version from the build's -ldflags.
func ReadBuildInfo(version string) BuildInfo {
	b := BuildInfo{Version: version, Revision: "unknown", GoVersion: runtime.Version()}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				b.Revision = s.Value
			}
		}
	}
	if b.Version == "" {
		b.Version = "dev"
	}
	return b
}

// durationBuckets resolve 1 ms to 10 s, enough for SLOs and alerts on p95/p99.
var durationBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// Metrics is the service's Prometheus registry and the instruments the
// adapters record into.
type Metrics struct {
	Registry *prometheus.Registry

	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge

	loginAttempts      *prometheus.CounterVec
	registrations      prometheus.Counter
	postsCreated       prometheus.Counter
	connectionRequests *prometheus.CounterVec
}

// counter and counterVec build the counters NewMetrics declares, one line
// each, so the list reads as names and help texts.
func counter(name, help string) prometheus.Counter {
	return prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
}

func counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
}

// NewMetrics creates the registry with the Go and process collectors, the
// build info and the HTTP and domain instruments.
func NewMetrics(build BuildInfo) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		requests: counterVec("http_requests_total",
			"HTTP requests answered, by method, route template and status code.", "method", "route", "status"),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_request_duration_seconds",
			Help:    "Time from the first middleware to the response, by method and route template.",
			Buckets: durationBuckets,
		}, []string{"method", "route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "http_requests_in_flight",
			Help: "HTTP requests being served right now.",
		}),
		loginAttempts: counterVec("auth_login_attempts_total",
			"Password guesses (logins and the current_password of password changes) by result: success, invalid_credentials, rate_limited, error.",
			"result"),
		registrations: counter("agora_registrations_total", "Accounts registered."),
		postsCreated:  counter("agora_posts_created_total", "Posts created."),
		connectionRequests: counterVec("agora_connection_requests_total",
			"Connection request events by outcome: sent, accepted, declined, withdrawn.", "outcome"),
	}
	buildInfo := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "agora_build_info",
		Help: "Always 1; labels describe the running build.",
	}, []string{"version", "revision", "goversion"})
	buildInfo.WithLabelValues(build.Version, build.Revision, build.GoVersion).Set(1)

	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		buildInfo, m.requests, m.duration, m.inFlight,
		m.loginAttempts, m.registrations, m.postsCreated, m.connectionRequests,
	)
	// Pre-create the label values that dashboards and alerts divide by, so
	// their series exist (at 0) before the first event.
	for _, r := range identity.LoginResults() {
		m.loginAttempts.WithLabelValues(r)
	}
	for _, o := range []string{social.OutcomeSent, social.OutcomeAccepted, social.OutcomeDeclined, social.OutcomeWithdrawn} {
		m.connectionRequests.WithLabelValues(o)
	}
	return m
}

// RequestStarted counts a request in flight; call the returned func when it ends.
func (m *Metrics) RequestStarted() func() {
	m.inFlight.Inc()
	return m.inFlight.Dec
}

// ObserveRequest records one answered request. route must be a template or
// the fixed label for unmatched paths, never a raw path; method and status
// are brought into closed sets here (MethodLabel, StatusLabel), so that no
// request can mint a new series.
func (m *Metrics) ObserveRequest(method, route string, status int, elapsed time.Duration) {
	method = MethodLabel(method)
	m.requests.WithLabelValues(method, route, StatusLabel(status)).Inc()
	m.duration.WithLabelValues(method, route).Observe(elapsed.Seconds())
}

// OtherMethod is the one label for every method outside RFC 9110's and
// PATCH, as Prometheus' own instrumentation libraries do.
const OtherMethod = "OTHER"

// knownMethods are the methods of RFC 9110 and RFC 5789 (PATCH). Methods
// are case-sensitive, so "get" is not GET.
var knownMethods = map[string]bool{
	"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true,
	"OPTIONS": true, "CONNECT": true, "TRACE": true,
}

// MethodLabel returns method when it is a standard method, else OtherMethod:
// a client can send any token as a method, and each would be a new series.
func MethodLabel(method string) string {
	if knownMethods[method] {
		return method
	}
	return OtherMethod
}

// StatusLabel is the status code as a label; anything outside 100-599
// (which a handler should never write) becomes "other".
func StatusLabel(status int) string {
	if status < 100 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status)
}

// LoginAttempt counts a login by result (success, invalid_credentials, rate_limited, error).
func (m *Metrics) LoginAttempt(result string) { m.loginAttempts.WithLabelValues(result).Inc() }

// Registered counts a new account.
func (m *Metrics) Registered() { m.registrations.Inc() }

// PostCreated counts a new post.
func (m *Metrics) PostCreated() { m.postsCreated.Inc() }

// ConnectionRequest counts a connection request event by outcome.
func (m *Metrics) ConnectionRequest(outcome string) {
	m.connectionRequests.WithLabelValues(outcome).Inc()
}
