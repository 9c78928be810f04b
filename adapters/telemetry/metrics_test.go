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
	mfs, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, mf := range mfs {
		if name := mf.GetName(); name == "http_requests_total" || name == "http_request_duration_seconds" {
			n += len(mf.GetMetric())
		}
	}
	return n
}
