// Package systest holds what the tests that run real programs share
// (deploy, deploy/recovery, deploy/helm, deploy/stack, observability):
// the rule for a missing prerequisite, free loopback ports, self-signed
// certificates, stopping a process as a service manager would, and reading
// node_exporter textfiles. Only tests import it.
package systest

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Missing is what a test does when something it needs is not on this
// machine (a tool, root, a service): under CI=true, where `make deps`
// installs every prerequisite, it fails; elsewhere it skips. args say what
// is missing and how to get it.
func Missing(t testing.TB, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(args...)
	}
	t.Skip(args...)
}

// Tool returns the path of the first of names found on PATH, or reports
// them Missing.
func Tool(t testing.TB, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	Missing(t, strings.Join(names, " or ")+" is not installed (scripts/apt-packages.txt lists it; run make deps)")
	return ""
}

// ExitCode is the exit status of a command that has run, from the error
// its Run, Output or CombinedOutput returned: 0 for none, the status for an
// *exec.ExitError; any other error (the command could not start) fails t.
func ExitCode(t testing.TB, err error) int {
	t.Helper()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

// PickPort returns a loopback TCP port that was free a moment ago (another
// process may take it before the caller binds it).
func PickPort() (int, error) {
	l, err := new(net.ListenConfig).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// FreePort is PickPort for a test, which fails when no port can be had.
func FreePort(t testing.TB) int {
	t.Helper()
	port, err := PickPort()
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// FreeAddr is FreePort as host:port on 127.0.0.1.
func FreeAddr(t testing.TB) string {
	t.Helper()
	return "127.0.0.1:" + strconv.Itoa(FreePort(t))
}

// Stop ends a started process as a service manager would: SIGTERM, then
// SIGKILL when it has not exited after grace. done closes when the
// process's Wait has returned; Stop returns after that.
func Stop(p *os.Process, done <-chan struct{}, grace time.Duration) {
	_ = p.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(grace):
		_ = p.Kill()
		<-done
	}
}
