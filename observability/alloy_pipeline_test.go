package observability_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"
)

// Alloy cannot run here, so TestAlloyPipelineLevels runs the loki.process
// stages of config.alloy itself, with the semantics of Alloy's stages as far
// as this file uses them (Alloy is Go: the regex engine (RE2) and the
// template engine (text/template) are the same ones used here):
//
//   - stage.match: the LogQL stream selector and line filters (|= != |~ !~);
//   - stage.json: top-level keys only (the config uses no JMESPath beyond a
//     key, and the test refuses anything else); a missing key extracts nil;
//   - stage.logfmt, stage.regex (named groups, optional source),
//     stage.template (extracted values and .Value; an empty result deletes
//     the key, as in Alloy), stage.labels, stage.static_labels,
//     stage.structured_metadata; stage.timestamp parses the time with the
//     configured format and fails on a sample it cannot read.
//
// What this does not prove: that Alloy accepts every attribute, the Docker
// discovery and the push to Loki. A stage kind it does not know fails the
// test, so the simulation cannot silently skip a new stage.

// stageT is what the stage simulation needs of a test: *testing.T, or the
// live test's collector for the Alloy stand-in's goroutine.
type stageT interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

type logEntry struct {
	labels    map[string]string
	line      string
	extracted map[string]any
	metadata  map[string]string
	counters  *alloyCounters // stage.metrics counters; nil: not recorded
}

// alloyCounters holds what stage.metrics counters would export, keyed by
// name and the entry's labels in exposition format.
type alloyCounters struct {
	mu     sync.Mutex
	values map[string]float64
	help   map[string]string
}

func (c *alloyCounters) inc(name, help string, labels map[string]string) {
	keys := slices.Sorted(maps.Keys(labels))
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+"="+strconv.Quote(labels[k]))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.values == nil {
		c.values, c.help = map[string]float64{}, map[string]string{}
	}
	c.values[name+"{"+strings.Join(parts, ",")+"}"]++
	c.help[name] = help
}

// exposition renders the counters in the Prometheus text format.
func (c *alloyCounters) exposition() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	for _, name := range slices.Sorted(maps.Keys(c.help)) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s counter\n", name, c.help[name], name)
		for _, k := range slices.Sorted(maps.Keys(c.values)) {
			if strings.HasPrefix(k, name+"{") {
				fmt.Fprintf(&b, "%s %g\n", k, c.values[k])
			}
		}
	}
	return b.String()
}

func (c *alloyCounters) get(key string) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.values[key]
}

// alloyObject parses an object literal expression as the parser keeps it:
// `{ a = "x" , b = "y" , }`.
func alloyObject(t stageT, expr string) map[string]string {
	t.Helper()
	out := map[string]string{}
	re := regexp.MustCompile("(?:^\\{|,)\\s*(\"?[A-Za-z_]\\w*\"?)\\s*=\\s*(\"(?:[^\"\\\\]|\\\\.)*\"|`[^`]*`)")
	for _, m := range re.FindAllStringSubmatch(expr, -1) {
		v, err := strconv.Unquote(m[2])
		if err != nil {
			t.Fatalf("object %s: %v", expr, err)
		}
		out[strings.Trim(m[1], `"`)] = v
	}
	inner := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(expr), "{"), "}"))
	if inner != "" && len(out) == 0 {
		t.Fatalf("object %s: no key = \"string\" pairs", expr)
	}
	return out
}

// alloyStringList reads a list of string literals, `["a", "b"]`.
func alloyStringList(t stageT, expr string) []string {
	t.Helper()
	inner := strings.TrimSpace(expr)
	if !strings.HasPrefix(inner, "[") || !strings.HasSuffix(inner, "]") {
		t.Fatalf("list %s: not a [ ... ] of strings", expr)
	}
	var out []string
	for _, m := range regexp.MustCompile(`"(?:[^"\\]|\\.)*"`).FindAllString(inner, -1) {
		v, err := strconv.Unquote(m)
		if err != nil {
			t.Fatalf("list %s: %v", expr, err)
		}
		out = append(out, v)
	}
	if len(out) == 0 && strings.Trim(inner, "[] \n") != "" {
		t.Fatalf("list %s: no string literals", expr)
	}
	return out
}

