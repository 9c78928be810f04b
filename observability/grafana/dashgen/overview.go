package main

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// user traffic: the SLI recording rules leave out probes and scrapes.
const sliNote = " Probes and scrapes (/healthz, /readyz, /metrics) are left out, as in the alerts."

// overview is the backend's RED view with the edge in front of it
// (agora-overview.json).
func overview() board {
	sel := `job="agora",route=~"$route"`
	return board{
		uid: "agora-overview", title: "Agora / Service overview", refresh: "30s",
		desc: "RED view of the Agora backend and the edge in front of it: rate, errors and latency by route, in-flight requests, the database pool, and what Nginx and the outside-in probe see. Uses the recording rules of prometheus/rules/*.yml, the same numbers the alerts use.",
		tags: []string{"agora", "backend"},
		vars: []cog.Builder[dashboard.VariableModel]{promVar("route", "Route", `label_values(http_requests_total{job="agora"}, route)`)},
		rows: []row{
			{"Now", []panel{
				stat1("Request rate", "User requests per second over all routes (5 minute rate, recording rule job:http_requests:rate5m)."+sliNote, "reqps",
					`sum(job:http_requests:rate5m{job="agora"})`),
				stat1("5xx error ratio", "Share of user requests answered with a 5xx status over 5 minutes. AgoraHighErrorRate fires above 5 % for 2 minutes with at least 0.1 req/s."+sliNote, "percentunit",
					`sum(job:http_requests_errors:rate5m{job="agora"}) / sum(job:http_requests:rate5m{job="agora"})`, threshold{"orange", 0.01}, threshold{"red", 0.05}),
				stat1("p95 latency", "95th percentile of user request duration over 5 minutes. AgoraHighLatency fires above 500 ms for 10 minutes."+sliNote, "s",
					`max(job:http_request_duration_seconds:p95_rate5m{job="agora"})`, threshold{"orange", 0.25}, threshold{"red", 0.5}),
				stat1("In-flight requests", "Requests being served right now (http_requests_in_flight).", "short",
					`sum(http_requests_in_flight{job="agora"})`),
				stat1("DB pool used", "Share of the pgx pool's connections checked out. AgoraDBPoolExhausted fires at 90 % for 5 minutes.", "percentunit",
					`max(job:db_pool_utilisation:ratio{job="agora"})`, threshold{"orange", 0.7}, threshold{"red", 0.9}),
				{kind: "stat", title: "Backend up", desc: "1 when Prometheus scrapes the backend's internal listener, 0 when it is down (AgoraBackendDown after 1 minute).", unit: "bool_yes_no",
					targets: t1(`min(up{job="agora"})`, ""), w: 4, h: 4, noGraph: true},
			}},
			{"Edge (Nginx and the outside-in probe)", []panel{
				stat1("Edge 5xx ratio", "Share of Nginx's responses with a 5xx status over 5 minutes, counted by Alloy from the access log (health probes left out). EdgeHighErrorRate fires above 5 % for 2 minutes.", "percentunit",
					`max(host:agora_edge_http_responses_5xx:ratio_rate5m)`, threshold{"orange", 0.01}, threshold{"red", 0.05}),
				stat1("Edge requests", "Responses per second Nginx sent, health probes left out (Alloy's access-log counter).", "reqps",
					`sum(host:agora_edge_http_responses:rate5m)`),
				{kind: "stat", title: "Public URL probe", desc: "1 when the blackbox exporter's GET of the public https URL's /healthz succeeds (DNS, verified TLS, Nginx, backend). BlackboxProbeFailed fires after 2 minutes at 0.", unit: "bool_yes_no",
					targets: t1(`min(probe_success{job="blackbox"})`, ""), w: 4, h: 4, base: "red", steps: []threshold{{"green", 1}}, noGraph: true},
				{kind: "stat", title: "Served certificate expires in", desc: "Time left on the certificate chain Nginx actually serves (blackbox probe). ServedCertExpiring warns at 14 days.", unit: "s",
					targets: t1(`min(probe_ssl_earliest_cert_expiry{job="blackbox"}) - time()`, ""), w: 4, h: 4, base: "red", steps: []threshold{{"orange", 3 * 86400}, {"green", 14 * 86400}}},
				{kind: "stat", title: "Nginx up", desc: "1 when the nginx exporter reads stub_status (NginxDown after 1 minute at 0).", unit: "bool_yes_no",
					targets: t1(`min(nginx_up{job="nginx"})`, ""), w: 4, h: 4, base: "red", steps: []threshold{{"green", 1}}, noGraph: true},
				stat1("Active connections", "Client connections open at Nginx (stub_status), including idle keep-alive ones.", "short",
					`sum(nginx_connections_active{job="nginx"})`),
				ts("Edge responses by class", "Responses per second at Nginx: all, 5xx (502/504 when the backend is down or slow) and 429 (rate limited), health probes left out.", "reqps", 12, []target{
					{`sum(host:agora_edge_http_responses:rate5m)`, "all"},
					{`sum(host:agora_edge_http_responses_5xx:rate5m)`, "5xx"},
					{`sum(host:agora_edge_http_responses_429:rate5m)`, "429"},
				}),
				func() panel {
					p := ts("Edge 5xx ratio", "Share of 5xx in Nginx's responses over 5 minutes; the red line is EdgeHighErrorRate's 5 %.", "percentunit", 12,
						t1(`host:agora_edge_http_responses_5xx:ratio_rate5m`, "{{host}}"), threshold{"red", 0.05})
					p.min = f(0)
					return p
				}(),
				ts("Probe duration by phase", "Seconds the blackbox probe of the public URL spent in each phase (resolve, connect, tls, processing, transfer).", "s", 12,
					t1(`sum by (phase) (probe_http_duration_seconds{job="blackbox"})`, "{{phase}}")),
				ts("Nginx connections", "Connections at Nginx by state (stub_status): reading, writing, waiting (keep-alive).", "short", 12, []target{
					{`sum(nginx_connections_reading{job="nginx"})`, "reading"},
					{`sum(nginx_connections_writing{job="nginx"})`, "writing"},
					{`sum(nginx_connections_waiting{job="nginx"})`, "waiting"},
				}),
			}},
			{"Rate and errors", []panel{
				ts("Requests per second by route", "Request rate per Echo route template (unmatched paths are route=\"unmatched\"), probes included.", "reqps", 12,
					t1(`sum by (route) (rate(http_requests_total{`+sel+`}[$__rate_interval]))`, "{{route}}")),
				ts("Requests per second by status", "Request rate per HTTP status code, all selected routes, probes included.", "reqps", 12,
					t1(`sum by (status) (rate(http_requests_total{`+sel+`}[$__rate_interval]))`, "{{status}}")),
				ts("5xx error ratio by route", "Share of 5xx answers per route over 5 minutes (recording rules job_route:*). The red line is the alert threshold of 5 %."+sliNote, "percentunit", 12,
					t1(`job_route:http_requests_errors:rate5m{`+sel+`} / job_route:http_requests:rate5m{`+sel+`}`, "{{route}}"), threshold{"red", 0.05}),
				ts("5xx errors per second by route", "Absolute 5xx rate per route over 5 minutes."+sliNote, "reqps", 12,
					t1(`job_route:http_requests_errors:rate5m{`+sel+`}`, "{{route}}")),
			}},
			{"Latency", []panel{
				ts("Latency p50 / p95 / p99", "Quantiles of user request duration over all routes, 5 minute window (recording rules). The red line is the p95 alert threshold."+sliNote, "s", 12, []target{
					{`max(job:http_request_duration_seconds:p50_rate5m{job="agora"})`, "p50"},
					{`max(job:http_request_duration_seconds:p95_rate5m{job="agora"})`, "p95"},
					{`max(job:http_request_duration_seconds:p99_rate5m{job="agora"})`, "p99"},
				}, threshold{"red", 0.5}),
				ts("In-flight requests", "Requests being served at each moment; a climb with flat traffic means requests are stuck (database, pool).", "short", 12,
					t1(`sum(http_requests_in_flight{job="agora"})`, "in flight")),
				ts("p50 latency by route", "Median request duration per route, 5 minute window.", "s", 8,
					t1(`histogram_quantile(0.50, sum by (route, le) (job_route_le:http_request_duration_seconds_bucket:rate5m{`+sel+`}))`, "{{route}}")),
				ts("p95 latency by route", "95th percentile of request duration per route, 5 minute window.", "s", 8,
					t1(`histogram_quantile(0.95, sum by (route, le) (job_route_le:http_request_duration_seconds_bucket:rate5m{`+sel+`}))`, "{{route}}"), threshold{"red", 0.5}),
				ts("p99 latency by route", "99th percentile of request duration per route, 5 minute window.", "s", 8,
					t1(`histogram_quantile(0.99, sum by (route, le) (job_route_le:http_request_duration_seconds_bucket:rate5m{`+sel+`}))`, "{{route}}")),
			}},
			{"Database pool", []panel{
				ts("Pool connections", "pgx pool: connections in use, idle, open, and the pool's maximum.", "short", 8, []target{
					{`sum(db_pool_acquired_conns{job="agora"})`, "acquired"},
					{`sum(db_pool_idle_conns{job="agora"})`, "idle"},
					{`sum(db_pool_total_conns{job="agora"})`, "total"},
					{`sum(db_pool_max_conns{job="agora"})`, "max"},
				}),
				func() panel {
					p := ts("Pool utilisation", "Acquired / max connections. AgoraDBPoolExhausted fires at 90 % for 5 minutes.", "percentunit", 8,
						t1(`job:db_pool_utilisation:ratio{job="agora"}`, "used"), threshold{"orange", 0.7}, threshold{"red", 0.9})
					p.min, p.max = f(0), f(1)
					return p
				}(),
				ts("Pool acquire wait", "Mean time a request waited for a connection, and acquires per second that found the pool empty or were cancelled.", "s", 8, []target{
					{`sum(rate(db_pool_acquire_duration_seconds_total{job="agora"}[$__rate_interval])) / sum(rate(db_pool_acquire_count_total{job="agora"}[$__rate_interval]))`, "mean wait"},
				}),
				ts("Pool waits and cancellations", "Acquires per second that had to wait for an empty pool, and those cancelled by their deadline (requests that timed out waiting).", "ops", 12, []target{
					{`sum(rate(db_pool_empty_acquire_count_total{job="agora"}[$__rate_interval]))`, "empty pool"},
					{`sum(rate(db_pool_canceled_acquire_count_total{job="agora"}[$__rate_interval]))`, "cancelled"},
				}),
				ts("Acquires per second", "Successful connection acquires per second.", "ops", 12,
					t1(`sum(rate(db_pool_acquire_count_total{job="agora"}[$__rate_interval]))`, "acquires")),
			}},
			{"Auth and product", []panel{
				ts("Login attempts by result", "Login attempts per second by result (success, invalid_credentials, rate_limited, error). AgoraLoginFailuresSpike fires when failures exceed 0.5/s for 5 minutes.", "ops", 12,
					t1(`sum by (result) (job_result:auth_login_attempts:rate5m{job="agora"})`, "{{result}}")),
				ts("Failed logins per second", "invalid_credentials + rate_limited per second (5 minute rate); the red line is the credential-stuffing alert threshold.", "ops", 12,
					t1(`sum(job:auth_login_failures:rate5m{job="agora"})`, "failures"), threshold{"red", 0.5}),
				ts("Registrations and posts", "New accounts and new posts per second.", "ops", 12, []target{
					{`sum(rate(agora_registrations_total{job="agora"}[$__rate_interval]))`, "registrations"},
					{`sum(rate(agora_posts_created_total{job="agora"}[$__rate_interval]))`, "posts"},
				}),
				ts("Connection requests by outcome", "Connection requests sent, accepted, declined and withdrawn per second.", "ops", 12,
					t1(`sum by (outcome) (rate(agora_connection_requests_total{job="agora"}[$__rate_interval]))`, "{{outcome}}")),
			}},
			{"Process", []panel{
				ts("Resident memory", "Backend process resident memory; the container limit in deploy/compose.yaml is the budget.", "bytes", 6,
					t1(`sum(process_resident_memory_bytes{job="agora"})`, "rss")),
				ts("CPU", "Backend process CPU use, in cores.", "percentunit", 6,
					t1(`sum(rate(process_cpu_seconds_total{job="agora"}[$__rate_interval]))`, "cpu")),
				ts("Goroutines", "Go goroutines; steady growth means a leak.", "short", 6,
					t1(`sum(go_goroutines{job="agora"})`, "goroutines")),
				{kind: "table", title: "Build", desc: "Version, revision and Go version of the running backend (agora_build_info).", unit: "none", w: 6, h: 8,
					targets: t1(`agora_build_info{job="agora"}`, "")},
			}},
		},
	}
}
