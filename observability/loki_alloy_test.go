package observability_test

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
)

// Loki cannot run here (no Debian package, no container engine): check the
// file's structure against what Loki 3.x needs for a single-process,
// filesystem-backed install with retention and bounded limits.
func TestLokiConfig(t *testing.T) {
	t.Parallel()
	var cfg map[string]any
	readYAML(t, filepath.Join(obsDir(t), "loki", "loki.yaml"), &cfg)

	known := []string{"auth_enabled", "server", "common", "schema_config", "storage_config", "ingester",
		"compactor", "limits_config", "querier", "query_range", "pattern_ingester", "ruler", "analytics",
		"frontend", "query_scheduler", "table_manager", "memberlist", "distributor"}
	for k := range cfg {
		if !slices.Contains(known, k) {
			t.Errorf("unknown top-level key %q (typo?)", k)
		}
	}
	get := func(path string) any {
		var cur any = cfg
		for _, p := range strings.Split(path, ".") {
			m, ok := cur.(map[string]any)
			if !ok {
				return nil
			}
			cur = m[p]
		}
		return cur
	}
	want := map[string]any{
		"auth_enabled":                               false,
		"server.http_listen_port":                    3100,
		"common.replication_factor":                  1,
		"common.ring.kvstore.store":                  "inmemory",
		"common.storage.filesystem.chunks_directory": "/loki/chunks",
		"compactor.retention_enabled":                true,
		"compactor.delete_request_store":             "filesystem",
		"limits_config.allow_structured_metadata":    true,
		"analytics.reporting_enabled":                false,
	}
	for path, v := range want {
		if got := get(path); fmt.Sprint(got) != fmt.Sprint(v) {
			t.Errorf("%s = %v, want %v", path, got, v)
		}
	}
	// Every path Loki writes is under the loki_data volume (/loki).
	for _, path := range []string{"common.path_prefix", "common.storage.filesystem.rules_directory",
		"storage_config.tsdb_shipper.active_index_directory", "storage_config.tsdb_shipper.cache_location",
		"ingester.wal.dir", "compactor.working_directory"} {
		if s, _ := get(path).(string); !strings.HasPrefix(s, "/loki") {
			t.Errorf("%s = %q, want a path under /loki (the loki_data volume)", path, s)
		}
	}
	schemas, _ := get("schema_config.configs").([]any)
	if len(schemas) == 0 {
		t.Fatal("schema_config.configs is empty")
	}
	last, _ := schemas[len(schemas)-1].(map[string]any)
	if last["store"] != "tsdb" || last["schema"] != "v13" || last["object_store"] != "filesystem" {
		t.Errorf("newest schema %v: want tsdb, v13, filesystem (needed for structured metadata)", last)
	}
	if idx, _ := last["index"].(map[string]any); idx == nil || idx["period"] != "24h" {
		t.Errorf("newest schema index period: want 24h (tsdb requires it)")
	}
	ret, err := parseLokiDuration(fmt.Sprint(get("limits_config.retention_period")))
	if err != nil || ret < 24*time.Hour || ret > 31*24*time.Hour {
		t.Errorf("limits_config.retention_period = %v (%v): want 1 to 31 days", get("limits_config.retention_period"), err)
	}
	if n, _ := get("limits_config.max_global_streams_per_user").(int); n == 0 || n > 5000 {
		t.Errorf("limits_config.max_global_streams_per_user = %v: want a bound of at most 5000", n)
	}
	for _, path := range []string{"limits_config.ingestion_rate_mb", "limits_config.ingestion_burst_size_mb",
		"limits_config.max_query_parallelism", "querier.max_concurrent",
		"query_range.results_cache.cache.embedded_cache.max_size_mb"} {
		if get(path) == nil {
			t.Errorf("%s is not set: the defaults are sized for bigger hosts", path)
		}
	}
}

func parseLokiDuration(s string) (time.Duration, error) {
	if strings.HasSuffix(s, "d") {
		n, err := strconv.Atoi(strings.TrimSuffix(s, "d"))
		return time.Duration(n) * 24 * time.Hour, err
	}
	return time.ParseDuration(s)
}