// applyRelabel runs discovery.relabel rules (the keep and replace actions,
// Prometheus semantics: source labels joined by ";", the regex anchored,
// default "(.*)", replacement default "$1") on a target, then drops the
// labels starting with "__" as loki.source.docker does. nil: dropped.
func applyRelabel(t stageT, rules []*alloyBlock, target map[string]string) map[string]string {
	t.Helper()
	lbls := maps.Clone(target)
	for _, r := range rules {
		var vals []string
		for _, name := range alloyStringList(t, r.attrs["source_labels"]) {
			vals = append(vals, lbls[name])
		}
		regex := alloyString(t, r, "regex")
		if regex == "" {
			regex = "(.*)"
		}
		re := regexp.MustCompile("^(?:" + regex + ")$")
		val := strings.Join(vals, ";")
		switch action := alloyString(t, r, "action"); action {
		case "keep":
			if !re.MatchString(val) {
				return nil
			}
		case "", "replace":
			m := re.FindStringSubmatchIndex(val)
			if m == nil {
				continue
			}
			repl := alloyString(t, r, "replacement")
			if _, ok := r.attrs["replacement"]; !ok {
				repl = "$1"
			}
			out := string(re.ExpandString(nil, repl, val, m))
			target := alloyString(t, r, "target_label")
			if out == "" {
				delete(lbls, target)
			} else {
				lbls[target] = out
			}
		default:
			t.Fatalf("relabel action %q not simulated", action)
		}
	}
	for k := range lbls {
		if strings.HasPrefix(k, "__") {
			delete(lbls, k)
		}
	}
	return lbls
}

// loadAlloyRelabelRules returns the rules of discovery.relabel "containers".
func loadAlloyRelabelRules(t *testing.T) []*alloyBlock {
	t.Helper()
	for _, b := range loadAlloyRoot(t).blocks {
		if b.name == "discovery.relabel" && b.label == "containers" {
			return b.children("rule")
		}
	}
	t.Fatal("discovery.relabel \"containers\" not found")
	return nil
}

// dockerEntry is a log line of a Compose container as Alloy sees it: the
// Docker target relabelled by config.alloy's rules.
func dockerEntry(t *testing.T, rules []*alloyBlock, service, name, stream, line string) *logEntry {
	t.Helper()
	lbls := applyRelabel(t, rules, map[string]string{
		"__meta_docker_container_label_com_docker_compose_service": service,
		"__meta_docker_container_label_com_docker_compose_project": "agora",
		"__meta_docker_container_name":                             "/" + name,
		"__meta_docker_container_log_stream":                       stream,
	})
	if lbls == nil {
		t.Fatalf("relabel drops compose container %s", name)
	}
	return &logEntry{labels: lbls, line: line, extracted: map[string]any{}, metadata: map[string]string{}}
}

func alloyString(t stageT, b *alloyBlock, attr string) string {
	t.Helper()
	raw, ok := b.attrs[attr]
	if !ok {
		return ""
	}
	s, err := strconv.Unquote(raw)
	if err != nil {
		t.Fatalf("%s.%s = %s: not a string literal: %v", b.name, attr, raw, err)
	}
	return s
}

var lineFilterRe = regexp.MustCompile(`^\s*(\|=|!=|\|~|!~)\s*("(?:[^"\\]|\\.)*"|` + "`[^`]*`" + `)`)

