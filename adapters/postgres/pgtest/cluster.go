package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Cluster is a throwaway PostgreSQL server in a temporary folder, listening
// on a free loopback port. Tests that stop and start the database (outages,
// alerts) use their own; others share one through NewDatabase.
type Cluster struct {
	dir      string
	port     int
	template string
	bin      string
	// durable keeps synchronous_commit on, so a write acknowledged before
	// an immediate stop (a simulated crash) is still there after Start.
	durable bool
}

// StartCluster starts a private cluster that is stopped and removed when the
// test ends. Under CI=true a missing PostgreSQL installation fails the test;
// elsewhere it skips with the reason.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	c, err := startCluster(false, true)
	if errors.Is(err, errNoPostgres) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("pgtest: %v", err)
		}
		t.Skipf("pgtest: %v", err)
	}
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		_ = c.pgctl("stop", "-m", "immediate", "-w")
		_ = os.RemoveAll(c.dir)
	})
	return c
}

// AdminURL is a superuser URL for the cluster's postgres database.
func (c *Cluster) AdminURL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// NewDatabase returns the URL of a new migrated database on this cluster.
func (c *Cluster) NewDatabase(t testing.TB) string {
	t.Helper()
	if c.template == "" {
		name, err := ensureTemplate(c.AdminURL())
		if err != nil {
			t.Fatalf("pgtest: %v", err)
		}
		c.template = name
	}
	return cloneTemplate(t, c.AdminURL(), c.template)
}

// Stop shuts the server down at once, as a crash or an outage would.
func (c *Cluster) Stop(t testing.TB) {
	t.Helper()
	if err := c.pgctl("stop", "-m", "immediate", "-w"); err != nil {
		t.Fatalf("pgtest: stop: %v", err)
	}
}

// Start starts the server again on the same port and waits until it accepts connections.
func (c *Cluster) Start(t testing.TB) {
	t.Helper()
	if err := c.start(); err != nil {
		t.Fatalf("pgtest: start: %v", err)
	}
}

var errNoPostgres = errors.New("no PostgreSQL server binaries (initdb, pg_ctl) found: install postgresql (apt-get install postgresql) or set TEST_DATABASE_URL")

func findBin() (string, error) {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if _, err := exec.LookPath("initdb"); err == nil {
			// Follow links to the installation's own bin folder, which also
			// holds pg_basebackup.
			if real, err := filepath.EvalSymlinks(p); err == nil {
				p = real
			}
			return filepath.Dir(p), nil
		}
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) > 0 {
		return filepath.Dir(matches[len(matches)-1]), nil
	}
	return "", errNoPostgres
}

// startCluster runs initdb and pg_ctl. PostgreSQL refuses to run as root, so
// as root the server runs as the "postgres" system user. With reap set, a
// small watcher stops and removes the cluster once this test process exits,
// since a shared cluster outlives every single test.
func startCluster(reap, durable bool) (*Cluster, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "agora-pg-")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir, port: port, bin: bin, durable: durable}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root needs the postgres system user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
	}
	if out, err := c.run(filepath.Join(bin, "initdb"), "-D", c.dataDir(), "-U", "postgres",
		"--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"); err != nil {
		return nil, fmt.Errorf("initdb: %w: %s", err, out)
	}
	if reap {
		if err := c.startReaper(); err != nil {
			return nil, err
		}
	}
	if err := c.start(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Cluster) dataDir() string { return filepath.Join(c.dir, "data") }

