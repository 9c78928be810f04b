package telemetry_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"agora/adapters/telemetry"
)

func TestMethodLabelIsAClosedSet(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"GET": "GET", "HEAD": "HEAD", "POST": "POST", "PUT": "PUT", "PATCH": "PATCH", "DELETE": "DELETE",
		"OPTIONS": "OPTIONS", "CONNECT": "CONNECT", "TRACE": "TRACE",
		"get": "OTHER", "ZQ1": "OTHER", "": "OTHER", "PROPFIND": "OTHER", "GET ": "OTHER",
	} {
		if got := telemetry.MethodLabel(in); got != want {
			t.Errorf("MethodLabel(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[int]string{200: "200", 499: "499", 599: "599", 0: "other", 99: "other", 600: "other", -1: "other"} {
		if got := telemetry.StatusLabel(in); got != want {
			t.Errorf("StatusLabel(%d) = %q, want %q", in, got, want)
		}
	}
}

// A thousand invented methods make one OTHER series, not a thousand.
func TestInventedMethodsShareOneSeries(t *testing.T) {
	t.Parallel()
	m := telemetry.NewMetrics(telemetry.BuildInfo{Version: "test"})
	m.ObserveRequest("GET", "/healthz", 200, time.Millisecond)
	before := seriesOf(t, m)
	m.ObserveRequest("ZQ0", "/healthz", 405, time.Millisecond)
	withOther := seriesOf(t, m)
	for i := range 1000 {
		m.ObserveRequest(fmt.Sprintf("ZQ%d%x", i, rand.Uint64()), "/healthz", 405, time.Millisecond)
		m.ObserveRequest("GET", "/healthz", 200+i%2*(rand.IntN(1000)+1000), time.Millisecond)
	}
	after := seriesOf(t, m)
	// One OTHER series per metric, one "other" status series: nothing more.
	if withOther != before+2 || after != withOther+1 {
		t.Fatalf("series: %d before, %d with one invented method, %d after 1000 more", before, withOther, after)
	}
}

// seriesOf counts the series of the two HTTP metrics.
func seriesOf(t *testing.T, m *telemetry.Metrics) int {
	t.Helper()
	n := 0
	for _, s := range scrape(t, m) {
		if s.name == "http_requests_total" || s.name == "http_request_duration_seconds" {
			n++
		}
	}
	return n
}

// sample is one series as a scrape shows it.
type sample struct {
	name, typ string // the metric's name and type (COUNTER, GAUGE...)
	labels    map[string]string
	value     float64 // of a counter or a gauge
}

// scrape gathers every series of the registry.
func scrape(t *testing.T, m *telemetry.Metrics) []sample {
	t.Helper()
	mfs, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []sample
	for _, mf := range mfs {
		for _, s := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range s.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			v := s.GetCounter().GetValue() + s.GetGauge().GetValue() // the one that is not nil
			out = append(out, sample{mf.GetName(), mf.GetType().String(), labels, v})
		}
	}
	return out
}
