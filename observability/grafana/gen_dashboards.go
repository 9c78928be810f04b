//go:build ignore

// gen_dashboards writes observability/grafana/dashboards/*.json, the Grafana
// dashboards as code. Run from the repository root:
//
//	go run observability/grafana/gen_dashboards.go [OUTDIR]
//
// Every panel gets a description and a unit; thresholds only where a value
// means something (the alert thresholds). TestDashboards checks the output.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

type obj = map[string]any

var (
	prom = obj{"type": "prometheus", "uid": "prometheus"}
	loki = obj{"type": "loki", "uid": "loki"}
)

type target struct{ expr, legend string }

type threshold struct {
	color string
	value float64
}

type panel struct {
	typ, title, desc, unit string
	ds                     obj
	targets                []target
	w, h                   int
	steps                  []threshold // beyond the base
	base                   string      // colour below the first step; green when empty
	min, max               *float64
	instant                bool
	extra                  obj // merged into options
}

func f(v float64) *float64 { return &v }

type board struct {
	uid, title, desc string
	tags             []string
	vars             []obj
	rows             []row
	refresh          string
}

type row struct {
	title  string
	panels []panel
}

func (b board) json() obj {
	var panels []any
	id := 1
	y := 0
	for _, r := range b.rows {
		panels = append(panels, obj{
			"type": "row", "id": id, "title": r.title, "collapsed": false,
			"gridPos": obj{"x": 0, "y": y, "w": 24, "h": 1}, "panels": []any{},
		})
		id++
		y++
		x, rowH := 0, 0
		for _, p := range r.panels {
			if x+p.w > 24 {
				x = 0
				y += rowH
				rowH = 0
			}
			panels = append(panels, p.json(id, x, y))
			id++
			x += p.w
			if p.h > rowH {
				rowH = p.h
			}
		}
		y += rowH
	}
	return obj{
		"uid": b.uid, "title": b.title, "description": b.desc, "tags": b.tags,
		"editable": false, "graphTooltip": 1, "schemaVersion": 39, "version": 1,
		"time": obj{"from": "now-6h", "to": "now"}, "refresh": b.refresh,
		"timezone": "utc", "timepicker": obj{},
		"templating": obj{"list": b.vars},
		"annotations": obj{"list": []any{obj{
			"builtIn": 1, "datasource": obj{"type": "grafana", "uid": "-- Grafana --"},
			"enable": true, "hide": true, "iconColor": "rgba(0, 211, 255, 1)",
			"name": "Annotations & Alerts", "type": "dashboard",
		}}},
		"links":  []any{obj{"title": "Agora dashboards", "type": "dashboards", "tags": []string{"agora"}, "asDropdown": true}},
		"panels": panels,
	}
}

func (p panel) json(id, x, y int) obj {
	base := p.base
	if base == "" {
		base = "green"
	}
	steps := []any{obj{"color": base, "value": nil}}
	for _, s := range p.steps {
		steps = append(steps, obj{"color": s.color, "value": s.value})
	}
	defaults := obj{
		"unit":       p.unit,
		"thresholds": obj{"mode": "absolute", "steps": steps},
		"color":      obj{"mode": "palette-classic"},
	}
	if p.typ == "stat" || p.typ == "gauge" {
		defaults["color"] = obj{"mode": "thresholds"}
	}
	if p.typ == "timeseries" && len(p.steps) > 0 {
		defaults["custom"] = obj{"thresholdsStyle": obj{"mode": "line+area"}, "fillOpacity": 10}
	} else if p.typ == "timeseries" {
		defaults["custom"] = obj{"fillOpacity": 10}
	}
	if p.min != nil {
		defaults["min"] = *p.min
	}
	if p.max != nil {
		defaults["max"] = *p.max
	}
	var targets []any
	for i, t := range p.targets {
		tj := obj{"refId": string(rune('A' + i)), "expr": t.expr, "datasource": p.ds}
		if t.legend != "" {
			tj["legendFormat"] = t.legend
		}
		if p.ds["type"] == "prometheus" {
			tj["range"] = !p.instant
			tj["instant"] = p.instant
			if p.typ == "table" {
				tj["format"] = "table"
			}
		} else {
			tj["queryType"] = "range"
		}
		targets = append(targets, tj)
	}
	options := obj{}
	switch p.typ {
	case "timeseries":
		options = obj{"legend": obj{"displayMode": "table", "placement": "bottom", "showLegend": true, "calcs": []string{"mean", "max", "lastNotNull"}}, "tooltip": obj{"mode": "multi", "sort": "desc"}}
	case "stat":
		options = obj{"reduceOptions": obj{"calcs": []string{"lastNotNull"}, "fields": "", "values": false}, "colorMode": "value", "graphMode": "area", "textMode": "auto"}
	case "logs":
		options = obj{"showTime": true, "wrapLogMessage": true, "prettifyLogMessage": false, "enableLogDetails": true, "sortOrder": "Descending", "dedupStrategy": "none"}
	case "table":
		options = obj{"showHeader": true, "cellHeight": "sm"}
	}
	for k, v := range p.extra {
		options[k] = v
	}
	out := obj{
		"id": id, "type": p.typ, "title": p.title, "description": p.desc,
		"datasource": p.ds, "gridPos": obj{"x": x, "y": y, "w": p.w, "h": p.h},
		"fieldConfig": obj{"defaults": defaults, "overrides": []any{}},
		"options":     options, "targets": targets,
	}
	if p.typ == "table" {
		out["transformations"] = []any{obj{"id": "organize", "options": obj{"excludeByName": obj{"Time": true, "__name__": true}}}}
	}
	return out
}