func (c *Cluster) start() error {
	// fsync off is safe here: the machine does not crash under a test, only
	// the server is stopped, and the OS keeps what was written.
	syncCommit := "off"
	if c.durable {
		syncCommit = "on"
	}
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s -c fsync=off -c synchronous_commit=%s "+
		"-c full_page_writes=off -c max_connections=200 -c shared_buffers=64MB", c.port, c.dir, syncCommit)
	if err := c.pgctl("start", "-w", "-t", "60", "-o", opts, "-l", filepath.Join(c.dir, "server.log")); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
		return fmt.Errorf("%w: %s", err, lastLines(log, 10))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		conn, err := pgx.Connect(ctx, c.AdminURL())
		if err == nil {
			return conn.Close(ctx)
		}
		if ctx.Err() != nil {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (c *Cluster) pgctl(args ...string) error {
	full := append([]string{"-D", c.dataDir()}, args...)
	out, err := c.run(filepath.Join(c.bin, "pg_ctl"), full...)
	if err != nil {
		return fmt.Errorf("pg_ctl %v: %w: %s", args, err, out)
	}
	return nil
}

// run executes a PostgreSQL tool, as the postgres user when we are root.
func (c *Cluster) run(name string, args ...string) ([]byte, error) {
	if os.Geteuid() == 0 {
		args = append([]string{"-u", "postgres", "--", name}, args...)
		name = "runuser"
	}
	cmd := exec.Command(name, args...)
	cmd.Dir = c.dir
	return cmd.CombinedOutput()
}

// startReaper starts a detached shell that waits for this process to exit,
// then stops the cluster and deletes its folder.
func (c *Cluster) startReaper() error {
	script := fmt.Sprintf(`while kill -0 %d 2>/dev/null; do sleep 0.5; done
%s -D %s stop -m immediate -w >/dev/null 2>&1
rm -rf %s`, os.Getpid(), filepath.Join(c.bin, "pg_ctl"), c.dataDir(), c.dir)
	var name string
	var args []string
	if os.Geteuid() == 0 {
		// The stop must run as postgres, the removal as root: run the shell as root
		// and only pg_ctl through runuser.
		script = fmt.Sprintf(`while kill -0 %d 2>/dev/null; do sleep 0.5; done
runuser -u postgres -- %s -D %s stop -m immediate -w >/dev/null 2>&1
rm -rf %s`, os.Getpid(), filepath.Join(c.bin, "pg_ctl"), c.dataDir(), c.dir)
	}
	name, args = "sh", []string{"-c", script}
	cmd := exec.Command(name, args...)
	cmd.SysProcAttr = detached()
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start cluster reaper: %w", err)
	}
	go func() { _ = cmd.Wait() }()
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func lastLines(b []byte, n int) []byte {
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return bytes.Join(lines, []byte("\n"))
}

// StartReplica makes a streaming replica of c (pg_basebackup -R) on its own
// port, stopped and removed when the test ends. Databases created on c
// before or after appear on the replica under the same names.
func (c *Cluster) StartReplica(t testing.TB) *Cluster {
	t.Helper()
	dir, err := os.MkdirTemp("", "agora-pg-replica-")
	if err != nil {
		t.Fatal(err)
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	r := &Cluster{dir: dir, port: port, bin: c.bin, durable: c.durable}
	if os.Geteuid() == 0 {
		if out, err := exec.Command("chown", "postgres:", dir).CombinedOutput(); err != nil {
			t.Fatalf("pgtest: chown replica dir: %v: %s", err, out)
		}
	}
	if out, err := r.run(filepath.Join(c.bin, "pg_basebackup"), "-D", r.dataDir(), "-R", "-X", "stream", "--checkpoint=fast",
		"-h", "127.0.0.1", "-p", strconv.Itoa(c.port), "-U", "postgres", "--no-sync"); err != nil {
		t.Fatalf("pgtest: pg_basebackup: %v: %s", err, out)
	}
	t.Cleanup(func() {
		_ = r.pgctl("stop", "-m", "immediate", "-w")
		_ = os.RemoveAll(r.dir)
	})
	if err := r.start(); err != nil {
		t.Fatalf("pgtest: start replica: %v", err)
	}
	return r
}

// URL returns the URL of the named database on this cluster.
func (c *Cluster) URL(database string) string {
	return withDatabase(c.AdminURL(), database)
}
