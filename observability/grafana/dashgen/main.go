// Command dashgen writes observability/grafana/dashboards/*.json, the Grafana
// dashboards as code, with the Grafana Foundation SDK's typed builders
// (github.com/grafana/grafana-foundation-sdk/go: dashboards, panels,
// Prometheus and Loki queries). Run from the repository root:
//
//	go run ./observability/grafana/dashgen [OUTDIR]
//
// Every panel gets a description, a unit and a provisioned data source;
// thresholds only where a value means something (the alert thresholds).
// TestDashboardsMatchGenerator fails when the committed JSON differs from
// this program's output; TestDashboards and the live test check the content.
//
// The dashboards use the classic (v1) JSON model, the one Grafana 12's file
// provisioning loads; the SDK marks its builder deprecated in favour of the
// v2 schema, which needs Grafana's new-layouts feature flag.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/logs"
	"github.com/grafana/grafana-foundation-sdk/go/loki"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// The provisioned data sources (grafana/provisioning/datasources).
var (
	promDS = common.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr("prometheus")}
	lokiDS = common.DataSourceRef{Type: cog.ToPtr("loki"), Uid: cog.ToPtr("loki")}
)

type target struct{ expr, legend string }

type threshold struct {
	color string
	value float64
}

// panel is one panel's content; the builders below turn it into SDK calls.
type panel struct {
	kind, title, desc, unit string // kind: stat, timeseries, table, logs
	loki                    bool   // Loki queries (else Prometheus)
	targets                 []target
	w, h                    uint32
	steps                   []threshold // beyond the base
	base                    string      // colour below the first step; green when empty
	min, max                *float64
	noGraph                 bool // stat without sparkline
}

func f(v float64) *float64 { return &v }

type row struct {
	title  string
	panels []panel
}

type board struct {
	uid, title, desc, refresh string
	tags                      []string
	vars                      []cog.Builder[dashboard.VariableModel]
	rows                      []row
}

func thresholds(p panel) *dashboard.ThresholdsConfigBuilder {
	base := p.base
	if base == "" {
		base = "green"
	}
	steps := []dashboard.Threshold{{Color: base}}
	for _, s := range p.steps {
		steps = append(steps, dashboard.Threshold{Color: s.color, Value: cog.ToPtr(s.value)})
	}
	return dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).Steps(steps)
}

func queries(p panel, instant, tableFormat bool) []cog.Builder[variants.Dataquery] {
	var out []cog.Builder[variants.Dataquery]
	for i, t := range p.targets {
		ref := string(rune('A' + i))
		if p.loki {
			q := loki.NewDataqueryBuilder().RefId(ref).Expr(t.expr).Datasource(lokiDS).QueryType("range")
			if t.legend != "" {
				q.LegendFormat(t.legend)
			}
			out = append(out, q)
			continue
		}
		q := prometheus.NewDataqueryBuilder().RefId(ref).Expr(t.expr).Datasource(promDS)
		if instant {
			q.Instant()
		} else {
			q.Range()
		}
		if tableFormat {
			q.Format(prometheus.PromQueryFormatTable)
		}
		if t.legend != "" {
			q.LegendFormat(t.legend)
		}
		out = append(out, q)
	}
	return out
}

