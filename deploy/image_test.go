package deploy_test

import (
	"debug/elf"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"agora/internal/systest"
)

// No Docker engine here: the Dockerfile's properties are checked as text,
// and the probe it ships is built the way the Dockerfile builds it.
func TestDockerfile(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(deployDir(t), "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	froms := regexp.MustCompile(`(?m)^FROM\s+(\S+)`).FindAllStringSubmatch(df, -1)
	if len(froms) < 2 {
		t.Fatalf("want a multi-stage build, got FROM %v", froms)
	}
	// The bases are build arguments (the offline CI build points them at
	// local stand-ins); their defaults are what production builds on.
	args := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^ARG\s+([A-Z_]+)=(\S+)`).FindAllStringSubmatch(df, -1) {
		args[m[1]] = m[2]
	}
	resolve := func(from string) string {
		if m := regexp.MustCompile(`^\$\{([A-Z_]+)\}$`).FindStringSubmatch(from); m != nil {
			return args[m[1]]
		}
		return from
	}
	final := resolve(froms[len(froms)-1][1])
	if !strings.HasPrefix(final, "gcr.io/distroless/static") && final != "scratch" {
		t.Errorf("final stage %q is neither distroless/static nor scratch", final)
	}
	if build := resolve(froms[0][1]); !regexp.MustCompile(`^golang:1\.[0-9]+-bookworm$`).MatchString(build) {
		t.Errorf("build stage %q: want a pinned golang:<version>-bookworm", build)
	}
	if regexp.MustCompile(`(?m)^#\s*syntax=`).MatchString(df) {
		t.Errorf("a `# syntax=` line makes BuildKit pull a frontend image: offline builds fail")
	}
	for _, want := range []string{
		"CGO_ENABLED=0",         // static binary
		"./cmd/agora",           // the service
		"./deploy/healthcheck",  // the probe (no shell in the image)
		"sql/migrations",        // migrations inside
		`ENTRYPOINT ["/agora"]`, // runs agora
		"HEALTHCHECK",
	} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	user := regexp.MustCompile(`(?m)^USER\s+(\S+)`).FindAllStringSubmatch(df, -1)
	if len(user) == 0 {
		t.Fatal("Dockerfile sets no USER")
	}
	if u := user[len(user)-1][1]; strings.HasPrefix(u, "0") || strings.HasPrefix(u, "root") {
		t.Errorf("final USER %q is root", u)
	}
}

func TestHealthcheckProbeIsStatic(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "healthcheck")
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, "./deploy/healthcheck")
	cmd.Dir = repoRoot(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, b)
	}
	f, err := elf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Fatal("healthcheck needs a dynamic loader; distroless/static has none")
		}
	}
	// Against nothing listening, the probe fails with exit status 1.
	err = exec.Command(out, "http://"+systest.FreeAddr(t)+"/healthz").Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Errorf("probe against a closed port: %v, want exit status 1", err)
	}
}

// The build context must carry the sources and leave secrets and bulk out.
func TestDockerignore(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			patterns = append(patterns, line)
		}
	}
	excluded := func(path string) bool {
		out := false
		for _, p := range patterns {
			neg := strings.HasPrefix(p, "!")
			p = strings.TrimPrefix(p, "!")
			if matchDockerignore(p, path) {
				out = !neg
			}
		}
		return out
	}
	for _, p := range []string{".git", "deploy/.env", "deploy/secrets/jwt_private_key.pem", "backup_20250101_020000.sql.gz"} {
		if !excluded(p) {
			t.Errorf(".dockerignore does not exclude %s", p)
		}
	}
	for _, p := range []string{"go.mod", "go.sum", "cmd/agora/main.go", "sql/migrations/00001_identity.sql", "deploy/healthcheck/main.go", "deploy/Dockerfile", "adapters/http/apidoc/openapi.yaml"} {
		if excluded(p) {
			t.Errorf(".dockerignore excludes %s, which the build needs", p)
		}
	}
}

// matchDockerignore matches a path or any of its parents, with ** for any
// number of folders (enough of Docker's rules for the patterns used here).
func matchDockerignore(pattern, path string) bool {
	re := regexp.QuoteMeta(strings.TrimSuffix(pattern, "/"))
	re = strings.ReplaceAll(re, `\*\*/`, `(.*/)?`)
	re = strings.ReplaceAll(re, `\*\*`, `.*`)
	re = strings.ReplaceAll(re, `\*`, `[^/]*`)
	re = strings.ReplaceAll(re, `\?`, `[^/]`)
	return regexp.MustCompile(`^` + re + `(/.*)?$`).MatchString(path)
}