// matchSelector evaluates a stage.match selector: stream matchers, then line filters.
func matchSelector(t stageT, sel string, e *logEntry) bool {
	t.Helper()
	end, ms, err := parseSelector(sel, strings.Index(sel, "{"))
	if err != nil {
		t.Fatalf("selector %q: %v", sel, err)
	}
	for _, m := range ms {
		v := e.labels[m.name]
		switch m.op {
		case "=":
			if v != m.value {
				return false
			}
		case "!=":
			if v == m.value {
				return false
			}
		case "=~", "!~":
			re := regexp.MustCompile("^(?:" + m.value + ")$")
			if re.MatchString(v) != (m.op == "=~") {
				return false
			}
		}
	}
	rest := sel[end+1:]
	for strings.TrimSpace(rest) != "" {
		f := lineFilterRe.FindStringSubmatch(rest)
		if f == nil {
			t.Fatalf("selector %q: cannot read line filter %q", sel, rest)
		}
		arg, err := strconv.Unquote(f[2])
		if err != nil {
			t.Fatalf("%v", err)
		}
		var ok bool
		switch f[1] {
		case "|=":
			ok = strings.Contains(e.line, arg)
		case "!=":
			ok = !strings.Contains(e.line, arg)
		case "|~":
			ok = regexp.MustCompile(arg).MatchString(e.line)
		case "!~":
			ok = !regexp.MustCompile(arg).MatchString(e.line)
		}
		if !ok {
			return false
		}
		rest = rest[len(f[0]):]
	}
	return true
}

// parseLogfmt reads key=value pairs (values bare or double-quoted).
func parseLogfmt(line string) map[string]string {
	out := map[string]string{}
	re := regexp.MustCompile(`([^\s=]+)=("(?:[^"\\]|\\.)*"|\S*)`)
	for _, m := range re.FindAllStringSubmatch(line, -1) {
		v := m[2]
		if strings.HasPrefix(v, `"`) {
			if u, err := strconv.Unquote(v); err == nil {
				v = u
			}
		}
		if _, seen := out[m[1]]; !seen {
			out[m[1]] = v
		}
	}
	return out
}

func extractedString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	case nil:
		return "", false
	}
	return fmt.Sprint(v), true
}

var alloyTemplateFuncs = template.FuncMap{
	"ToLower": strings.ToLower, "ToUpper": strings.ToUpper, "Replace": strings.Replace,
	"Trim": strings.Trim, "TrimLeft": strings.TrimLeft, "TrimRight": strings.TrimRight,
	"TrimPrefix": strings.TrimPrefix, "TrimSuffix": strings.TrimSuffix, "TrimSpace": strings.TrimSpace,
}

// runPipeline runs a loki.process pipeline on e: as in Alloy, the extracted
// map starts with the entry's labels, then the stages run in order.
func runPipeline(t stageT, stages []*alloyBlock, e *logEntry) {
	t.Helper()
	for k, v := range e.labels {
		e.extracted[k] = v
	}
	runStages(t, stages, e)
}