// Alloy cannot run here either: lex and parse the file (Alloy syntax: blocks,
// attributes, strings, comments), check every component reference resolves,
// the pipeline is wired docker -> process -> write to loki:3100, and no label
// is high-cardinality.
func TestAlloyConfig(t *testing.T) {
	t.Parallel()
	root := loadAlloyRoot(t)

	components := map[string]*alloyBlock{}
	for _, b := range root.blocks {
		id := b.name
		if b.label != "" {
			id += "." + b.label
		}
		if components[id] != nil {
			t.Errorf("component %s declared twice", id)
		}
		components[id] = b
	}
	for _, want := range []string{"discovery.docker.containers", "discovery.relabel.containers",
		"loki.source.docker.containers", "loki.process.containers", "loki.write.loki"} {
		if components[want] == nil {
			t.Errorf("component %s missing", want)
		}
	}
	// References such as loki.process.containers.receiver must name a declared component.
	refRe := regexp.MustCompile(`\b((?:discovery|loki)\.[a-z_]+(?:\.[a-z_]+)?\.[a-z_]+)\.(receiver|targets|rules)\b`)
	var walk func(b *alloyBlock)
	refs := map[string]bool{}
	walk = func(b *alloyBlock) {
		for _, v := range b.attrs {
			for _, m := range refRe.FindAllStringSubmatch(v, -1) {
				refs[m[1]] = true
				if components[m[1]] == nil {
					t.Errorf("reference %s.%s: no such component", m[1], m[2])
				}
			}
		}
		for _, c := range b.blocks {
			walk(c)
		}
	}
	walk(root)
	for _, want := range []string{"discovery.docker.containers", "discovery.relabel.containers", "loki.process.containers", "loki.write.loki"} {
		if !refs[want] {
			t.Errorf("component %s is never used: the pipeline is not wired", want)
		}
	}
	if w := components["loki.write.loki"]; w != nil {
		ep := w.child("endpoint")
		if ep == nil || ep.attrs["url"] != `"http://loki:3100/loki/api/v1/push"` {
			t.Errorf("loki.write endpoint: want url http://loki:3100/loki/api/v1/push")
		}
	}
	if r := components["discovery.relabel.containers"]; r != nil {
		found := false
		for _, rule := range r.children("rule") {
			if strings.Contains(rule.attrs["source_labels"], "com_docker_compose_service") && rule.attrs["target_label"] == `"service"` {
				found = true
			}
		}
		if !found {
			t.Error("no relabel rule sets service from the compose service label")
		}
	}

	// Labels: only bounded ones.
	allowed := []string{"service", "container", "stream", "level", "host"}
	var labels []string
	var collect func(b *alloyBlock)
	collect = func(b *alloyBlock) {
		switch b.name {
		case "stage.labels", "stage.static_labels":
			labels = append(labels, objectKeys(b.attrs["values"])...)
		case "rule":
			if v, ok := b.attrs["target_label"]; ok {
				labels = append(labels, strings.Trim(v, `"`))
			}
		case "loki.write":
			labels = append(labels, objectKeys(b.attrs["external_labels"])...)
		}
		for _, c := range b.blocks {
			collect(c)
		}
	}
	collect(root)
	// A label set by relabelling only to carry a value into loki.process
	// (container_name) is fine when the pipeline drops it again.
	var dropped []string
	var collectDrops func(b *alloyBlock)
	collectDrops = func(b *alloyBlock) {
		if b.name == "stage.label_drop" {
			for _, m := range regexp.MustCompile(`"([^"]*)"`).FindAllStringSubmatch(b.attrs["values"], -1) {
				dropped = append(dropped, m[1])
			}
		}
		for _, c := range b.blocks {
			collectDrops(c)
		}
	}
	collectDrops(root)
	for _, l := range labels {
		if slices.Contains(dropped, l) {
			continue
		}
		if !slices.Contains(allowed, l) {
			t.Errorf("label %q: only %v may be labels (request_id, trace_id, route, status, path stay out of the index)", l, allowed)
		}
	}
	// The backend's and Nginx's JSON are parsed; route and status become structured metadata.
	var meta []string
	var jsonKeys []string
	var collectMeta func(b *alloyBlock)
	collectMeta = func(b *alloyBlock) {
		if b.name == "stage.structured_metadata" {
			meta = append(meta, objectKeys(b.attrs["values"])...)
		}
		if b.name == "stage.json" {
			jsonKeys = append(jsonKeys, objectKeys(b.attrs["expressions"])...)
		}
		for _, c := range b.blocks {
			collectMeta(c)
		}
	}
	collectMeta(root)
	for _, want := range []string{"route", "status", "container_name"} {
		if !slices.Contains(meta, want) {
			t.Errorf("%s is not kept as structured metadata", want)
		}
	}
	for _, want := range []string{"level", "route", "status"} {
		if !slices.Contains(jsonKeys, want) {
			t.Errorf("no stage.json extracts %s", want)
		}
	}
	// stage.match selectors are LogQL: balanced braces and quotes once unescaped.
	var checkSel func(b *alloyBlock)
	checkSel = func(b *alloyBlock) {
		if b.name == "stage.match" {
			s, err := strconv.Unquote(b.attrs["selector"])
			if err != nil {
				t.Errorf("stage.match selector %s: %v", b.attrs["selector"], err)
			} else if !strings.HasPrefix(s, "{") || strings.Count(s, "{") != strings.Count(s, "}") || (strings.Count(s, `"`)-strings.Count(s, `\"`))%2 != 0 {
				t.Errorf("stage.match selector %q is not a well-formed LogQL selector", s)
			}
		}
		for _, c := range b.blocks {
			checkSel(c)
		}
	}
	checkSel(root)
}

