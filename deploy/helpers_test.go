package deploy_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"agora/cmd/agora/agoratest"
)

// deployDir is this package's folder (go test runs tests in it).
func deployDir(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}

func repoRoot(t testing.TB) string {
	t.Helper()
	return filepath.Dir(deployDir(t))
}

func itoa(i int) string { return strconv.Itoa(i) }

// buildAgora builds ./cmd/agora once per test binary and returns its path.
func buildAgora(t testing.TB) string { return agoratest.Binary(t) }
