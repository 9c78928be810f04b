package observability_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	yaml "go.yaml.in/yaml/v4"

	"agora/internal/systest"
)

// needTool returns the path of the first of names found on PATH. A missing
// tool is reported by systest.Missing (fails under CI=true), naming the
// Debian package (all are listed in scripts/apt-packages.txt).
func needTool(t testing.TB, pkg string, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	systest.Missing(t, strings.Join(names, " or ")+" not found: apt-get install "+pkg+" (listed in scripts/apt-packages.txt; `make deps` installs it)")
	return ""
}

// goTool finds the go command (make puts it on PATH).
func goTool(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go command not on PATH: %v", err)
	}
	return p
}

// runTool runs a command with a deadline and returns its combined output.
func runTool(t testing.TB, timeout time.Duration, dir, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	return out.String(), err
}

// obsDir is this folder, observability/ (go test runs in the package folder).
func obsDir(t testing.TB) string {
	t.Helper()
	d, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func readYAML(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func globFiles(t testing.TB, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	if len(m) == 0 {
		t.Fatalf("no files match %s", pattern)
	}
	sort.Strings(m)
	return m
}

// Prometheus rule files.
type ruleFile struct {
	Groups []ruleGroup `yaml:"groups"`
}

type ruleGroup struct {
	Name     string `yaml:"name"`
	Interval string `yaml:"interval,omitempty"`
	Rules    []rule `yaml:"rules"`
}

type rule struct {
	Record      string            `yaml:"record,omitempty"`
	Alert       string            `yaml:"alert,omitempty"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for,omitempty"`
	Labels      map[string]string `yaml:"labels,omitempty"`
	Annotations map[string]string `yaml:"annotations,omitempty"`
}

func loadRules(t testing.TB) map[string]ruleFile {
	t.Helper()
	out := map[string]ruleFile{}
	for _, f := range globFiles(t, filepath.Join(obsDir(t), "prometheus", "rules", "*.yml")) {
		var rf ruleFile
		readYAML(t, f, &rf)
		out[f] = rf
	}
	return out
}

// Grafana dashboards (only the fields the tests read).
type dashboard struct {
	UID        string  `json:"uid"`
	Title      string  `json:"title"`
	Panels     []panel `json:"panels"`
	Templating struct {
		List []struct {
			Name       string `json:"name"`
			Type       string `json:"type"`
			Query      any    `json:"query"`
			Datasource *dsRef `json:"datasource"`
			IncludeAll bool   `json:"includeAll"`
			AllValue   string `json:"allValue"`
		} `json:"list"`
	} `json:"templating"`
}

type dsRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type panel struct {
	ID          int     `json:"id"`
	Type        string  `json:"type"`
	Title       string  `json:"title"`
	Description string  `json:"description"`
	Datasource  *dsRef  `json:"datasource"`
	Panels      []panel `json:"panels"`
	FieldConfig struct {
		Defaults struct {
			Unit       string `json:"unit"`
			Thresholds *struct {
				Steps []struct {
					Color string   `json:"color"`
					Value *float64 `json:"value"`
				} `json:"steps"`
			} `json:"thresholds"`
		} `json:"defaults"`
	} `json:"fieldConfig"`
	Targets []struct {
		RefID      string `json:"refId"`
		Expr       string `json:"expr"`
		Datasource *dsRef `json:"datasource"`
	} `json:"targets"`
}

// allPanels flattens rows.
func (d dashboard) allPanels() []panel {
	var out []panel
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			out = append(out, p)
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	return out
}

var templateVar = regexp.MustCompile(`\$\{?(\w+)(?::\w+)?\}?`)

// substituteVars replaces Grafana template variables in a PromQL query:
// the interval variables by window, every other variable (always used inside
// a regex matcher, which TestDashboards checks) by ".+", the variables' "All"
// value (TestLogQLSelectors checks that it is that).
func substituteVars(expr, window string) string {
	return templateVar.ReplaceAllStringFunc(expr, func(m string) string {
		name := templateVar.FindStringSubmatch(m)[1]
		switch name {
		case "__rate_interval", "__interval", "__range", "__range_s":
			return window
		default:
			return ".+"
		}
	})
}