type alloyTok struct {
	kind string // ident, string, number, punct, nl
	text string
	line int
}

func lexAlloy(src string) ([]alloyTok, error) {
	var toks []alloyTok
	line := 1
	rs := []rune(src)
	for i := 0; i < len(rs); {
		c := rs[i]
		switch {
		case c == '\n':
			toks = append(toks, alloyTok{"nl", "\n", line})
			line++
			i++
		case unicode.IsSpace(c):
			i++
		case c == '/' && i+1 < len(rs) && rs[i+1] == '/':
			for i < len(rs) && rs[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(rs) && rs[i+1] == '*':
			end := strings.Index(string(rs[i+2:]), "*/")
			if end < 0 {
				return nil, fmt.Errorf("line %d: unterminated block comment", line)
			}
			body := string(rs[i : i+2+len([]rune(string(rs[i+2:])[:end]))+2])
			line += strings.Count(body, "\n")
			i += len([]rune(body))
		case c == '"':
			j := i + 1
			for ; j < len(rs) && rs[j] != '"'; j++ {
				if rs[j] == '\\' {
					j++
				}
				if j < len(rs) && rs[j] == '\n' {
					return nil, fmt.Errorf("line %d: newline in string", line)
				}
			}
			if j >= len(rs) {
				return nil, fmt.Errorf("line %d: unterminated string", line)
			}
			lit := string(rs[i : j+1])
			if _, err := strconv.Unquote(lit); err != nil {
				return nil, fmt.Errorf("line %d: bad string %s: %w", line, lit, err)
			}
			toks = append(toks, alloyTok{"string", lit, line})
			i = j + 1
		case c == '`':
			j := i + 1
			for j < len(rs) && rs[j] != '`' {
				j++
			}
			if j >= len(rs) {
				return nil, fmt.Errorf("line %d: unterminated raw string", line)
			}
			lit := string(rs[i : j+1])
			line += strings.Count(lit, "\n")
			toks = append(toks, alloyTok{"string", lit, line})
			i = j + 1
		case unicode.IsLetter(c) || c == '_':
			j := i
			for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]) || rs[j] == '_' || rs[j] == '.') {
				j++
			}
			toks = append(toks, alloyTok{"ident", string(rs[i:j]), line})
			i = j
		case unicode.IsDigit(c):
			j := i
			for j < len(rs) && (unicode.IsDigit(rs[j]) || rs[j] == '.') {
				j++
			}
			toks = append(toks, alloyTok{"number", string(rs[i:j]), line})
			i = j
		case strings.ContainsRune("{}[](),=+-*/%<>!&|:", c):
			toks = append(toks, alloyTok{"punct", string(c), line})
			i++
		default:
			return nil, fmt.Errorf("line %d: unexpected character %q", line, c)
		}
	}
	return toks, nil
}