func stat(title, desc, unit, expr string, steps ...threshold) panel {
	return panel{typ: "stat", title: title, desc: desc, unit: unit, ds: prom, targets: []target{{expr, ""}}, w: 4, h: 4, steps: steps}
}

func ts(title, desc, unit string, w int, targets []target, steps ...threshold) panel {
	return panel{typ: "timeseries", title: title, desc: desc, unit: unit, ds: prom, targets: targets, w: w, h: 8, steps: steps}
}

func t1(expr, legend string) []target { return []target{{expr, legend}} }

func queryVar(name, label string, ds obj, query string) obj {
	return obj{
		"name": name, "label": label, "type": "query", "datasource": ds,
		"query": obj{"query": query, "refId": "var-" + name}, "definition": query,
		"refresh": 2, "includeAll": true, "multi": true, "allValue": ".+",
		"current": obj{"selected": true, "text": []string{"All"}, "value": []string{"$__all"}},
		"sort":    1,
	}
}

const fsFilter = `fstype!~"tmpfs|ramfs|overlay|squashfs|nsfs"`

func overview() board {
	sel := `job="agora",route=~"$route"`
	return board{
		uid: "agora-overview", title: "Agora / Service overview", refresh: "30s",
		desc: "RED view of the Agora backend: rate, errors and latency by route, in-flight requests and the database pool. Uses the recording rules of prometheus/rules/recording.yml, the same numbers the alerts use.",
		tags: []string{"agora", "backend"},
		vars: []obj{queryVar("route", "Route", prom, `label_values(http_requests_total{job="agora"}, route)`)},
		rows: []row{
			{"Now", []panel{
				stat("Request rate", "Requests per second over all routes (5 minute rate, recording rule job:http_requests:rate5m).", "reqps",
					`sum(job:http_requests:rate5m{job="agora"})`),
				stat("5xx error ratio", "Share of requests answered with a 5xx status over 5 minutes. AgoraHighErrorRate fires above 5 % for 2 minutes.", "percentunit",
					`sum(job:http_requests_errors:rate5m{job="agora"}) / sum(job:http_requests:rate5m{job="agora"})`, threshold{"orange", 0.01}, threshold{"red", 0.05}),
				stat("p95 latency", "95th percentile of request duration over 5 minutes. AgoraHighLatency fires above 500 ms for 10 minutes.", "s",
					`max(job:http_request_duration_seconds:p95_rate5m{job="agora"})`, threshold{"orange", 0.25}, threshold{"red", 0.5}),
				stat("In-flight requests", "Requests being served right now (http_requests_in_flight).", "short",
					`sum(http_requests_in_flight{job="agora"})`),
				stat("DB pool used", "Share of the pgx pool's connections checked out. AgoraDBPoolExhausted fires at 90 % for 5 minutes.", "percentunit",
					`max(job:db_pool_utilisation:ratio{job="agora"})`, threshold{"orange", 0.7}, threshold{"red", 0.9}),
				func() panel {
					p := stat("Backend up", "1 when Prometheus scrapes the backend's internal listener, 0 when it is down (AgoraBackendDown after 1 minute).", "bool_yes_no",
						`min(up{job="agora"})`)
					p.steps = nil
					p.extra = obj{"graphMode": "none"}
					return p
				}(),
			}},
			{"Rate and errors", []panel{
				ts("Requests per second by route", "Request rate per Echo route template (unmatched paths are route=\"unmatched\").", "reqps", 12,
					t1(`sum by (route) (rate(http_requests_total{`+sel+`}[$__rate_interval]))`, "{{route}}")),
				ts("Requests per second by status", "Request rate per HTTP status code, all selected routes.", "reqps", 12,
					t1(`sum by (status) (rate(http_requests_total{`+sel+`}[$__rate_interval]))`, "{{status}}")),
				ts("5xx error ratio by route", "Share of 5xx answers per route over 5 minutes (recording rules job_route:*). The red line is the alert threshold of 5 %.", "percentunit", 12,
					t1(`job_route:http_requests_errors:rate5m{`+sel+`} / job_route:http_requests:rate5m{`+sel+`}`, "{{route}}"), threshold{"red", 0.05}),
				ts("5xx errors per second by route", "Absolute 5xx rate per route over 5 minutes.", "reqps", 12,
					t1(`job_route:http_requests_errors:rate5m{`+sel+`}`, "{{route}}")),
			}},
			{"Latency", []panel{
				ts("Latency p50 / p95 / p99", "Quantiles of request duration over all routes, 5 minute window (recording rules). The red line is the p95 alert threshold.", "s", 12, []target{
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
				panel{typ: "table", title: "Build", desc: "Version, revision and Go version of the running backend (agora_build_info).", unit: "none", ds: prom, w: 6, h: 8, instant: true,
					targets: []target{{`agora_build_info{job="agora"}`, ""}}},
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
		vars: []obj{queryVar("datname", "Database", prom, `label_values(pg_stat_database_numbackends{job="postgres"}, datname)`)},
		rows: []row{
			{"Now", []panel{
				func() panel {
					p := stat("PostgreSQL up", "pg_up: 1 when the exporter can query PostgreSQL. PostgresDown fires after 1 minute at 0.", "bool_yes_no", `min(pg_up{job="postgres"})`)
					p.extra = obj{"graphMode": "none"}
					return p
				}(),
				stat("Connections used", "Backends over max_connections. PostgresTooManyConnections fires above 80 % for 5 minutes.", "percentunit",
					`max(instance:pg_connections_utilisation:ratio{job="postgres"})`, threshold{"orange", 0.6}, threshold{"red", 0.8}),
				stat("Connections", "Open backends over all databases.", "short", `sum(pg_stat_database_numbackends{job="postgres"})`),
				stat("max_connections", "The server's max_connections setting.", "short", `max(pg_settings_max_connections{job="postgres"})`),
				stat("Database size", "Total size of the selected databases.", "bytes", `sum(pg_database_size_bytes{`+d+`})`),
				stat("Deadlocks (1h)", "Deadlocks detected in the last hour over the selected databases; any is worth a look at the PostgreSQL log.", "short",
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
		desc: "The VPS through node_exporter: CPU, memory, disk space and its forecast, disk and network I/O, and the backup and TLS textfile metrics.",
		tags: []string{"agora", "host"},
		vars: []obj{queryVar("instance", "Instance", prom, `label_values(node_uname_info{job="node"}, instance)`)},
		rows: []row{
			{"Now", []panel{
				stat("CPU busy", "Share of CPU time not idle, 5 minute rate. HostCPUHigh fires above 90 % for 15 minutes.", "percentunit",
					`max(instance:node_cpu_utilisation:rate5m{`+i+`})`, threshold{"orange", 0.7}, threshold{"red", 0.9}),
				stat("Memory used", "1 - MemAvailable / MemTotal. HostMemoryHigh fires above 90 % for 10 minutes.", "percentunit",
					`max(instance:node_memory_utilisation:ratio{`+i+`})`, threshold{"orange", 0.8}, threshold{"red", 0.9}),
				stat("Fullest filesystem", "Used share of the fullest real filesystem. HostDiskSpaceLow fires when less than 10 % is free.", "percentunit",
					`max(1 - node_filesystem_avail_bytes{`+fs+`} / node_filesystem_size_bytes{`+fs+`})`, threshold{"orange", 0.8}, threshold{"red", 0.9}),
				stat("Load (1m) per core", "1-minute load average divided by the number of cores.", "short",
					`max(node_load1{`+i+`}) / count(count by (cpu) (node_cpu_seconds_total{`+i+`}))`, threshold{"orange", 1}, threshold{"red", 2}),
				stat("Uptime", "Time since the host booted.", "s", `time() - max(node_boot_time_seconds{`+i+`})`),
				stat("Memory total", "Physical memory of the host.", "bytes", `max(node_memory_MemTotal_bytes{`+i+`})`),
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
				stat("Last backup age", "Time since the last successful backup (agora_backup.prom). BackupTooOld fires after 26 hours.", "s",
					`time() - max(agora_backup_last_success_timestamp_seconds{job="node"})`, threshold{"orange", 25 * 3600}, threshold{"red", 26 * 3600}),
				func() panel {
					p := stat("Last backup result", "1 when the last backup run succeeded, 0 when it failed (BackupFailed).", "bool_yes_no",
						`min(agora_backup_last_status{job="node"})`)
					p.steps = nil
					p.extra = obj{"graphMode": "none"}
					return p
				}(),
				stat("Last backup size", "Size of the last backup file; a sudden drop means an incomplete dump.", "bytes",
					`max(agora_backup_last_size_bytes{job="node"})`),
				stat("Last backup run", "Time since the backup script last ran, successful or not.", "s",
					`time() - max(agora_backup_last_run_timestamp_seconds{job="node"})`, threshold{"red", 26 * 3600}),
				panel{typ: "stat", title: "TLS certificate expires in", desc: "Time left on each TLS certificate (agora_tls.prom from the renewal hook). TLSCertExpiring warns at 14 days and pages at 3.", unit: "s", ds: prom, w: 8, h: 4,
					targets: []target{{`min by (domain) (agora_tls_cert_expiry_timestamp_seconds{job="node"}) - time()`, "{{domain}}"}},
					base:    "red", steps: []threshold{{"orange", 3 * 86400}, {"green", 14 * 86400}}},
			}},
		},
	}
}

func logs() board {
	sel := `{service=~"$service"}`
	textVar := func(name, label string) obj {
		return obj{"name": name, "label": label, "type": "textbox", "query": "", "current": obj{"text": "", "value": ""}}
	}
	return board{
		uid: "agora-logs", title: "Agora / Logs", refresh: "",
		desc: "Container logs in Loki, shipped by Alloy. Streams are labelled by compose service and level; route and status are structured metadata; request_id and trace_id stay in the line: paste one into the search box.",
		tags: []string{"agora", "logs"},
		vars: []obj{
			func() obj {
				v := queryVar("service", "Service", loki, `label_values(service)`)
				v["query"] = obj{"type": 1, "label": "service", "stream": "", "refId": "var-service"}
				v["definition"] = "label_values(service)"
				return v
			}(),
			textVar("search", "Search (request_id, trace_id or text)"),
		},
		rows: []row{
			{"Volume", []panel{
				{typ: "timeseries", title: "Log lines by level", desc: "Log lines per interval for the selected services, by level.", unit: "short", ds: loki, w: 12, h: 8,
					targets: []target{{`sum by (level) (count_over_time(` + sel + ` [$__auto]))`, "{{level}}"}}},
				{typ: "timeseries", title: "Backend 5xx lines per status", desc: "Backend request log lines with a 5xx status, per status (status is structured metadata, not a label).", unit: "short", ds: loki, w: 12, h: 8,
					targets: []target{{`sum by (status) (count_over_time({service="backend"} | status=~"5.." [$__auto]))`, "{{status}}"}}, steps: []threshold{{"red", 1}}},
			}},
			{"Lines", []panel{
				{typ: "logs", title: "Logs (search)", desc: "Lines of the selected services containing the search text: a request_id from an X-Request-ID header or problem document, a trace_id, or any word.", unit: "none", ds: loki, w: 24, h: 14,
					targets: []target{{sel + ` |= "$search"`, ""}}},
				{typ: "logs", title: "Errors", desc: "Lines at level error or fatal (Alloy normalises every service's level to debug, info, warn, error, fatal or unknown), and backend requests that ended in 5xx.", unit: "none", ds: loki, w: 24, h: 10,
					targets: []target{{`{service=~"$service", level=~"error|fatal"}`, ""}, {`{service="backend"} | status=~"5.."`, ""}}},
				{typ: "logs", title: "Slow backend requests (over 1 s)", desc: "Backend request lines whose duration is above one second, with request_id and trace_id to follow up.", unit: "none", ds: loki, w: 24, h: 10,
					targets: []target{{`{service="backend"} |= "\"msg\":\"request\"" | json duration="duration" | duration > 1`, ""}}},
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
				stat("Firing alerts", "Alerts firing in Prometheus, Watchdog excluded.", "short",
					`count(ALERTS{alertstate="firing",alertname!="Watchdog"}) or vector(0)`, threshold{"red", 1}),
				stat("Pending alerts", "Alerts whose condition holds but whose `for` has not run out yet.", "short",
					`count(ALERTS{alertstate="pending"}) or vector(0)`, threshold{"orange", 1}),
				func() panel {
					p := stat("Watchdog firing", "The dead man's switch: 1 while the always-firing Watchdog alert is active. 0 means rule evaluation is broken.", "bool_yes_no",
						`count(ALERTS{alertname="Watchdog",alertstate="firing"}) or vector(0)`)
					p.base, p.steps = "red", []threshold{{"green", 1}}
					p.extra = obj{"graphMode": "none"}
					return p
				}(),
				stat("Targets down", "Scrape targets that Prometheus cannot reach.", "short",
					`count(up == 0) or vector(0)`, threshold{"red", 1}),
				stat("Active silences", "Silences in force in Alertmanager.", "short",
					`sum(alertmanager_silences{state="active"}) or vector(0)`, threshold{"orange", 1}),
				stat("Failed notifications (1h)", "Notifications Alertmanager failed to deliver in the last hour (AlertmanagerNotificationsFailing).", "short",
					`sum(increase(alertmanager_notifications_failed_total[1h])) or vector(0)`, threshold{"red", 1}),
			}},
			{"Alerts", []panel{
				{typ: "table", title: "Firing and pending alerts", desc: "Every alert Prometheus holds right now, with its labels.", unit: "none", ds: prom, w: 24, h: 8, instant: true,
					targets: []target{{`ALERTS`, ""}}},
				ts("Firing alerts by severity", "Number of firing alerts per severity over time.", "short", 12,
					t1(`sum by (severity) (ALERTS{alertstate="firing"})`, "{{severity}}")),
				ts("Notifications per second", "Notifications sent by integration (email, webhook for the heartbeat, slack, pagerduty) and failures.", "ops", 12, []target{
					{`sum by (integration) (rate(alertmanager_notifications_total[$__rate_interval]))`, "{{integration}} sent"},
					{`sum by (integration) (rate(alertmanager_notifications_failed_total[$__rate_interval]))`, "{{integration}} failed"},
				}),
			}},
			{"Pipeline health", []panel{
				{typ: "table", title: "Scrape targets", desc: "Every scrape target and whether it is up (1) or down (0).", unit: "none", ds: prom, w: 12, h: 8, instant: true,
					targets: []target{{`up`, ""}}, base: "red", steps: []threshold{{"green", 1}}},
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
	for name, b := range map[string]board{
		"agora-overview.json": overview(),
		"postgres.json":       postgres(),
		"host.json":           host(),
		"logs.json":           logs(),
		"alerts.json":         alerts(),
	} {
		data, err := json.MarshalIndent(b.json(), "", "  ")
		if err != nil {
			panic(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), append(data, '\n'), 0o644); err != nil {
			panic(err)
		}
		fmt.Println("wrote", filepath.Join(dir, name))
	}
}