// runStages applies stages to e in order.
func runStages(t stageT, stages []*alloyBlock, e *logEntry) {
	t.Helper()
	for _, st := range stages {
		switch st.name {
		case "stage.match":
			if matchSelector(t, alloyString(t, st, "selector"), e) {
				runStages(t, st.blocks, e)
			}
		case "stage.json":
			var obj map[string]any
			if err := json.Unmarshal([]byte(e.line), &obj); err != nil {
				continue // Alloy drops nothing; the stage just extracts nothing
			}
			for name, key := range alloyObject(t, st.attrs["expressions"]) {
				if key == "" {
					key = name
				}
				if !regexp.MustCompile(`^[A-Za-z_]\w*$`).MatchString(key) {
					t.Fatalf("stage.json expression %q: only plain keys are simulated", key)
				}
				// A key the line lacks is extracted as nil (JMESPath's
				// answer), which later stages treat as absent, except a
				// counter without value, which counts it (as in Alloy).
				e.extracted[name] = obj[key]
			}
		case "stage.logfmt":
			kv := parseLogfmt(e.line)
			for name, key := range alloyObject(t, st.attrs["mapping"]) {
				if key == "" {
					key = name
				}
				if v, ok := kv[key]; ok {
					e.extracted[name] = v
				}
			}
		case "stage.regex":
			re, err := regexp.Compile(alloyString(t, st, "expression"))
			if err != nil {
				t.Fatalf("stage.regex: %v", err)
			}
			in := e.line
			if src := alloyString(t, st, "source"); src != "" {
				s, ok := extractedString(e.extracted[src])
				if !ok {
					continue
				}
				in = s
			}
			m := re.FindStringSubmatch(in)
			if m == nil {
				continue
			}
			for i, name := range re.SubexpNames() {
				if i > 0 && name != "" {
					e.extracted[name] = m[i]
				}
			}
		case "stage.template":
			src := alloyString(t, st, "source")
			tpl, err := template.New("t").Funcs(alloyTemplateFuncs).Parse(alloyString(t, st, "template"))
			if err != nil {
				t.Fatalf("stage.template for %s: %v", src, err)
			}
			td := map[string]any{"Entry": e.line}
			for k, v := range e.extracted {
				if s, ok := extractedString(v); ok {
					td[k] = s
					if k == src {
						td["Value"] = s
					}
				}
			}
			var buf bytes.Buffer
			if err := tpl.Execute(&buf, td); err != nil {
				t.Fatalf("stage.template for %s fails on %q: %v", src, e.line, err)
			}
			if buf.Len() == 0 {
				delete(e.extracted, src)
			} else {
				e.extracted[src] = buf.String()
			}
		case "stage.labels":
			setFromExtracted(t, st, e, e.labels)
		case "stage.static_labels":
			maps.Copy(e.labels, alloyObject(t, st.attrs["values"]))
		case "stage.label_drop":
			for _, name := range alloyStringList(t, st.attrs["values"]) {
				delete(e.labels, name)
			}
		case "stage.structured_metadata":
			setFromExtracted(t, st, e, e.metadata)
		case "stage.metrics":
			// Alloy's counter: with match_all it counts every entry; otherwise
			// only entries whose extracted source exists, and with value set
			// only those whose source equals it. Labels are the entry's labels
			// at this point; the name is prefix + name.
			for _, m := range st.blocks {
				if m.name != "metric.counter" {
					t.Fatalf("stage.metrics: %s not simulated", m.name)
				}
				// Alloy's own validation of the block.
				if a := alloyString(t, m, "action"); a != "inc" {
					t.Fatalf("metric.counter action %q not simulated (Alloy accepts inc and add)", a)
				}
				if m.attrs["match_all"] == "true" && alloyString(t, m, "value") != "" {
					t.Fatalf("metric.counter %s: Alloy refuses match_all together with value", alloyString(t, m, "name"))
				}
				if d := alloyString(t, m, "max_idle_duration"); d != "" {
					if dur, err := time.ParseDuration(d); err != nil || dur < time.Second {
						t.Fatalf("metric.counter max_idle_duration %q: Alloy wants a duration of at least 1s", d)
					}
				}
				prefix := alloyString(t, m, "prefix")
				if prefix == "" {
					prefix = "loki_process_custom_"
				}
				name := prefix + alloyString(t, m, "name")
				source := alloyString(t, m, "source")
				if source == "" {
					source = alloyString(t, m, "name") // Alloy's default
				}
				if m.attrs["match_all"] != "true" {
					v, ok := e.extracted[source]
					if !ok {
						continue
					}
					if want := alloyString(t, m, "value"); want != "" {
						if s, _ := extractedString(v); s != want {
							continue
						}
					}
				}
				if e.counters != nil {
					e.counters.inc(name, alloyString(t, m, "description"), e.labels)
				}
			}
		case "stage.timestamp":
			src := alloyString(t, st, "source")
			s, ok := extractedString(e.extracted[src])
			if !ok {
				continue
			}
			layouts := map[string]string{"RFC3339": time.RFC3339, "RFC3339Nano": time.RFC3339Nano}
			layout, known := layouts[alloyString(t, st, "format")]
			if !known {
				t.Fatalf("stage.timestamp format %q not simulated", alloyString(t, st, "format"))
			}
			if _, err := time.Parse(layout, s); err != nil {
				t.Errorf("stage.timestamp: %q does not parse as %s: %v", s, alloyString(t, st, "format"), err)
			}
		default:
			t.Fatalf("%s: stage not simulated by this test; add it to runStages", st.name)
		}
	}
}

