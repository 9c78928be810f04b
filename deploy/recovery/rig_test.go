package recovery_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v4"

	"agora/internal/systest"
)

// rig is one PostgreSQL cluster with pgBackRest set up as in production:
// deploy/postgres's pgbackrest.conf and agora-pgbackrest wrapper, and the
// archive settings of compose.yaml's postgres command, with only the paths
// and the port changed (through PGBACKREST_* variables). Everything lives
// in one folder owned by the postgres user, removed when the test ends.
type rig struct {
	t    testing.TB
	dir  string
	bin  string // PostgreSQL's binaries
	port int
	env  []string // PGBACKREST_* and PATH, for the server and every tool
}

// pgBin finds PostgreSQL's server binaries; a missing installation fails
// under CI=true and skips elsewhere.
func pgBin(t testing.TB) string {
	t.Helper()
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) == 0 {
		need(t, "PostgreSQL's server binaries (/usr/lib/postgresql/*/bin, package postgresql)")
	}
	return filepath.Dir(matches[len(matches)-1])
}

// need reports what is missing (systest.Missing: fails under CI=true).
func need(t testing.TB, what string) {
	t.Helper()
	systest.Missing(t, what+" is missing (scripts/apt-packages.txt lists it; run make deps)")
}

func deployDir(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(wd)
}