type alloyBlock struct {
	name, label string
	attrs       map[string]string // attribute name -> expression source (tokens joined)
	blocks      []*alloyBlock
}

func (b *alloyBlock) children(name string) []*alloyBlock {
	var out []*alloyBlock
	for _, c := range b.blocks {
		if c.name == name {
			out = append(out, c)
		}
	}
	return out
}

func (b *alloyBlock) child(name string) *alloyBlock {
	if c := b.children(name); len(c) > 0 {
		return c[0]
	}
	return nil
}

type alloyParser struct {
	toks []alloyTok
	pos  int
}

func (p *alloyParser) peek() alloyTok {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return alloyTok{kind: "eof"}
}

// body parses statements until "}" (or EOF at top level).
func (p *alloyParser) body(top bool) (*alloyBlock, error) {
	b := &alloyBlock{attrs: map[string]string{}}
	for {
		t := p.peek()
		switch {
		case t.kind == "nl":
			p.pos++
			continue
		case t.kind == "eof":
			if !top {
				return nil, fmt.Errorf("unexpected end of file inside a block")
			}
			return b, nil
		case t.kind == "punct" && t.text == "}":
			if top {
				return nil, fmt.Errorf("line %d: unmatched }", t.line)
			}
			p.pos++
			return b, nil
		case t.kind != "ident":
			return nil, fmt.Errorf("line %d: expected a block or attribute name, got %q", t.line, t.text)
		}
		p.pos++
		next := p.peek()
		switch {
		case next.kind == "punct" && next.text == "=":
			p.pos++
			expr, err := p.expr()
			if err != nil {
				return nil, err
			}
			if _, dup := b.attrs[t.text]; dup {
				return nil, fmt.Errorf("line %d: attribute %s set twice", t.line, t.text)
			}
			b.attrs[t.text] = expr
		case next.kind == "string" || (next.kind == "punct" && next.text == "{"):
			label := ""
			if next.kind == "string" {
				label, _ = strconv.Unquote(next.text)
				p.pos++
			}
			if o := p.peek(); o.kind != "punct" || o.text != "{" {
				return nil, fmt.Errorf("line %d: expected { after block %s", o.line, t.text)
			}
			p.pos++
			child, err := p.body(false)
			if err != nil {
				return nil, err
			}
			child.name, child.label = t.text, label
			b.blocks = append(b.blocks, child)
		default:
			return nil, fmt.Errorf("line %d: expected = or { after %s", next.line, t.text)
		}
	}
}

// expr reads an expression up to the end of line at bracket depth 0.
func (p *alloyParser) expr() (string, error) {
	var parts []string
	depth := 0
	start := p.peek().line
	for {
		t := p.peek()
		if t.kind == "eof" {
			if depth != 0 {
				return "", fmt.Errorf("line %d: unbalanced brackets in expression", start)
			}
			break
		}
		if depth == 0 && (t.kind == "nl" || (t.kind == "punct" && t.text == "}")) {
			break
		}
		if t.kind == "punct" {
			switch t.text {
			case "{", "[", "(":
				depth++
			case "}", "]", ")":
				depth--
				if depth < 0 {
					return "", fmt.Errorf("line %d: unbalanced %s", t.line, t.text)
				}
			}
		}
		p.pos++
		if t.kind != "nl" {
			parts = append(parts, t.text)
		}
	}
	if len(parts) == 0 {
		return "", fmt.Errorf("line %d: empty expression", start)
	}
	return strings.Join(parts, " "), nil
}

// objectKeys returns the keys of an object literal expression "{ a = x , b = y }".
func objectKeys(expr string) []string {
	var keys []string
	re := regexp.MustCompile(`(?:^\{|,)\s*("?[A-Za-z_][\w]*"?)\s*=`)
	for _, m := range re.FindAllStringSubmatch(expr, -1) {
		keys = append(keys, strings.Trim(m[1], `"`))
	}
	return keys
}