// setFromExtracted is stage.labels and stage.structured_metadata: dst gets
// each name of the stage's values map, with the extracted value of its
// source (the name itself when the source is empty) when that is a string.
func setFromExtracted(t stageT, st *alloyBlock, e *logEntry, dst map[string]string) {
	for name, src := range alloyObject(t, st.attrs["values"]) {
		if src == "" {
			src = name
		}
		if s, ok := extractedString(e.extracted[src]); ok {
			dst[name] = s
		}
	}
}

// loadAlloyRoot lexes and parses alloy/config.alloy into its top-level block.
func loadAlloyRoot(t *testing.T) *alloyBlock {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(obsDir(t), "alloy", "config.alloy"))
	if err != nil {
		t.Fatal(err)
	}
	toks, err := lexAlloy(string(src))
	if err != nil {
		t.Fatalf("lex config.alloy: %v", err)
	}
	p := &alloyParser{toks: toks}
	root, err := p.body(true)
	if err != nil {
		t.Fatalf("parse config.alloy: %v", err)
	}
	return root
}

func loadAlloyProcessStages(t *testing.T) []*alloyBlock {
	t.Helper()
	for _, b := range loadAlloyRoot(t).blocks {
		if b.name == "loki.process" && b.label == "containers" {
			return b.blocks
		}
	}
	t.Fatal("loki.process \"containers\" not found")
	return nil
}

