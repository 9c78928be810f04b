package observability_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	yaml "go.yaml.in/yaml/v4"
)

var datasourceUIDs = map[string]string{"prometheus": "prometheus", "loki": "loki", "alertmanager": "alertmanager"}

func TestGrafanaProvisioning(t *testing.T) {
	t.Parallel()
	var ds struct {
		APIVersion  int `yaml:"apiVersion"`
		Datasources []struct {
			Name, UID, Type, URL, Access string
		} `yaml:"datasources"`
	}
	readYAML(t, filepath.Join(obsDir(t), "grafana", "provisioning", "datasources", "datasources.yaml"), &ds)
	wantURL := map[string]string{"prometheus": "http://prometheus:9090", "loki": "http://loki:3100", "alertmanager": "http://alertmanager:9093"}
	if ds.APIVersion != 1 || len(ds.Datasources) != 3 {
		t.Fatalf("datasources: apiVersion %d, %d entries; want 1 and 3", ds.APIVersion, len(ds.Datasources))
	}
	for _, d := range ds.Datasources {
		if datasourceUIDs[d.Type] != d.UID || wantURL[d.Type] != d.URL || d.Access != "proxy" {
			t.Errorf("datasource %s: type %s uid %s url %s access %s", d.Name, d.Type, d.UID, d.URL, d.Access)
		}
	}
	var prov struct {
		APIVersion int `yaml:"apiVersion"`
		Providers  []struct {
			Type    string `yaml:"type"`
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	readYAML(t, filepath.Join(obsDir(t), "grafana", "provisioning", "dashboards", "dashboards.yaml"), &prov)
	if len(prov.Providers) != 1 || prov.Providers[0].Type != "file" || prov.Providers[0].Options.Path != "/var/lib/grafana/dashboards" {
		t.Errorf("dashboard provider: %+v (deploy/compose.yaml mounts the dashboards at /var/lib/grafana/dashboards)", prov.Providers)
	}
}

func loadDashboards(t testing.TB) map[string]dashboard {
	t.Helper()
	out := map[string]dashboard{}
	for _, f := range globFiles(t, filepath.Join(obsDir(t), "grafana", "dashboards", "*.json")) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d dashboard
		dec := json.NewDecoder(bytes.NewReader(b))
		if err := dec.Decode(&d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[filepath.Base(f)] = d
	}
	return out
}

// Panel types that show numbers carry a unit; every panel has a description;
// every query names a provisioned data source; custom template variables are
// only used inside regex matchers (=~), so substituting ".*" keeps meaning.
func TestDashboards(t *testing.T) {
	t.Parallel()
	boards := loadDashboards(t)
	for _, want := range []string{"agora-overview.json", "postgres.json", "host.json", "logs.json", "alerts.json"} {
		if _, ok := boards[want]; !ok {
			t.Errorf("dashboard %s missing", want)
		}
	}
	uids := map[string]string{}
	varUse := regexp.MustCompile(`(=~|!~)?"?\$\{?(\w+)`)
	for file, d := range boards {
		if d.UID == "" || d.Title == "" {
			t.Errorf("%s: uid/title empty", file)
		}
		if other, dup := uids[d.UID]; dup {
			t.Errorf("%s: uid %s also used by %s", file, d.UID, other)
		}
		uids[d.UID] = file
		vars := map[string]bool{}
		for _, v := range d.Templating.List {
			vars[v.Name] = true
		}
		ids := map[int]bool{}
		panels := d.allPanels()
		if len(panels) < 4 {
			t.Errorf("%s: only %d panels", file, len(panels))
		}
		for _, p := range panels {
			where := file + ": panel " + p.Title
			if ids[p.ID] {
				t.Errorf("%s: duplicate id %d", where, p.ID)
			}
			ids[p.ID] = true
			if p.Type == "row" {
				continue
			}
			if strings.TrimSpace(p.Description) == "" {
				t.Errorf("%s: no description", where)
			}
			switch p.Type {
			case "logs", "text", "alertlist":
				// No unit in Grafana for these.
			default:
				if p.FieldConfig.Defaults.Unit == "" {
					t.Errorf("%s: no unit", where)
				}
				if p.FieldConfig.Defaults.Thresholds == nil || len(p.FieldConfig.Defaults.Thresholds.Steps) == 0 {
					t.Errorf("%s: no thresholds block", where)
				}
			}
			if p.Datasource == nil || datasourceUIDs[p.Datasource.Type] != p.Datasource.UID {
				t.Errorf("%s: data source %+v is not a provisioned one", where, p.Datasource)
			}
			if len(p.Targets) == 0 {
				t.Errorf("%s: no queries", where)
			}
			for _, tg := range p.Targets {
				if strings.TrimSpace(tg.Expr) == "" {
					t.Errorf("%s: empty query %s", where, tg.RefID)
				}
				if tg.Datasource != nil && datasourceUIDs[tg.Datasource.Type] != tg.Datasource.UID {
					t.Errorf("%s: query %s data source %+v", where, tg.RefID, tg.Datasource)
				}
				for _, m := range varUse.FindAllStringSubmatch(tg.Expr, -1) {
					name := m[2]
					if strings.HasPrefix(name, "__") {
						continue
					}
					if !vars[name] {
						t.Errorf("%s: query uses undefined variable $%s", where, name)
					}
					if p.Datasource.Type == "prometheus" && m[1] == "" {
						t.Errorf("%s: $%s used outside a regex matcher: %s", where, name, tg.Expr)
					}
				}
				if p.Datasource.Type == "loki" && strings.Count(tg.Expr, "{") != strings.Count(tg.Expr, "}") {
					t.Errorf("%s: unbalanced braces in LogQL %q", where, tg.Expr)
				}
			}
		}
	}
}

// dashboardPromQL returns every Prometheus query of every dashboard panel and
// variable, template variables substituted with window for the intervals.
func dashboardPromQL(t testing.TB, window string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for file, d := range loadDashboards(t) {
		for _, p := range d.allPanels() {
			if p.Datasource == nil || p.Datasource.Type != "prometheus" {
				continue
			}
			for _, tg := range p.Targets {
				out[file+": "+p.Title+" ["+tg.RefID+"]"] = substituteVars(tg.Expr, window)
			}
		}
	}
	return out
}

// Every PromQL query of the dashboards parses, checked by promtool on a rule
// file made of them (one recording rule per query).
func TestDashboardQueriesParse(t *testing.T) {
	t.Parallel()
	promtool := needTool(t, "prometheus", "promtool")
	queries := dashboardPromQL(t, "5m")
	var rf ruleFile
	g := ruleGroup{Name: "dashboards"}
	names := map[string]string{}
	i := 0
	for where, q := range queries {
		i++
		rec := fmt.Sprintf("dashboard:query_%03d:check", i)
		names[rec] = where
		g.Rules = append(g.Rules, rule{Record: rec, Expr: q})
	}
	rf.Groups = []ruleGroup{g}
	b, err := yaml.Marshal(rf)
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "dashboards.yml")
	if err := os.WriteFile(f, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runTool(t, time.Minute, obsDir(t), promtool, "check", "rules", f)
	if err != nil {
		for rec, where := range names {
			out = strings.ReplaceAll(out, rec, rec+" ("+where+")")
		}
		t.Fatalf("dashboard queries do not parse: %v\n%s", err, out)
	}
	if len(queries) < 40 {
		t.Errorf("only %d dashboard queries found", len(queries))
	}
}

// The JSON files are exactly what grafana/dashgen (Grafana Foundation SDK)
// writes, and no other JSON file sits beside them (like sqlc diff).
func TestDashboardsMatchGenerator(t *testing.T) {
	t.Parallel()
	goBin := goTool(t)
	dir := t.TempDir()
	out, err := runTool(t, 3*time.Minute, obsDir(t), goBin, "run", "./grafana/dashgen", dir)
	if err != nil {
		t.Fatalf("go run ./grafana/dashgen: %v\n%s", err, out)
	}
	generated := globFiles(t, filepath.Join(dir, "*.json"))
	committed := globFiles(t, filepath.Join(obsDir(t), "grafana", "dashboards", "*.json"))
	if len(generated) != len(committed) {
		t.Errorf("dashgen writes %d dashboards, %d are committed", len(generated), len(committed))
	}
	for _, f := range committed {
		want, err := os.ReadFile(filepath.Join(dir, filepath.Base(f)))
		if err != nil {
			t.Errorf("%s is not written by dashgen: remove it or add it to observability/grafana/dashgen", f)
			continue
		}
		got, _ := os.ReadFile(f)
		if !bytes.Equal(want, got) {
			t.Errorf("%s differs from dashgen's output: run `go run ./observability/grafana/dashgen` and commit", f)
		}
	}
}
