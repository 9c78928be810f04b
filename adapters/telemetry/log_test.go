package telemetry_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"agora/adapters/telemetry"
)

// One JSON object a line with the keys the log pipeline parses: time in
// UTC RFC 3339, level in lower case, msg, then the event's fields; events
// below the level are dropped.
func TestLoggerWritesTheLinesThePipelineParses(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log, err := telemetry.NewLogger("info", &buf)
	if err != nil {
		t.Fatal(err)
	}
	log.Debug("dropped")
	log.Info("request", zap.String("request_id", "r1"), zap.Duration("elapsed", 1500*time.Millisecond))
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 1 {
		t.Fatalf("%d lines, want 1:\n%s", len(lines), buf.String())
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
		t.Fatal(err)
	}
	ts, _ := got["time"].(string)
	if at, err := time.Parse(time.RFC3339Nano, ts); err != nil || !strings.HasSuffix(ts, "Z") || time.Since(at) > time.Minute {
		t.Errorf("time %q is not a current UTC RFC 3339 time (%v)", ts, err)
	}
	if got["level"] != "info" || got["msg"] != "request" || got["request_id"] != "r1" || got["elapsed"] != 1.5 || len(got) != 5 {
		t.Errorf("line %v", got)
	}
}

func TestLoggerRefusesAnUnknownLevel(t *testing.T) {
	t.Parallel()
	for _, level := range []string{"verbose", "INFO2", "trace"} {
		if _, err := telemetry.NewLogger(level, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "LOG_LEVEL") {
			t.Errorf("level %q: %v, want a LOG_LEVEL error", level, err)
		}
	}
}