// Sample lines from each service, as the Docker log driver hands them to
// Alloy, and the level label each must end with ("" = no level label).
var alloyLevelSamples = []struct {
	service, line, level string
	metadata             map[string]string
}{
	// Agora (zap JSON, lower case).
	{"backend", `{"level":"info","time":"2026-12-06T06:00:00.123456789Z","msg":"request","request_id":"r1","method":"GET","route":"/api/v1/feed","status":200,"duration":0.004}`, "info", map[string]string{"route": "/api/v1/feed", "status": "200"}},
	{"backend", `{"level":"error","time":"2026-12-06T06:00:01.5Z","msg":"request failed","route":"/api/v1/posts","status":503,"error":"database unavailable"}`, "error", map[string]string{"route": "/api/v1/posts", "status": "503"}},
	{"backend", `{"level":"warn","time":"2026-12-06T06:00:02Z","msg":"slow query"}`, "warn", nil},
	{"backend", `{"level":"dpanic","time":"2026-12-06T06:00:02Z","msg":"invariant"}`, "error", nil},
	{"backend", `{"level":"fatal","time":"2026-12-06T06:00:02Z","msg":"cannot start: DATABASE_URL"}`, "fatal", nil},
	// Agora's plain-text last words on stderr, as the binary prints them
	// (DATABASE_URL= agora serve; agora migrate up against a closed port).
	{"backend", `agora: invalid configuration: DATABASE_URL: must be set`, "fatal", nil},
	{"backend", `panic: runtime error: index out of range [3] with length 3`, "fatal", nil},
	{"backend", `fatal error: concurrent map writes`, "fatal", nil},
	{"backend", `goroutine 1 [running]:`, "", nil},
	// The migrate job (agora migrate up): progress on stdout, failure on stderr.
	{"migrate", "agora: migrate up: unavailable: the database is unavailable: failed to initialize: failed to connect to `user=agora database=agora`: 127.0.0.1:1 (127.0.0.1): dial error: dial tcp 127.0.0.1:1: connect: connection refused", "fatal", nil},
	{"migrate", `agora: invalid configuration: DATABASE_URL: must be set`, "fatal", nil},
	{"migrate", `applied 00003`, "info", nil},
	{"migrate", `no pending migrations`, "info", nil},
	// Prometheus 3 (slog, upper case).
	{"prometheus", `time=2026-12-06T06:00:00.000Z level=ERROR source=notifier.go:624 msg="Error sending alerts" alertmanager=http://alertmanager:9093/api/v2/alerts count=1 err="context deadline exceeded"`, "error", nil},
	{"prometheus", `time=2026-12-06T06:00:00.000Z level=INFO source=main.go:1234 msg="Server is ready to receive web requests."`, "info", nil},
	{"prometheus", `time=2026-12-06T06:00:00.000Z level=WARN source=scrape.go:1 msg="Append failed" err="out of order sample"`, "warn", nil},
	// Alertmanager 0.28 and the exporters (slog, upper case).
	{"alertmanager", `time=2026-12-06T06:00:00.000Z level=ERROR source=dispatch.go:360 msg="Notify for alerts failed" num_alerts=1 err="email/email[0]: notify retry canceled"`, "error", nil},
	{"node-exporter", `time=2026-12-06T06:00:00.000Z level=ERROR source=textfile.go:1 msg="failed to read textfile collector directory"`, "error", nil},
	{"postgres-exporter", `time=2026-12-06T06:00:00.000Z level=ERROR source=postgres_exporter.go:1 msg="Error opening connection to database" err="dial tcp: connection refused"`, "error", nil},
	{"blackbox-exporter", `time=2026-12-06T06:00:00.000Z level=DEBUG source=main.go:1 msg="Probe succeeded"`, "debug", nil},
	{"nginx-exporter", `time=2026-12-06T06:00:00.000Z level=ERROR source=nginx.go:1 msg="Error getting stats" error="failed to get http://nginx:8080/stub_status"`, "error", nil},
	// Loki and Alloy (go-kit logfmt, lower case); Grafana.
	{"loki", `level=warn ts=2026-12-06T06:00:00.000Z caller=push.go:1 msg="stream limit exceeded"`, "warn", nil},
	{"alloy", `ts=2026-12-06T06:00:00.000Z level=error msg="final error sending batch" component_id=loki.write.loki`, "error", nil},
	{"grafana", `logger=sqlstore t=2026-12-06T06:00:00.000Z level=info msg="Connecting to DB" dbtype=sqlite3`, "info", nil},
	{"grafana", `logger=alerting t=2026-12-06T06:00:00.000Z level=eror msg="failed"`, "error", nil},
	{"grafana", `logger=x t=2026-12-06T06:00:00.000Z level=crit msg="out of disk"`, "fatal", nil},
	{"prometheus", `time=2026-12-06T06:00:00.000Z level=NOTALEVEL msg="?"`, "unknown", nil},
	// Nginx access log (JSON) and error log.
	{"nginx", `{"time":"2026-12-06T06:00:00+00:00","msg":"access","remote_addr":"203.0.113.9","method":"GET","path":"/api/v1/feed","status":502,"request_time":0.001,"upstream_status":"502","request_id":"r2"}`, "error", map[string]string{"status": "502"}},
	{"nginx", `{"time":"2026-12-06T06:00:00+00:00","msg":"access","remote_addr":"203.0.113.9","method":"POST","path":"/api/v1/auth/login","status":429,"request_time":0.000,"request_id":"r3"}`, "warn", map[string]string{"status": "429"}},
	{"nginx", `{"time":"2026-12-06T06:00:00+00:00","msg":"access","remote_addr":"203.0.113.9","method":"GET","path":"/","status":200,"request_time":0.002,"request_id":"r4"}`, "info", map[string]string{"status": "200"}},
	{"nginx", `2026/12/06 06:00:00 [error] 29#29: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 203.0.113.9`, "error", nil},
	{"nginx", `2026/12/06 06:00:00 [warn] 1#1: the "http2_push" directive is obsolete`, "warn", nil},
	{"nginx", `2026/12/06 06:00:00 [notice] 1#1: signal process started`, "info", nil},
	// PostgreSQL (plain text, upper case severities).
	{"postgres", `2026-12-06 06:00:00.000 UTC [42] ERROR:  relation "nope" does not exist at character 15`, "error", nil},
	{"postgres", `2026-12-06 06:00:00.000 UTC [43] FATAL:  password authentication failed for user "agora"`, "fatal", nil},
	{"postgres", `2026-12-06 06:00:00.000 UTC [1] LOG:  database system is ready to accept connections`, "info", nil},
	{"postgres", `2026-12-06 06:00:00.000 UTC [42] WARNING:  there is no transaction in progress`, "warn", nil},
	{"postgres", `2026-12-06 06:00:00.000 UTC [42] STATEMENT:  select * from nope`, "", nil},
	// A service with no parser: no level label, never a made-up one.
	{"redis", `1:M 06 Dec 2026 06:00:00.000 * Ready to accept connections tcp`, "", nil},
}

