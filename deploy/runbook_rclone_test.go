package deploy_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The runbook's rclone lines ("The VPS is gone", step 2) set the same
// RCLONE_CONFIG_OFFSITE_* settings as secrets-archive.sh, which wrote the
// archive they fetch: a region or URL style the script sets and the
// runbook forgets fails against stores that need them.
func TestRunbookRcloneMatchesSecretsArchive(t *testing.T) {
	t.Parallel()
	names := regexp.MustCompile(`RCLONE_CONFIG_OFFSITE_[A-Z_]+`)
	script, err := os.ReadFile(scriptPath(t, "secrets-archive.sh"))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(deployDir(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "## The VPS is gone")
	if !ok {
		t.Fatal(`deploy/README.md has no "The VPS is gone" section`)
	}
	set := func(b string) []string {
		out := names.FindAllString(b, -1)
		slices.Sort(out)
		return slices.Compact(out)
	}
	if s, r := set(string(script)), set(section); !slices.Equal(s, r) {
		t.Errorf("secrets-archive.sh sets %v, the runbook %v", s, r)
	}
	for _, want := range []string{"RCLONE_CONFIG_OFFSITE_FORCE_PATH_STYLE=true", "offsite:<bucket>/agora-secrets/"} {
		if !strings.Contains(section, want) {
			t.Errorf("the runbook lacks %q", want)
		}
	}
}
