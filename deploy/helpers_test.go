package deploy_test

import (
	"net"
	"os"
	"os/exec"
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

// requireTool returns the path of a system tool. When it is missing the test
// fails under CI=true (make deps installs it) and is skipped otherwise.
func requireTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		msg := name + " is not installed (scripts/apt-packages.txt lists it; run make deps)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func itoa(i int) string { return strconv.Itoa(i) }

// buildAgora builds ./cmd/agora once per test binary and returns its path.
func buildAgora(t testing.TB) string { return agoratest.Binary(t) }