func TestAlloyPipelineLevels(t *testing.T) {
	t.Parallel()
	stages := loadAlloyProcessStages(t)
	rules := loadAlloyRelabelRules(t)
	allowed := []string{"debug", "info", "warn", "error", "fatal", "unknown"}
	seen := map[string]bool{}
	for _, s := range alloyLevelSamples {
		e := dockerEntry(t, rules, s.service, "agora-"+s.service+"-1", "stderr", s.line)
		runPipeline(t, stages, e)
		seen[s.service] = true
		got, has := e.labels["level"]
		switch {
		case s.level == "" && has:
			t.Errorf("%s %q: level=%q, want no level label", s.service, s.line, got)
		case s.level != "" && got != s.level:
			t.Errorf("%s %q: level=%q, want %q", s.service, s.line, got, s.level)
		}
		if has && !slices.Contains(allowed, got) {
			t.Errorf("%s: level %q outside the fixed set %v", s.service, got, allowed)
		}
		for k, v := range s.metadata {
			if e.metadata[k] != v {
				t.Errorf("%s %q: structured metadata %s=%q, want %q", s.service, s.line, k, e.metadata[k], v)
			}
		}
		for k := range e.labels {
			if !slices.Contains([]string{"service", "container", "stream", "level"}, k) {
				t.Errorf("%s: unexpected label %s", s.service, k)
			}
		}
		if e.labels["container"] != s.service || e.metadata["container_name"] != "agora-"+s.service+"-1" {
			t.Errorf("%s: container label %q (want the service), container_name metadata %q", s.service, e.labels["container"], e.metadata["container_name"])
		}
	}
	// Every service the pipeline has a branch for has a sample.
	for _, want := range []string{"backend", "migrate", "nginx", "postgres", "prometheus", "alertmanager", "loki", "alloy", "grafana",
		"node-exporter", "postgres-exporter", "nginx-exporter", "blackbox-exporter"} {
		if !seen[want] {
			t.Errorf("no sample line for service %s", want)
		}
	}
}

