package deploy_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The weekly drill's host side (deploy/scripts/restore-drill.sh) with docker
// replaced by a stub that plays the container: the folder the container
// writes its metrics into lies inside a 0700 folder, so no other local user
// can plant a "verified" metric; and the file it brings back is installed
// only when it holds the drill's own metric lines.
func TestRestoreDrillWrapperOutputFolder(t *testing.T) {
	t.Parallel()
	good := "# HELP agora_restore_last_status 1 if the last restore drill passed, 0 if it failed.\n" +
		"# TYPE agora_restore_last_status gauge\nagora_restore_last_status 1\n" +
		"agora_restore_verified_timestamp_seconds 1700000000\n"
	for name, tc := range map[string]struct {
		prom    string
		symlink bool
		wantRC  bool // exit 0
		install bool
	}{
		"good":         {prom: good, wantRC: true, install: true},
		"foreign line": {prom: good + "agora_backup_last_success_timestamp_seconds 9999999999\n"},
		"label":        {prom: `agora_restore_last_status{x="1"} 1` + "\n"},
		"symlink":      {symlink: true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tmp := t.TempDir()
			textfile := filepath.Join(tmp, "textfile")
			log := filepath.Join(tmp, "docker.log")
			promFile := filepath.Join(tmp, "drill.prom")
			if err := os.WriteFile(promFile, []byte(tc.prom), 0o644); err != nil {
				t.Fatal(err)
			}
			plant := `cp "$STUB_PROM" "$out/agora_restore.prom"`
			if tc.symlink {
				plant = `ln -s /etc/passwd "$out/agora_restore.prom"`
			}
			stubs := stubDir(t, log, map[string]string{
				"docker": `case "$1 $2" in
"compose config") echo '{"services":{"backend":{"image":"agora:test"}}}' ;;
"create "*) echo cid123 ;;
"cp "*) : >"$3" ;;
"compose run")
    out=""
    for a in "$@"; do case "$a" in *:/drill-out) out="${a%:/drill-out}" ;; esac; done
    printf 'work-mode %s out-mode %s\n' "$(stat -c %a "$(dirname "$out")")" "$(stat -c %a "$out")" >>"$STUB_LOG"
    ` + plant + ` ;;
esac`,
			})
			env := []string{"PATH=" + stubs + ":" + os.Getenv("PATH"), "TEXTFILE_DIR=" + textfile,
				"ENV_FILE=/nonexistent", "STUB_PROM=" + promFile, "STUB_LOG=" + log, "TMPDIR=" + tmp}
			out, code := runScript(t, env, "restore-drill.sh")
			if (code == 0) != tc.wantRC {
				t.Errorf("exit %d\n%s", code, out)
			}
			b, _ := os.ReadFile(log)
			if !strings.Contains(string(b), "work-mode 700 out-mode 777") {
				t.Errorf("the container's output folder is reachable by other users:\n%s", b)
			}
			got, err := os.ReadFile(filepath.Join(textfile, "agora_restore.prom"))
			if tc.install && string(got) != tc.prom {
				t.Errorf("installed metrics %q (%v), want %q\n%s", got, err, tc.prom, out)
			}
			if !tc.install && err == nil {
				t.Errorf("a bad metric file was installed:\n%s\n%s", got, out)
			}
			left, _ := filepath.Glob(filepath.Join(tmp, "tmp.*"))
			if len(left) > 0 {
				t.Errorf("work folder left behind: %v", left)
			}
		})
	}
}
