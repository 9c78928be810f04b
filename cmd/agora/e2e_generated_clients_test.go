package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Consumers point a generator at the OpenAPI document with its default
// settings. These tests do the same with the two generators pinned in tools/
// (oapi-codegen in tools/go.mod; openapi-typescript and openapi-fetch in
// tools/npm), in a temp dir: generated code is never committed.

const specPath = "adapters/http/apidoc/openapi.yaml"

// The Go client, generated with oapi-codegen's defaults (types and client),
// compiles and walks the README's walk-through against a real server, every
// response decoding into its typed field (testdata/goclient/main.go).
func TestGeneratedGoClientWalksThrough(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	dir := t.TempDir()
	copyDir(t, filepath.Join("testdata", "goclient"), dir)
	if err := os.Mkdir(filepath.Join(dir, "agora"), 0o755); err != nil {
		t.Fatal(err)
	}

	runTool(t, root, nil, "go", "tool", "-modfile=tools/go.mod", "oapi-codegen",
		"-generate", "types,client", "-package", "agora",
		"-o", filepath.Join(dir, "agora", "client.gen.go"), specPath)
	bin := filepath.Join(dir, "goclient")
	// The temp module is its own: no workspace, and its go.sum is the committed one.
	runTool(t, dir, []string{"GOWORK=off", "GOFLAGS=-mod=readonly"}, "go", "build", "-o", bin, ".")

	env := startServer(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, env.URL, "g").CombinedOutput()
	if err != nil {
		t.Fatalf("the generated Go client's walk-through failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "walk-through complete") {
		t.Fatalf("the generated Go client's walk-through did not finish:\n%s", out)
	}
	t.Logf("the generated Go client's walk-through:\n%s", out)
}

// The TypeScript client (openapi-typescript types + openapi-fetch), generated
// with default settings, type-checks the walk-through in strict mode
// (testdata/tsclient/walk.ts).
func TestGeneratedTypeScriptClientCompiles(t *testing.T) {
	t.Parallel()
	needTool(t, "node", "Debian package nodejs, see scripts/apt-packages.txt")
	needTool(t, "npm", "it comes with the machine's Node.js")
	root := repoRoot(t)
	// Installs the locked npm tools when they are missing or stale (a no-op after check-openapi).
	runTool(t, root, nil, filepath.Join(root, "scripts", "npm-tools.sh"))
	dir := t.TempDir()
	copyDir(t, filepath.Join("testdata", "tsclient"), dir)
	modules := filepath.Join(root, "tools", "npm", "node_modules")
	if err := os.Symlink(modules, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}

	runTool(t, root, nil, filepath.Join(modules, ".bin", "openapi-typescript"), specPath, "-o", filepath.Join(dir, "agora.d.ts"))
	runTool(t, dir, nil, filepath.Join(modules, ".bin", "tsc"), "-p", ".", "--noEmit", "--strict")
}

// scripts/npm-tools.sh (which the TypeScript test runs) refuses arguments
// instead of ignoring them, and is shellcheck-clean.
func TestNpmToolsScriptRejectsArgumentsAndIsClean(t *testing.T) {
	t.Parallel()
	script := filepath.Join(repoRoot(t), "scripts", "npm-tools.sh")
	out, err := exec.Command(script, "--force").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "takes no arguments (got: --force)") {
		t.Errorf("npm-tools.sh --force: err %v, output %q; want a refusal naming the argument", err, out)
	}
	needTool(t, "shellcheck", "Debian package shellcheck, see scripts/apt-packages.txt")
	if out, err := exec.Command("shellcheck", "--severity=style", script).CombinedOutput(); err != nil {
		t.Errorf("shellcheck npm-tools.sh: %v\n%s", err, out)
	}
}

// needTool skips the test when name is not installed, or fails it under CI,
// where every tool must be there.
func needTool(t *testing.T, name, how string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required to test the generated clients and is not installed (%s)", name, how)
		}
		t.Skipf("%s is not installed (%s): skipping", name, how)
	}
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, specPath)); err != nil {
		t.Fatalf("not the repository root (%s): %v", root, err)
	}
	return root
}

// runTool runs name in dir with extra environment variables and fails the test,
// with the command's output, when it fails.
func runTool(t *testing.T, dir string, env []string, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s (in %s): %v\n%s", name, strings.Join(args, " "), dir, err, out)
	}
}

// copyDir copies the regular files of src (not recursive) into dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
