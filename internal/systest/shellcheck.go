package systest

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// Shellcheck lints scripts at style severity, following what they source:
// it runs in the first script's folder, which `# shellcheck source=` paths
// are relative to. A missing shellcheck is reported Missing.
func Shellcheck(t testing.TB, scripts ...string) {
	t.Helper()
	sc := Tool(t, "shellcheck")
	cmd := exec.Command(sc, append([]string{"--severity=style", "--external-sources"}, scripts...)...)
	cmd.Dir = filepath.Dir(scripts[0])
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("shellcheck %v: %v\n%s", scripts, err, out)
	}
}
