package main

// The panel and board model, and its translation into the SDK's builders;
// the boards themselves are one file each (overview.go, postgres.go...).

import (
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
