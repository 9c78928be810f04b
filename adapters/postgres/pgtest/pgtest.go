// Package pgtest gives tests a real PostgreSQL: a fresh, fully migrated
// database per test, cloned from a template that is migrated once per test
// binary. It uses the server named by TEST_DATABASE_URL when set; otherwise it
// starts a throwaway cluster (initdb + pg_ctl in a temporary folder) that goes
// away with the test process.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"agora/adapters/postgres"
	"agora/sql/migrations"
)

var shared struct {
	once     sync.Once
	adminURL string
	template string
	err      error
}

// NewDatabase returns the URL of a new database, migrated to the newest
// version, that only this test uses. It is dropped when the test ends.
func NewDatabase(t testing.TB) string {
	t.Helper()
	ensureShared(t)
	return cloneTemplate(t, shared.adminURL, shared.template)
}

// ShareServer makes the processes this one starts from now on (the workers
// of `go test -fuzz`) use this process's server instead of each starting a
// cluster of its own: it sets TEST_DATABASE_URL for them, unless it is set
// already. The variable is restored when t ends.
func ShareServer(t testing.TB) {
	t.Helper()
	ensureShared(t)
	if _, set := os.LookupEnv("TEST_DATABASE_URL"); set {
		return
	}
	if err := os.Setenv("TEST_DATABASE_URL", shared.adminURL); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Unsetenv("TEST_DATABASE_URL") })
}

// ensureShared starts (or finds) the server and its template once per process.
func ensureShared(t testing.TB) {
	t.Helper()
	shared.once.Do(func() {
		shared.adminURL = os.Getenv("TEST_DATABASE_URL")
		if shared.adminURL == "" {
			c, err := startCluster(true, false)
			if err != nil {
				shared.err = err
				return
			}
			shared.adminURL = c.AdminURL()
		}
		shared.template, shared.err = ensureTemplate(shared.adminURL)
	})
	if shared.err != nil {
		t.Fatalf("pgtest: %v", shared.err)
	}
}

// templateName is derived from the migrations' content, so a changed
// migration gets a new template and tests never run on a stale schema.
func templateName() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", err
	}
	return "agora_tmpl_" + hex.EncodeToString(h.Sum(nil))[:16], nil
}

// ensureTemplate creates and migrates the template database once per schema.
// An advisory lock makes concurrent test binaries wait for one another.
func ensureTemplate(adminURL string) (string, error) {
	name, err := templateName()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", fmt.Errorf("connect to %s: %w", redact(adminURL), err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(7426701)"); err != nil {
		return "", err
	}
	defer conn.Exec(context.Background(), "SELECT pg_advisory_unlock(7426701)") //nolint:errcheck // released on close anyway
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_building"
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{building}.Sanitize()); err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{building}.Sanitize()); err != nil {
		return "", err
	}
	m, err := postgres.NewMigrator(withDatabase(adminURL, building))
	if err != nil {
		return "", err
	}
	_, err = m.Up(ctx)
	_ = m.Close()
	if err != nil {
		return "", fmt.Errorf("migrate template: %w", err)
	}
	// Rename only when complete, so that a crash never leaves a half-migrated template.
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{building}.Sanitize()+" RENAME TO "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", err
	}
	return name, nil
}

// CreateEmptyDatabase returns the URL of a new, unmigrated database on the
// same server as NewDatabase (for migration tests), dropped when the test ends.
func CreateEmptyDatabase(t testing.TB) string {
	t.Helper()
	NewDatabase(t) // makes sure the shared server is up
	return createDatabase(t, shared.adminURL, "")
}

func cloneTemplate(t testing.TB, adminURL, template string) string {
	t.Helper()
	return createDatabase(t, adminURL, template)
}

func createDatabase(t testing.TB, adminURL, template string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	defer conn.Close(context.Background())
	name := "agora_test_" + randomSuffix()
	stmt := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize()
	if template != "" {
		stmt += " TEMPLATE " + pgx.Identifier{template}.Sanitize()
	}
	// A template cannot be cloned while another session is connected to it;
	// those sessions are brief (another clone in progress), so retry.
	for attempt := 0; ; attempt++ {
		_, err = conn.Exec(ctx, stmt)
		if err == nil || attempt == 50 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("pgtest: %s: %v", stmt, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, adminURL)
		if err != nil {
			t.Logf("pgtest: drop %s: %v", name, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Logf("pgtest: drop %s: %v", name, err)
		}
	})
	return withDatabase(adminURL, name)
}

// withDatabase returns adminURL pointing at another database.
func withDatabase(adminURL, name string) string {
	u, err := url.Parse(adminURL)
	if err != nil || u.Scheme == "" {
		// A DSN ("host=... dbname=...") rather than a URL: append; the last key wins.
		return adminURL + " dbname=" + name
	}
	u.Path = "/" + name
	return u.String()
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func redact(databaseURL string) string {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
