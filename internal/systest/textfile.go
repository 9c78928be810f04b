package systest

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// ReadTextfile parses a node_exporter textfile (what the backup, drill and
// container-state scripts write) into metric -> value, the metric with its
// labels as written. A sample whose value is not a number fails the test.
func ReadTextfile(t testing.TB, path string) map[string]float64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("metric file: %v", err)
	}
	out := map[string]float64{}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 || strings.HasPrefix(line, "#") {
			continue
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			t.Errorf("bad metric line %q", line)
		}
		out[f[0]] = v
	}
	return out
}