// build turns a panel into its SDK builder, with the given id.
func (p panel) build(id uint32) cog.Builder[dashboard.Panel] {
	ds := promDS
	if p.loki {
		ds = lokiDS
	}
	switch p.kind {
	case "stat":
		b := stat.NewPanelBuilder().Id(id).Title(p.title).Description(p.desc).Datasource(ds).
			Span(p.w).Height(p.h).Unit(p.unit).Thresholds(thresholds(p)).
			ColorScheme(dashboard.NewFieldColorBuilder().Mode(dashboard.FieldColorModeIdThresholds)).
			ReduceOptions(common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"}).Values(false).Fields("")).
			ColorMode(common.BigValueColorModeValue).GraphMode(common.BigValueGraphModeArea).
			TextMode(common.BigValueTextModeAuto).Targets(queries(p, false, false))
		if p.noGraph {
			b.GraphMode(common.BigValueGraphModeNone)
		}
		if p.min != nil {
			b.Min(*p.min)
		}
		if p.max != nil {
			b.Max(*p.max)
		}
		return b
	case "timeseries":
		b := timeseries.NewPanelBuilder().Id(id).Title(p.title).Description(p.desc).Datasource(ds).
			Span(p.w).Height(p.h).Unit(p.unit).Thresholds(thresholds(p)).
			ColorScheme(dashboard.NewFieldColorBuilder().Mode(dashboard.FieldColorModeIdPaletteClassic)).
			FillOpacity(10).
			Legend(common.NewVizLegendOptionsBuilder().DisplayMode(common.LegendDisplayModeTable).
				Placement(common.LegendPlacementBottom).ShowLegend(true).Calcs([]string{"mean", "max", "lastNotNull"})).
			Tooltip(common.NewVizTooltipOptionsBuilder().Mode(common.TooltipDisplayModeMulti).Sort(common.SortOrderDescending)).
			Targets(queries(p, false, false))
		if len(p.steps) > 0 {
			b.ThresholdsStyle(common.NewGraphThresholdsStyleConfigBuilder().Mode(common.GraphThresholdsStyleModeLineAndArea))
		}
		if p.min != nil {
			b.Min(*p.min)
		}
		if p.max != nil {
			b.Max(*p.max)
		}
		return b
	case "table":
		return table.NewPanelBuilder().Id(id).Title(p.title).Description(p.desc).Datasource(ds).
			Span(p.w).Height(p.h).Unit(p.unit).Thresholds(thresholds(p)).
			ColorScheme(dashboard.NewFieldColorBuilder().Mode(dashboard.FieldColorModeIdThresholds)).
			ShowHeader(true).CellHeight(common.TableCellHeightSm).
			WithTransformation(dashboard.DataTransformerConfig{Id: "organize", Options: map[string]any{
				"excludeByName": map[string]any{"Time": true, "__name__": true},
			}}).
			Targets(queries(p, true, true))
	case "logs":
		return logs.NewPanelBuilder().Id(id).Title(p.title).Description(p.desc).Datasource(ds).
			Span(p.w).Height(p.h).ShowTime(true).WrapLogMessage(true).PrettifyLogMessage(false).
			EnableLogDetails(true).SortOrder(common.LogsSortOrderDescending).DedupStrategy(common.LogsDedupStrategyNone).
			Targets(queries(p, false, false))
	}
	panic("unknown panel kind " + p.kind)
}

// dashboard builds the board: a row per group, its panels after it (rows
// not collapsed), ids in order.
//
//nolint:staticcheck // the v1 JSON model is what Grafana 12's file provisioning loads (see the package comment)
func (b board) dashboard() (dashboard.Dashboard, error) {
	//nolint:staticcheck // the v1 JSON model is what Grafana 12's file provisioning loads (see the package comment)
	d := dashboard.NewDashboardBuilder(b.title).Uid(b.uid).Description(b.desc).Tags(b.tags).
		Readonly().Tooltip(dashboard.DashboardCursorSyncCrosshair).Time("now-6h", "now").
		Refresh(b.refresh).Timezone("utc").Version(1).
		Annotation(dashboard.NewAnnotationQueryBuilder().Name("Annotations & Alerts").BuiltIn(1).
			Datasource(common.DataSourceRef{Type: cog.ToPtr("grafana"), Uid: cog.ToPtr("-- Grafana --")}).
			Enable(true).Hide(true).IconColor("rgba(0, 211, 255, 1)").Type("dashboard")).
		Link(dashboard.NewDashboardLinkBuilder("Agora dashboards").Type(dashboard.DashboardLinkTypeDashboards).
			Tags([]string{"agora"}).AsDropdown(true))
	for _, v := range b.vars {
		d.WithVariable(v)
	}
	id := uint32(1)
	for _, r := range b.rows {
		d.WithRow(dashboard.NewRowBuilder(r.title).Id(id).Collapsed(false))
		id++
		for _, p := range r.panels {
			d.WithPanel(p.build(id))
			id++
		}
	}
	return d.Build()
}

func stat1(title, desc, unit, expr string, steps ...threshold) panel {
	return panel{kind: "stat", title: title, desc: desc, unit: unit, targets: []target{{expr, ""}}, w: 4, h: 4, steps: steps}
}

func ts(title, desc, unit string, w uint32, targets []target, steps ...threshold) panel {
	return panel{kind: "timeseries", title: title, desc: desc, unit: unit, targets: targets, w: w, h: 8, steps: steps}
}

func t1(expr, legend string) []target { return []target{{expr, legend}} }

// allValue is what "All" sends: a regex that cannot match the empty string,
// because Loki refuses a selector whose every matcher matches "" (and for
// Prometheus, "All" then means "has the label"). TestLogQLSelectors checks it.
const allValue = ".+"

func promVar(name, label, query string) cog.Builder[dashboard.VariableModel] {
	return dashboard.NewQueryVariableBuilder(name).Label(label).Datasource(promDS).
		Query(dashboard.StringOrMap{Map: map[string]any{"query": query, "refId": "var-" + name}}).Definition(query).
		Refresh(dashboard.VariableRefreshOnTimeRangeChanged).IncludeAll(true).Multi(true).AllValue(allValue).
		Current(allOption()).Sort(dashboard.VariableSortAlphabeticalAsc)
}

func allOption() dashboard.VariableOption {
	return dashboard.VariableOption{Selected: cog.ToPtr(true),
		Text: dashboard.StringOrArrayOfString{ArrayOfString: []string{"All"}}, Value: dashboard.StringOrArrayOfString{ArrayOfString: []string{"$__all"}}}
}

const fsFilter = `fstype!~"tmpfs|ramfs|overlay|squashfs|nsfs"`

// user traffic: the SLI recording rules leave out probes and scrapes.
const sliNote = " Probes and scrapes (/healthz, /readyz, /metrics) are left out, as in the alerts."

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

func postgres() board {
	d := `job="postgres",datname=~"$datname"`
	return board{
		uid: "agora-postgres", title: "Agora / PostgreSQL", refresh: "30s",
		desc: "PostgreSQL through postgres_exporter: availability, connections against max_connections, transactions, cache hits, locks and size.",
		tags: []string{"agora", "postgres"},
		vars: []cog.Builder[dashboard.VariableModel]{promVar("datname", "Database", `label_values(pg_stat_database_numbackends{job="postgres"}, datname)`)},
		rows: []row{
			{"Now", []panel{
				{kind: "stat", title: "PostgreSQL up", desc: "pg_up: 1 when the exporter can query PostgreSQL. PostgresDown fires after 1 minute at 0.", unit: "bool_yes_no",
					targets: t1(`min(pg_up{job="postgres"})`, ""), w: 4, h: 4, noGraph: true},
				stat1("Connections used", "Backends over max_connections. PostgresTooManyConnections fires above 80 % for 5 minutes.", "percentunit",
					`max(instance:pg_connections_utilisation:ratio{job="postgres"})`, threshold{"orange", 0.6}, threshold{"red", 0.8}),
				stat1("Connections", "Open backends over all databases.", "short", `sum(pg_stat_database_numbackends{job="postgres"})`),
				stat1("max_connections", "The server's max_connections setting.", "short", `max(pg_settings_max_connections{job="postgres"})`),
				stat1("Database size", "Total size of the selected databases.", "bytes", `sum(pg_database_size_bytes{`+d+`})`),
				stat1("Deadlocks (1h)", "Deadlocks detected in the last hour over the selected databases; any is worth a look at the PostgreSQL log.", "short",
					`sum(increase(pg_stat_database_deadlocks{`+d+`}[1h]))`, threshold{"red", 1}),
			}},
			{"Activity", []panel{
				ts("Connections by database", "Backends per database, with max_connections for scale.", "short", 12, []target{
					{`sum by (datname) (pg_stat_database_numbackends{` + d + `})`, "{{datname}}"},
					{`max(pg_settings_max_connections{job="postgres"})`, "max_connections"},
				}),
				ts("Transactions per second", "Commits and rollbacks per second; rollbacks that climb with errors point at failing statements.", "ops", 12, []target{
					{`sum(rate(pg_stat_database_xact_commit{` + d + `}[$__rate_interval]))`, "commit"},
					{`sum(rate(pg_stat_database_xact_rollback{` + d + `}[$__rate_interval]))`, "rollback"},
				}),
				func() panel {
					p := ts("Cache hit ratio", "Share of block reads served from shared buffers. Below 99 % on this workload means shared_buffers is too small or a query scans too much.", "percentunit", 12,
						t1(`sum(rate(pg_stat_database_blks_hit{`+d+`}[$__rate_interval])) / (sum(rate(pg_stat_database_blks_hit{`+d+`}[$__rate_interval])) + sum(rate(pg_stat_database_blks_read{`+d+`}[$__rate_interval])))`, "hit ratio"),
						threshold{"orange", 0.95}, threshold{"green", 0.99})
					p.base = "red"
					p.min, p.max = f(0), f(1)
					return p
				}(),
				ts("Rows per second", "Rows inserted, updated, deleted and fetched per second.", "ops", 12, []target{
					{`sum(rate(pg_stat_database_tup_inserted{` + d + `}[$__rate_interval]))`, "inserted"},
					{`sum(rate(pg_stat_database_tup_updated{` + d + `}[$__rate_interval]))`, "updated"},
					{`sum(rate(pg_stat_database_tup_deleted{` + d + `}[$__rate_interval]))`, "deleted"},
					{`sum(rate(pg_stat_database_tup_fetched{` + d + `}[$__rate_interval]))`, "fetched"},
				}),
				ts("Locks by mode", "Locks held, by mode.", "short", 8,
					t1(`sum by (mode) (pg_locks_count{`+d+`})`, "{{mode}}")),
				ts("Deadlocks and conflicts", "Deadlocks and recovery conflicts per second; any deadlock deserves a look.", "ops", 8, []target{
					{`sum(rate(pg_stat_database_deadlocks{` + d + `}[$__rate_interval]))`, "deadlocks"},
					{`sum(rate(pg_stat_database_conflicts{` + d + `}[$__rate_interval]))`, "conflicts"},
				}),
				ts("Database size", "Size of each database over time; compare with free disk on the host dashboard.", "bytes", 8,
					t1(`sum by (datname) (pg_database_size_bytes{`+d+`})`, "{{datname}}")),
			}},
		},
	}
}

func host() board {
	i := `job="node",instance=~"$instance"`
	fs := i + `,` + fsFilter
	return board{
		uid: "agora-host", title: "Agora / Host", refresh: "30s",
		desc: "The VPS through node_exporter: CPU, memory, disk space and its forecast, disk and network I/O, container restarts and OOM kills, and the backup and TLS textfile metrics.",
		tags: []string{"agora", "host"},
		vars: []cog.Builder[dashboard.VariableModel]{promVar("instance", "Instance", `label_values(node_uname_info{job="node"}, instance)`)},
		rows: []row{
			{"Now", []panel{
				stat1("CPU busy", "Share of CPU time not idle, 5 minute rate. HostCPUHigh fires above 90 % for 15 minutes.", "percentunit",
					`max(instance:node_cpu_utilisation:rate5m{`+i+`})`, threshold{"orange", 0.7}, threshold{"red", 0.9}),
				stat1("Memory used", "1 - MemAvailable / MemTotal. HostMemoryHigh fires above 90 % for 10 minutes.", "percentunit",
					`max(instance:node_memory_utilisation:ratio{`+i+`})`, threshold{"orange", 0.8}, threshold{"red", 0.9}),
				stat1("Fullest filesystem", "Used share of the fullest real filesystem. HostDiskSpaceLow fires when less than 10 % is free.", "percentunit",
					`max(1 - node_filesystem_avail_bytes{`+fs+`} / node_filesystem_size_bytes{`+fs+`})`, threshold{"orange", 0.8}, threshold{"red", 0.9}),
				stat1("Load (1m) per core", "1-minute load average divided by the number of cores.", "short",
					`max(node_load1{`+i+`}) / count(count by (cpu) (node_cpu_seconds_total{`+i+`}))`, threshold{"orange", 1}, threshold{"red", 2}),
				stat1("Uptime", "Time since the host booted.", "s", `time() - max(node_boot_time_seconds{`+i+`})`),
				stat1("Memory total", "Physical memory of the host.", "bytes", `max(node_memory_MemTotal_bytes{`+i+`})`),
			}},
			{"CPU and memory", []panel{
				ts("CPU by mode", "CPU seconds per second by mode, summed over cores (2 = both cores busy).", "short", 12,
					t1(`sum by (mode) (rate(node_cpu_seconds_total{`+i+`,mode!="idle"}[$__rate_interval]))`, "{{mode}}")),
				ts("Memory", "Total, available and used memory.", "bytes", 12, []target{
					{`sum(node_memory_MemTotal_bytes{` + i + `})`, "total"},
					{`sum(node_memory_MemAvailable_bytes{` + i + `})`, "available"},
					{`sum(node_memory_MemTotal_bytes{` + i + `}) - sum(node_memory_MemAvailable_bytes{` + i + `})`, "used"},
				}),
				ts("Load average", "1, 5 and 15 minute load averages; above 2 the two cores are oversubscribed.", "short", 12, []target{
					{`max(node_load1{` + i + `})`, "1m"}, {`max(node_load5{` + i + `})`, "5m"}, {`max(node_load15{` + i + `})`, "15m"},
				}, threshold{"red", 2}),
				ts("Swap used", "Swap in use; any sustained swapping slows PostgreSQL.", "bytes", 12,
					t1(`sum(node_memory_SwapTotal_bytes{`+i+`}) - sum(node_memory_SwapFree_bytes{`+i+`})`, "swap used")),
			}},
			{"Containers", []panel{
				ts("Container restarts (15m)", "Restarts by Docker's restart policy in the last 15 minutes, per container (container-state.sh textfile). ContainerRestarting fires above 3.", "short", 12,
					t1(`round(increase(agora_container_restarts_total{job="node"}[15m]))`, "{{container}}"), threshold{"red", 3.5}),
				ts("OOM kills", "1 while Docker reports a container's last exit as an OOM kill (ContainerOOMKilled), and the kernel's OOM kills in 15 minutes on the host (HostOOMKill), which also counts kills Docker hid by restarting at once.", "short", 12, []target{
					{`max by (container) (agora_container_oom_killed{job="node"})`, "{{container}} OOMKilled"},
					{`sum(increase(node_vmstat_oom_kill{` + i + `}[15m]))`, "kernel OOM kills (15m)"},
				}, threshold{"red", 1}),
				{kind: "table", title: "Containers", desc: "Every Compose container with its restart count since creation and whether it runs (1) or not (0).", unit: "none", w: 12, h: 8,
					targets: []target{{`agora_container_running{job="node"}`, ""}, {`agora_container_restarts_total{job="node"}`, ""}}},
				stat1("Container state age", "Time since container-state.sh last wrote its textfile (every minute from the systemd timer). ContainerStateStale fires after 10 minutes.", "s",
					`time() - max(agora_container_state_last_run_timestamp_seconds{job="node"})`, threshold{"orange", 180}, threshold{"red", 600}),
			}},
			{"Disk", []panel{
				func() panel {
					p := ts("Filesystem used", "Used share of each real filesystem. Red at 90 % (HostDiskSpaceLow).", "percentunit", 12,
						t1(`1 - node_filesystem_avail_bytes{`+fs+`} / node_filesystem_size_bytes{`+fs+`}`, "{{mountpoint}}"), threshold{"orange", 0.8}, threshold{"red", 0.9})
					p.min, p.max = f(0), f(1)
					return p
				}(),
				func() panel {
					p := ts("Free space forecast (24h)", "Free bytes predicted 24 hours ahead from the last 6 hours (what HostDiskWillFillIn24Hours uses); below 0 (red) means full within a day.", "bytes", 12,
						t1(`predict_linear(node_filesystem_avail_bytes{`+fs+`}[6h], 24 * 3600)`, "{{mountpoint}}"), threshold{"green", 0})
					p.base = "red"
					return p
				}(),
				ts("Disk throughput", "Bytes read and written per second, all disks.", "Bps", 12, []target{
					{`sum(rate(node_disk_read_bytes_total{` + i + `}[$__rate_interval]))`, "read"},
					{`sum(rate(node_disk_written_bytes_total{` + i + `}[$__rate_interval]))`, "written"},
				}),
				ts("Disk busy", "Share of time each disk was busy with I/O.", "percentunit", 12,
					t1(`rate(node_disk_io_time_seconds_total{`+i+`}[$__rate_interval])`, "{{device}}"), threshold{"red", 0.9}),
			}},
			{"Network", []panel{
				ts("Network traffic", "Bytes received and sent per second on real interfaces.", "Bps", 24, []target{
					{`sum(rate(node_network_receive_bytes_total{` + i + `,device!~"lo|veth.*|docker.*|br-.*"}[$__rate_interval]))`, "received"},
					{`sum(rate(node_network_transmit_bytes_total{` + i + `,device!~"lo|veth.*|docker.*|br-.*"}[$__rate_interval]))`, "sent"},
				}),
			}},
			{"Backups and TLS", []panel{
				stat1("Last backup age", "Time since the last successful backup (agora_backup.prom). BackupTooOld fires after 26 hours.", "s",
					`time() - max(agora_backup_last_success_timestamp_seconds{job="node"})`, threshold{"orange", 25 * 3600}, threshold{"red", 26 * 3600}),
				{kind: "stat", title: "Last backup result", desc: "1 when the last backup run succeeded, 0 when it failed (BackupFailed).", unit: "bool_yes_no",
					targets: t1(`min(agora_backup_last_status{job="node"})`, ""), w: 4, h: 4, noGraph: true},
				stat1("Last backup size", "Size of the last backup file; a sudden drop means an incomplete dump.", "bytes",
					`max(agora_backup_last_size_bytes{job="node"})`),
				stat1("Last backup run", "Time since the backup script last ran, successful or not.", "s",
					`time() - max(agora_backup_last_run_timestamp_seconds{job="node"})`, threshold{"red", 26 * 3600}),
				{kind: "stat", title: "TLS certificate expires in", desc: "Time left on each TLS certificate file (agora_tls.prom from the renewal hook). TLSCertExpiring warns at 14 days and pages at 3; the certificate actually served is on the overview's Edge row.", unit: "s",
					targets: t1(`min by (domain) (agora_tls_cert_expiry_timestamp_seconds{job="node"}) - time()`, "{{domain}}"), w: 8, h: 4,
					base: "red", steps: []threshold{{"orange", 3 * 86400}, {"green", 14 * 86400}}},
			}},
		},
	}
}

func logsBoard() board {
	sel := `{service=~"$service"}`
	lokiVar := dashboard.NewQueryVariableBuilder("service").Label("Service").Datasource(lokiDS).
		Query(dashboard.StringOrMap{Map: map[string]any{"type": 1, "label": "service", "stream": "", "refId": "var-service"}}).
		Definition("label_values(service)").Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
		IncludeAll(true).Multi(true).AllValue(allValue).Current(allOption()).Sort(dashboard.VariableSortAlphabeticalAsc)
	search := dashboard.NewTextBoxVariableBuilder("search").Label("Search (request_id, trace_id or text)").
		Current(dashboard.VariableOption{Text: dashboard.StringOrArrayOfString{String: cog.ToPtr("")}, Value: dashboard.StringOrArrayOfString{String: cog.ToPtr("")}})
	return board{
		uid: "agora-logs", title: "Agora / Logs", refresh: "",
		desc: "Container logs in Loki, shipped by Alloy. Streams are labelled by compose service and level (normalised by Alloy to debug, info, warn, error, fatal or unknown); route and status are structured metadata; request_id and trace_id stay in the line: paste one into the search box.",
		tags: []string{"agora", "logs"},
		vars: []cog.Builder[dashboard.VariableModel]{lokiVar, search},
		rows: []row{
			{"Volume", []panel{
				{kind: "timeseries", title: "Log lines by level", desc: "Log lines per interval for the selected services, by level.", unit: "short", loki: true, w: 12, h: 8,
					targets: t1(`sum by (level) (count_over_time(`+sel+` [$__auto]))`, "{{level}}")},
				{kind: "timeseries", title: "Backend 5xx lines per status", desc: "Backend request log lines with a 5xx status, per status (status is structured metadata, not a label).", unit: "short", loki: true, w: 12, h: 8,
					targets: t1(`sum by (status) (count_over_time({service="backend"} | status=~"5.." [$__auto]))`, "{{status}}"), steps: []threshold{{"red", 1}}},
			}},
			{"Lines", []panel{
				{kind: "logs", title: "Logs (search)", desc: "Lines of the selected services containing the search text: a request_id from an X-Request-ID header or problem document, a trace_id, or any word.", unit: "none", loki: true, w: 24, h: 14,
					targets: t1(sel+` |= "$search"`, "")},
				{kind: "logs", title: "Errors", desc: "Lines at level error or fatal (Alloy normalises every service's level to debug, info, warn, error, fatal or unknown), and backend requests that ended in 5xx.", unit: "none", loki: true, w: 24, h: 10,
					targets: []target{{`{service=~"$service", level=~"error|fatal"}`, ""}, {`{service="backend"} | status=~"5.."`, ""}}},
				{kind: "logs", title: "Slow backend requests (over 1 s)", desc: "Backend request lines whose duration is above one second, with request_id and trace_id to follow up.", unit: "none", loki: true, w: 24, h: 10,
					targets: t1(`{service="backend"} |= "\"msg\":\"request\"" | json duration="duration" | duration > 1`, "")},
				{kind: "logs", title: "Edge 5xx lines", desc: "Nginx access lines with a 5xx status: upstream_status and upstream_addr tell whether the backend answered or could not be reached.", unit: "none", loki: true, w: 24, h: 10,
					targets: t1(`{service="nginx"} | status=~"5.."`, "")},
			}},
		},
	}
}

func alerts() board {
	return board{
		uid: "agora-alerts", title: "Agora / Alerts", refresh: "30s",
		desc: "What is firing now, how Alertmanager delivers it, and whether the monitoring pipeline itself is healthy (Watchdog heartbeat, scrape targets, rule evaluation).",
		tags: []string{"agora", "alerts"},
		rows: []row{
			{"Now", []panel{
				stat1("Firing alerts", "Alerts firing in Prometheus, Watchdog excluded.", "short",
					`count(ALERTS{alertstate="firing",alertname!="Watchdog"}) or vector(0)`, threshold{"red", 1}),
				stat1("Pending alerts", "Alerts whose condition holds but whose `for` has not run out yet.", "short",
					`count(ALERTS{alertstate="pending"}) or vector(0)`, threshold{"orange", 1}),
				{kind: "stat", title: "Watchdog firing", desc: "The dead man's switch: 1 while the always-firing Watchdog alert is active. 0 means rule evaluation is broken.", unit: "bool_yes_no",
					targets: t1(`count(ALERTS{alertname="Watchdog",alertstate="firing"}) or vector(0)`, ""), w: 4, h: 4, base: "red", steps: []threshold{{"green", 1}}, noGraph: true},
				stat1("Targets down", "Scrape targets that Prometheus cannot reach.", "short",
					`count(up == 0) or vector(0)`, threshold{"red", 1}),
				stat1("Active silences", "Silences in force in Alertmanager.", "short",
					`sum(alertmanager_silences{state="active"}) or vector(0)`, threshold{"orange", 1}),
				stat1("Failed notifications (1h)", "Notifications Alertmanager failed to deliver in the last hour (AlertmanagerNotificationsFailing).", "short",
					`sum(increase(alertmanager_notifications_failed_total[1h])) or vector(0)`, threshold{"red", 1}),
			}},
			{"Alerts", []panel{
				{kind: "table", title: "Firing and pending alerts", desc: "Every alert Prometheus holds right now, with its labels.", unit: "none", w: 24, h: 8,
					targets: t1(`ALERTS`, "")},
				ts("Firing alerts by severity", "Number of firing alerts per severity over time.", "short", 12,
					t1(`sum by (severity) (ALERTS{alertstate="firing"})`, "{{severity}}")),
				ts("Notifications per second", "Notifications sent by integration (email, webhook for the heartbeat, slack, pagerduty) and failures.", "ops", 12, []target{
					{`sum by (integration) (rate(alertmanager_notifications_total[$__rate_interval]))`, "{{integration}} sent"},
					{`sum by (integration) (rate(alertmanager_notifications_failed_total[$__rate_interval]))`, "{{integration}} failed"},
				}),
			}},
			{"Pipeline health", []panel{
				{kind: "table", title: "Scrape targets", desc: "Every scrape target and whether it is up (1) or down (0).", unit: "none", w: 12, h: 8,
					targets: t1(`up`, ""), base: "red", steps: []threshold{{"green", 1}}},
				ts("Rule evaluation failures", "Failed rule evaluations per second, by rule group; anything above 0 means an alert may be blind.", "ops", 12,
					t1(`sum by (rule_group) (rate(prometheus_rule_evaluation_failures_total[$__rate_interval]))`, "{{rule_group}}"), threshold{"red", 0.001}),
				ts("Alerts received by Alertmanager", "Alerts per second that Alertmanager receives from Prometheus, by status.", "ops", 12,
					t1(`sum by (status) (rate(alertmanager_alerts_received_total[$__rate_interval]))`, "{{status}}")),
				ts("Prometheus notification queue", "Alerts dropped or failing on the way from Prometheus to Alertmanager.", "ops", 12, []target{
					{`sum(rate(prometheus_notifications_errors_total[$__rate_interval]))`, "errors"},
					{`sum(rate(prometheus_notifications_dropped_total[$__rate_interval]))`, "dropped"},
				}),
			}},
		},
	}
}

func main() {
	dir := filepath.Join("observability", "grafana", "dashboards")
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	for _, b := range []struct {
		file  string
		board board
	}{
		{"agora-overview.json", overview()},
		{"postgres.json", postgres()},
		{"host.json", host()},
		{"logs.json", logsBoard()},
		{"alerts.json", alerts()},
	} {
		d, err := b.board.dashboard()
		if err != nil {
			fmt.Fprintf(os.Stderr, "dashgen: %s: %v\n", b.file, err)
			os.Exit(1)
		}
		data, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			fmt.Fprintf(os.Stderr, "dashgen: %s: %v\n", b.file, err)
			os.Exit(1)
		}
		// Committed files, read by Grafana's provisioning in a container.
		if err := os.WriteFile(filepath.Join(dir, b.file), append(data, '\n'), 0o644); err != nil { //nolint:gosec // world-readable on purpose
			fmt.Fprintf(os.Stderr, "dashgen: %v\n", err)
			os.Exit(1)
		}
		fmt.Println("wrote", filepath.Join(dir, b.file))
	}
}
