package telemetry_test

import (
	"maps"
	"slices"
	"testing"

	"agora/adapters/telemetry"
	"agora/ports/identity"
	"agora/ports/social"
)

// The domain counters' label sets are closed and complete from the start:
// every login result the identity service and the HTTP rate limiter
// report, and every outcome the social service reports, is a series at 0
// before the first event (dashboards divide by them), and counting each
// once adds no series.
func TestDomainCounterLabelSetsAreClosed(t *testing.T) {
	t.Parallel()
	m := telemetry.NewMetrics(telemetry.BuildInfo{Version: "v1.2.3", Revision: "abc123", GoVersion: "go1.26"})
	results := []string{identity.LoginSuccess, identity.LoginInvalidCredentials, identity.LoginError, identity.LoginRateLimited}
	outcomes := []string{social.OutcomeSent, social.OutcomeAccepted, social.OutcomeDeclined, social.OutcomeWithdrawn}
	want := func(what, metric, label string, values []string, n float64) {
		t.Helper()
		got := byLabel(t, m, metric, label)
		if !slices.Equal(slices.Sorted(maps.Keys(got)), slices.Sorted(slices.Values(values))) {
			t.Errorf("%s: %s{%s} series %v, want exactly %v", what, metric, label, got, values)
		}
		for v, c := range got {
			if c != n {
				t.Errorf("%s: %s{%s=%q} = %v, want %v", what, metric, label, v, c, n)
			}
		}
	}
	want("new registry", "auth_login_attempts_total", "result", results, 0)
	want("new registry", "agora_connection_requests_total", "outcome", outcomes, 0)
	for _, r := range results {
		m.LoginAttempt(r)
	}
	for _, o := range outcomes {
		m.ConnectionRequest(o)
	}
	m.Registered()
	m.PostCreated()
	want("each counted once", "auth_login_attempts_total", "result", results, 1)
	want("each counted once", "agora_connection_requests_total", "outcome", outcomes, 1)
	for _, name := range []string{"agora_registrations_total", "agora_posts_created_total"} {
		if got := byLabel(t, m, name, ""); len(got) != 1 || got[""] != 1 {
			t.Errorf("%s = %v, want one unlabelled series at 1", name, got)
		}
	}
}

// agora_build_info is one series at 1 whose labels are exactly version,
// revision and goversion.
func TestBuildInfoIsOneSeries(t *testing.T) {
	t.Parallel()
	m := telemetry.NewMetrics(telemetry.BuildInfo{Version: "v1.2.3", Revision: "abc123", GoVersion: "go1.26"})
	var found []sample
	for _, s := range scrape(t, m) {
		if s.name == "agora_build_info" {
			found = append(found, s)
		}
	}
	want := map[string]string{"version": "v1.2.3", "revision": "abc123", "goversion": "go1.26"}
	if len(found) != 1 || found[0].value != 1 || !maps.Equal(found[0].labels, want) {
		t.Fatalf("agora_build_info: %+v, want one series at 1 labelled %v", found, want)
	}
}

// byLabel maps the value of label (or "" for an unlabelled metric) to each
// series' value.
func byLabel(t *testing.T, m *telemetry.Metrics, metric, label string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for _, s := range scrape(t, m) {
		if s.name == metric {
			out[s.labels[label]] = s.value
		}
	}
	return out
}
