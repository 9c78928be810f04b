// Command agora is the Agora service: one binary that serves the API,
// migrates the database, writes signing keys and seeds demo data. Every
// adapter is built and handed to the services here, by hand, in app.go.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// version is set at build time: -ldflags "-X main.version=v1.2.3".
var version = "dev"

const usage = `usage: agora <command> [arguments]

commands:
  serve                          serve the API (configured by the environment)
  migrate up|down|status|version apply, roll back one, list, or show schema migrations
  keygen [-out FILE]             write a new Ed25519 signing key (PEM) for JWT_PRIVATE_KEY_FILE
  seed [flags]                   load demo/benchmark data (agora seed -h)
  version                        print the build version
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], environ(), os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: testable, with its exit code.
func run(ctx context.Context, args []string, env map[string]string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, env, stdout)
	case "migrate":
		err = migrate(ctx, args[1:], env, stdout)
	case "keygen":
		err = keygen(args[1:], stdout)
	case "seed":
		err = seed(ctx, args[1:], env, stdout)
	case "version":
		b := buildInfo()
		fmt.Fprintf(stdout, "agora %s (revision %s, %s)\n", b.Version, b.Revision, b.GoVersion)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "agora: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if errors.Is(err, errUsage) {
		fmt.Fprintf(stderr, "agora: %v\n", err)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "agora: %v\n", err)
		return 1
	}
	return 0
}

// errUsage marks bad command-line arguments (exit code 2).
var errUsage = errors.New("usage")

func environ() map[string]string {
	m := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}