// The edge counters (stage.metrics in the nginx branch) count user
// responses by class and leave the health probes out.
func TestAlloyEdgeMetrics(t *testing.T) {
	t.Parallel()
	stages := loadAlloyProcessStages(t)
	counters := &alloyCounters{}
	access := func(path string, status int) string {
		return fmt.Sprintf(`{"time":"2026-12-06T06:00:00+00:00","msg":"access","request_id":"r","remote_addr":"203.0.113.9","method":"GET","path":"%s","protocol":"HTTP/2.0","scheme":"https","host":"agora.example.org","status":%d,"bytes":10,"request_length":80,"duration":0.002,"upstream_addr":"172.28.0.20:8000","upstream_status":"%d","upstream_duration":"0.002","user_agent":"curl","tls":"TLSv1.3"}`, path, status, status)
	}
	lines := []string{
		access("/healthz", 200), access("/healthz", 502), access("/nginx-health", 200), // probes: not counted
		access("/api/v1/feed", 200), access("/api/v1/feed", 502), access("/api/v1/feed", 504),
		access("/api/v1/auth/login", 429), access("/", 301),
		`2026/12/06 06:00:00 [error] 29#29: *1 connect() failed (111: Connection refused) while connecting to upstream`,
	}
	rules := loadAlloyRelabelRules(t)
	for i, l := range lines {
		// Two containers of one service (a redeploy): one series.
		e := dockerEntry(t, rules, "nginx", fmt.Sprintf("agora-nginx-%d", 1+i%2), "stdout", l)
		e.counters = counters
		runPipeline(t, stages, e)
	}
	// Other services never feed the edge counters.
	e := dockerEntry(t, rules, "backend", "agora-backend-1", "stdout", access("/api/v1/feed", 500))
	e.counters = counters
	runPipeline(t, stages, e)
	labels := `{container="nginx",service="nginx",stream="stdout"}`
	for name, want := range map[string]float64{
		"agora_edge_http_responses_total": 5, "agora_edge_http_responses_5xx_total": 2, "agora_edge_http_responses_429_total": 1,
	} {
		if got := counters.get(name + labels); got != want {
			t.Errorf("%s = %v, want %v\n%s", name, got, want, counters.exposition())
		}
	}
	if n := strings.Count(counters.exposition(), "\nagora_edge_"); n != 3 {
		t.Errorf("want 3 edge series, got:\n%s", counters.exposition())
	}
}

// The label values stay bounded across deploys: every container of a
// service (agora-backend-2 after a redeploy, agora-migrate-run-<id> for a
// one-off run) has the same labels, and its own name is only structured
// metadata. Containers outside Compose are not read at all.
func TestAlloyContainerLabelBounded(t *testing.T) {
	t.Parallel()
	stages := loadAlloyProcessStages(t)
	rules := loadAlloyRelabelRules(t)
	streams := map[string]map[string]bool{} // service -> label sets seen
	for _, c := range []struct{ service, name string }{
		{"backend", "agora-backend-1"}, {"backend", "agora-backend-2"}, {"backend", "agora-backend-3"},
		{"migrate", "agora-migrate-1"}, {"migrate", "agora-migrate-run-3f2a9c1d7e5b"}, {"migrate", "agora-migrate-run-0b1c2d3e4f5a"},
		{"nginx", "agora-nginx-1"}, {"nginx", "agora_nginx_1"},
	} {
		e := dockerEntry(t, rules, c.service, c.name, "stderr", "applied 00001")
		runPipeline(t, stages, e)
		delete(e.labels, "level")
		if e.metadata["container_name"] != c.name {
			t.Errorf("%s: container_name metadata %q", c.name, e.metadata["container_name"])
		}
		keys := slices.Sorted(maps.Keys(e.labels))
		var set []string
		for _, k := range keys {
			set = append(set, k+"="+e.labels[k])
		}
		if streams[c.service] == nil {
			streams[c.service] = map[string]bool{}
		}
		streams[c.service][strings.Join(set, ",")] = true
	}
	for svc, sets := range streams {
		want := "container=" + svc + ",service=" + svc + ",stream=stderr"
		if len(sets) != 1 || !sets[want] {
			t.Errorf("%s: label sets %v, want only {%s}", svc, slices.Collect(maps.Keys(sets)), want)
		}
	}
	if lbls := applyRelabel(t, rules, map[string]string{"__meta_docker_container_name": "/buildkit", "__meta_docker_container_log_stream": "stdout"}); lbls != nil {
		t.Errorf("a container outside Compose is read: %v", lbls)
	}
}
