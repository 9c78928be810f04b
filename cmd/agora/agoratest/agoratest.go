// Package agoratest builds the agora binary for tests that run it as a real
// process (graceful shutdown, Nginx in front, replicas, the monitoring
// stack). It builds once per test binary; AGORA_TEST_BINARY names a
// prebuilt one instead, for iterating on a slow test.
package agoratest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var built struct {
	once sync.Once
	path string
	err  error
}

// Build returns the path of an agora binary built from this checkout, or an
// error that carries the compiler's output.
func Build() (string, error) {
	if bin := os.Getenv("AGORA_TEST_BINARY"); bin != "" {
		return bin, nil
	}
	built.once.Do(func() {
		gomod, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil {
			built.err = fmt.Errorf("go env GOMOD: %w", err)
			return
		}
		dir, err := os.MkdirTemp("", "agora-bin-")
		if err != nil {
			built.err = err
			return
		}
		built.path = filepath.Join(dir, "agora")
		cmd := exec.Command("go", "build", "-o", built.path, "agora/cmd/agora")
		cmd.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build agora/cmd/agora: %w: %s", err, out)
		}
	})
	return built.path, built.err
}

// Binary is Build for a test: it fails the test when the build fails.
func Binary(t testing.TB) string {
	t.Helper()
	bin, err := Build()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}
