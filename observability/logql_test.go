package observability_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// logqlMatcher is one label matcher of a LogQL stream selector.
type logqlMatcher struct{ name, op, value string }

// matchesEmpty reports whether the matcher accepts the empty string (which is
// also what a stream without the label has), the way Loki evaluates it.
func (m logqlMatcher) matchesEmpty() (bool, error) {
	switch m.op {
	case "=":
		return m.value == "", nil
	case "!=":
		return m.value != "", nil
	case "=~", "!~":
		re, err := regexp.Compile("^(?:" + m.value + ")$")
		if err != nil {
			return false, fmt.Errorf("matcher %s%s%q: %w", m.name, m.op, m.value, err)
		}
		return re.MatchString("") == (m.op == "=~"), nil
	}
	return false, fmt.Errorf("unknown operator %q", m.op)
}

// logqlSelectors returns the stream selectors ({...}) of a LogQL query: every
// brace pair outside string literals. Braces inside line filters ("{") are
// strings and are skipped.
func logqlSelectors(q string) ([][]logqlMatcher, error) {
	var out [][]logqlMatcher
	for i := 0; i < len(q); i++ {
		switch q[i] {
		case '"', '`':
			end, err := skipString(q, i)
			if err != nil {
				return nil, err
			}
			i = end
		case '{':
			end, ms, err := parseSelector(q, i)
			if err != nil {
				return nil, err
			}
			out = append(out, ms)
			i = end
		case '}':
			return nil, fmt.Errorf("unbalanced } at %d in %q", i, q)
		}
	}
	return out, nil
}

// skipString returns the index of the closing quote of the string at i.
func skipString(q string, i int) (int, error) {
	quote := q[i]
	for j := i + 1; j < len(q); j++ {
		if quote == '"' && q[j] == '\\' {
			j++
			continue
		}
		if q[j] == quote {
			return j, nil
		}
	}
	return 0, fmt.Errorf("unterminated string at %d in %q", i, q)
}

var matcherHead = regexp.MustCompile(`^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*`)

// parseSelector parses {name op "value", ...} starting at q[i] == '{'.
func parseSelector(q string, i int) (int, []logqlMatcher, error) {
	var ms []logqlMatcher
	j := i + 1
	for {
		rest := q[j:]
		if t := strings.TrimLeft(rest, " \t\n"); strings.HasPrefix(t, "}") {
			if len(ms) == 0 {
				return 0, nil, fmt.Errorf("empty selector at %d in %q", i, q)
			}
			return j + (len(rest) - len(t)), ms, nil
		}
		h := matcherHead.FindStringSubmatch(rest)
		if h == nil {
			return 0, nil, fmt.Errorf("bad matcher at %d in %q", j, q)
		}
		j += len(h[0])
		if j >= len(q) || (q[j] != '"' && q[j] != '`') {
			return 0, nil, fmt.Errorf("matcher %s needs a quoted value at %d in %q", h[1], j, q)
		}
		end, err := skipString(q, j)
		if err != nil {
			return 0, nil, err
		}
		v, err := strconv.Unquote(q[j : end+1])
		if err != nil {
			return 0, nil, fmt.Errorf("value %s: %w", q[j:end+1], err)
		}
		ms = append(ms, logqlMatcher{h[1], h[2], v})
		j = end + 1
		t := strings.TrimLeft(q[j:], " \t\n")
		j += len(q[j:]) - len(t)
		if strings.HasPrefix(t, ",") {
			j++
		}
	}
}

// checkLogQL returns why Loki would refuse the query's selectors: Loki
// rejects a selector whose every matcher matches the empty string
// ("queries require at least one regexp or equality matcher that does not
// have an empty-compatible value").
func checkLogQL(q string) error {
	sels, err := logqlSelectors(q)
	if err != nil {
		return err
	}
	if len(sels) == 0 {
		return fmt.Errorf("no stream selector in %q", q)
	}
	for _, ms := range sels {
		ok := false
		for _, m := range ms {
			empty, err := m.matchesEmpty()
			if err != nil {
				return err
			}
			if !empty && (m.op == "=" || m.op == "=~") {
				ok = true
			}
		}
		if !ok {
			return fmt.Errorf("selector %v in %q: every matcher can match the empty string, Loki refuses it", ms, q)
		}
	}
	return nil
}

func TestCheckLogQL(t *testing.T) {
	t.Parallel()
	for q, wantOK := range map[string]bool{
		`{service=~".*"}`:                    false, // the Logs dashboard's old "All"
		`{service=~".+"}`:                    true,
		`{service=~".*", level="error"}`:     true,
		`{service!="nginx"}`:                 false,
		`{service=""}`:                       false,
		`{service!~"a|b"}`:                   false,
		`{service=~"a|"}`:                    false,
		`{service="backend"} |= "{\"msg\"}"`: true,
		`sum by (level) (count_over_time({service=~".+"} [5m]))`:                                true,
		`sum(count_over_time({service=~".*"} [5m])) / sum(count_over_time({service="x"} [5m]))`: false,
		`{}`:                         false,
		`{service=~"("}`:             false,
		`{service="unterminated}`:    false,
		`| json`:                     false,
		"{service=~`backend|nginx`}": true,
	} {
		err := checkLogQL(q)
		if (err == nil) != wantOK {
			t.Errorf("checkLogQL(%s) = %v, want ok=%v", q, err, wantOK)
		}
	}
}

// Every LogQL query of every dashboard, with each template variable at its
// "All" value (the default on first open), has in each stream selector a
// matcher that cannot match the empty string.
func TestLogQLSelectors(t *testing.T) {
	t.Parallel()
	n := 0
	for file, d := range loadDashboards(t) {
		allValue := map[string]string{}
		for _, v := range d.Templating.List {
			switch {
			case v.IncludeAll:
				if v.AllValue == "" {
					t.Errorf("%s: variable %s has includeAll but no allValue (Grafana would build a regex of every value)", file, v.Name)
				}
				allValue[v.Name] = v.AllValue
			default:
				allValue[v.Name] = "" // a textbox left empty
			}
		}
		for _, p := range d.allPanels() {
			if p.Datasource == nil || p.Datasource.Type != "loki" {
				continue
			}
			for _, tg := range p.Targets {
				q := templateVar.ReplaceAllStringFunc(tg.Expr, func(m string) string {
					name := templateVar.FindStringSubmatch(m)[1]
					if strings.HasPrefix(name, "__") {
						return "5m"
					}
					v, ok := allValue[name]
					if !ok {
						t.Errorf("%s: panel %s: undefined variable $%s", file, p.Title, name)
					}
					return v
				})
				n++
				if err := checkLogQL(q); err != nil {
					t.Errorf("%s: panel %s [%s]: %v", file, p.Title, tg.RefID, err)
				}
			}
		}
	}
	if n < 5 {
		t.Errorf("only %d LogQL queries found", n)
	}
}
