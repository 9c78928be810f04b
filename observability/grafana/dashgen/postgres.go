package main

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// postgres is the database through postgres_exporter (postgres.json).
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
