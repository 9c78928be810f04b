package http

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"

	"agora/adapters/telemetry"
)

// Anyone can send any method to any path. A thousand invented methods and
// paths must not add a single series once the closed sets (OTHER,
// "unmatched", the status codes the server answers) are in use.
func TestRandomMethodsAndPathsKeepSeriesConstant(t *testing.T) {
	t.Parallel()
	m := telemetry.NewMetrics(telemetry.BuildInfo{Version: "test"})
	s := newServer(t, Options{Metrics: m})
	send := func(method, path string) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Method = method
		s.ServeHTTP(httptest.NewRecorder(), req)
	}
	// Warm up every label combination the random requests can reach.
	for _, p := range []string{"/healthz", "/nowhere", "/api/v1/nowhere"} {
		for _, meth := range []string{"ZQ", "GET", "POST", "HEAD"} {
			send(meth, p)
		}
	}
	before := countSeries(t, m)
	for i := range 1000 {
		method := fmt.Sprintf("ZQ%d%X", i, rand.Uint32())
		path := fmt.Sprintf("/%x/%d", rand.Uint64(), i)
		switch i % 4 {
		case 0:
			path = "/healthz"
		case 1:
			path = "/api/v1/" + path
		case 2:
			method = []string{"GET", "POST", "HEAD"}[i%3]
		}
		send(method, path)
	}
	if after := countSeries(t, m); after != before {
		t.Fatalf("series grew from %d to %d after 1000 random methods and paths", before, after)
	}
}

func countSeries(t *testing.T, m *telemetry.Metrics) int {
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
