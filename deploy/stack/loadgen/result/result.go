// Package result is what deploy/stack/loadgen writes when it stops and what
// the stack test reads back: one type for both, so that they cannot drift
// apart.
package result

// Result is what one loadgen reports.
type Result struct {
	Name      string   `json:"name"`
	Sent      int      `json:"sent"`
	Succeeded int      `json:"succeeded"`
	Failed    int      `json:"failed"`
	Failures  []string `json:"failures"`
	Created   []string `json:"created"`
}
