package main

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// logsBoard is the container logs in Loki (logs.json).
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
