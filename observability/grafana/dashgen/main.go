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
)

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