// postgresCommand returns compose.yaml's `-c name=value` settings of the
// postgres service.
func postgresCommand(t testing.TB) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(deployDir(t), "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Services map[string]struct {
			Command []string `yaml:"command"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	cmd := doc.Services["postgres"].Command
	for i := 0; i+1 < len(cmd); i++ {
		if cmd[i] == "-c" {
			name, value, _ := strings.Cut(cmd[i+1], "=")
			out[name] = value
		}
	}
	return out
}

// newRig makes the folder and copies the production files into it. The
// cluster itself comes from initdb (or a restore).
func newRig(t testing.TB, extraEnv ...string) *rig {
	t.Helper()
	systest.Tool(t, "pgbackrest")
	systest.Tool(t, "psql")
	bin := pgBin(t)
	if os.Geteuid() != 0 {
		need(t, "root (the clusters run as the postgres user through runuser)")
	}
	if _, err := user.Lookup("postgres"); err != nil {
		need(t, "the postgres system user")
	}
	dir, err := os.MkdirTemp("", "agora-recovery-")
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, dir: dir, bin: bin, port: systest.FreePort(t)}
	for _, sub := range []string{"bin", "repo", "lock", "log", "sock", "textfile"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"pgbackrest.conf", "agora-pgbackrest", "restore-drill.sh"} {
		b, err := os.ReadFile(filepath.Join(deployDir(t), "postgres", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "bin", f), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := exec.Command("chown", "-R", "postgres:postgres", dir).CombinedOutput(); err != nil {
		t.Fatalf("chown: %v: %s", err, out)
	}
	r.env = append([]string{
		"PATH=" + filepath.Join(dir, "bin") + ":" + bin + ":/usr/local/bin:/usr/bin:/bin",
		"PGBACKREST_CONFIG=" + filepath.Join(dir, "bin", "pgbackrest.conf"),
		"PGBACKREST_CMD=" + filepath.Join(dir, "bin", "agora-pgbackrest"),
		"PGBACKREST_REPO1_PATH=" + filepath.Join(dir, "repo"),
		"PGBACKREST_LOCK_PATH=" + filepath.Join(dir, "lock"),
		"PGBACKREST_LOG_PATH=" + filepath.Join(dir, "log"),
		"PGBACKREST_PG1_PATH=" + r.data(),
		"PGBACKREST_PG1_PORT=" + strconv.Itoa(r.port),
		"PGBACKREST_PG1_SOCKET_PATH=" + filepath.Join(dir, "sock"),
		"PGBACKREST_PG1_USER=postgres",
	}, extraEnv...)
	t.Cleanup(func() {
		r.stopQuietly()
		_ = os.RemoveAll(dir)
	})
	return r
}

func (r *rig) data() string { return filepath.Join(r.dir, "data") }

// asPostgres runs a command as the postgres user with the rig's environment.
func (r *rig) asPostgres(timeout time.Duration, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	full := append([]string{"-u", "postgres", "--", "env", "-i", "HOME=" + r.dir, "LANG=C.UTF-8"}, r.env...)
	full = append(full, append([]string{name}, args...)...)
	cmd := exec.CommandContext(ctx, "runuser", full...)
	cmd.Dir = r.dir
	return cmd.CombinedOutput()
}

// must runs a command as postgres and fails the test when it fails.
func (r *rig) must(timeout time.Duration, name string, args ...string) string {
	r.t.Helper()
	out, err := r.asPostgres(timeout, name, args...)
	if err != nil {
		r.t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

// pgbackrest runs the production wrapper with the agora stanza.
func (r *rig) pgbackrest(args ...string) string {
	r.t.Helper()
	return r.must(5*time.Minute, "agora-pgbackrest", append([]string{"--stanza=agora"}, args...)...)
}

// initdb makes the cluster with compose.yaml's archive settings, the
// production archive_command pointing at the rig's copy of the wrapper.
func (r *rig) initdb(archiveCommand string) {
	r.t.Helper()
	r.must(2*time.Minute, "initdb", "-D", r.data(), "-U", "postgres", "--auth=trust", "--no-sync",
		"-E", "UTF8", "--locale=C.UTF-8", "--data-checksums")
	prod := postgresCommand(r.t)
	if archiveCommand == "" {
		archiveCommand = filepath.Join(r.dir, "bin", prod["archive_command"])
	}
	conf := fmt.Sprintf(`
port = %d
listen_addresses = '127.0.0.1'
unix_socket_directories = '%s'
archive_mode = %s
archive_command = '%s'
archive_timeout = %s
fsync = off
shared_buffers = 32MB
max_connections = 30
`, r.port, filepath.Join(r.dir, "sock"), prod["archive_mode"], strings.ReplaceAll(archiveCommand, "'", "''"), prod["archive_timeout"])
	f, err := os.OpenFile(filepath.Join(r.data(), "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		r.t.Fatal(err)
	}
	if _, err := f.WriteString(conf); err != nil {
		r.t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		r.t.Fatal(err)
	}
}

// start starts the server and waits until it accepts writes (a restored
// cluster first replays WAL and promotes).
func (r *rig) start() {
	r.t.Helper()
	if out, err := r.asPostgres(2*time.Minute, "pg_ctl", "-D", r.data(), "-w", "-t", "120",
		"-l", filepath.Join(r.dir, "server.log"), "start"); err != nil {
		logb, _ := os.ReadFile(filepath.Join(r.dir, "server.log"))
		r.t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, tail(logb, 20))
	}
	deadline := time.Now().Add(2 * time.Minute)
	for r.queryErr("postgres", "SELECT pg_is_in_recovery()") != "f" {
		if time.Now().After(deadline) {
			logb, _ := os.ReadFile(filepath.Join(r.dir, "server.log"))
			r.t.Fatalf("the server did not leave recovery\n%s", tail(logb, 20))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (r *rig) stopQuietly() {
	if _, err := os.Stat(filepath.Join(r.data(), "postmaster.pid")); err == nil {
		_, _ = r.asPostgres(time.Minute, "pg_ctl", "-D", r.data(), "-m", "immediate", "-w", "stop")
	}
}

// url is a libpq URL for a database on the rig's server.
func (r *rig) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", r.port, db)
}

// queryErr runs one statement and returns its output, or "" on error.
func (r *rig) queryErr(db, sql string) string {
	out, err := exec.Command("psql", "--no-psqlrc", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", r.url(db), "-c", sql).CombinedOutput()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// query runs one statement and fails the test on error.
func (r *rig) query(db, sql string) string {
	r.t.Helper()
	out, err := exec.Command("psql", "--no-psqlrc", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", r.url(db), "-c", sql).CombinedOutput()
	if err != nil {
		r.t.Fatalf("psql %q: %v\n%s", sql, err, out)
	}
	return strings.TrimSpace(string(out))
}

// destroy loses the whole cluster as a dead disk would: the postmaster is
// killed with SIGKILL (no shutdown checkpoint, nothing more archived) and the
// data folder is deleted. It returns the moment of the kill.
func (r *rig) destroy() time.Time {
	r.t.Helper()
	b, err := os.ReadFile(filepath.Join(r.data(), "postmaster.pid"))
	if err != nil {
		r.t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if err != nil {
		r.t.Fatalf("postmaster.pid: %v", err)
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		r.t.Fatal(err)
	}
	killed := time.Now()
	if err := p.Kill(); err != nil {
		r.t.Fatal(err)
	}
	// The server's children notice their parent's death and exit; the
	// archiver must be gone before the data goes, as it would be with the disk.
	deadline := time.Now().Add(30 * time.Second)
	for childrenOf(pid) > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if err := os.RemoveAll(r.data()); err != nil {
		r.t.Fatal(err)
	}
	// The socket and its lock file go with the server. Left behind, the lock
	// names the killed postmaster, which nobody reaps where PID 1 is no init
	// (a container): PostgreSQL sees that zombie as alive and will not start.
	locks, _ := filepath.Glob(filepath.Join(r.dir, "sock", ".s.PGSQL.*"))
	for _, l := range locks {
		_ = os.Remove(l)
	}
	return killed
}

// childrenOf counts the processes whose parent is pid.
func childrenOf(pid int) int {
	n := 0
	procs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so cut after ')'.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			n++
		}
	}
	return n
}

// digest is a row count and an order-independent checksum of every row of a
// table: the same probe the restore drill runs.
func (r *rig) digest(db, table string) string {
	r.t.Helper()
	return r.query(db, fmt.Sprintf("SELECT count(*) || ' ' || coalesce(sum(hashtextextended(r::text, 0)), 0) FROM %s r", table))
}

func tail(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
