package recovery_test

import (
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"agora/adapters/postgres/pgtest"
	"agora/cmd/agora/agoratest"
	"agora/internal/systest"
)

// deploy/postgres/roles.sql on a migrated database of a cluster made for
// the test (it changes the postgres and template1 databases too): the
// backend's role reads and writes the application's rows (and the tables of
// a later migration too), and can drop, alter, create or read nothing else,
// connects to no other database and makes no temporary tables or large
// objects; the exporter's role sees the statistics and no rows. Applying it
// twice changes nothing.
func TestLeastPrivilegeRoles(t *testing.T) {
	t.Parallel()
	agora, err := agoratest.Build()
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t)
	r.initdb("true")
	r.start()
	r.query("postgres", `CREATE DATABASE agora`)
	owner := r.url("agora")
	migrate := exec.Command(agora, "migrate", "up")
	migrate.Env = append(os.Environ(), "DATABASE_URL="+owner, "LOG_LEVEL=warn")
	if out, err := migrate.CombinedOutput(); err != nil {
		t.Fatalf("agora migrate up: %v\n%s", err, out)
	}
	psql := func(url string, args ...string) (string, error) {
		out, err := exec.Command("psql", append([]string{"--no-psqlrc", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", url}, args...)...).CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	apply := func() {
		if out, err := psql(owner, "-v", "app_password=app-secret", "-v", "monitor_password=monitor-secret",
			"-f", filepath.Join(deployDir(t), "postgres", "roles.sql")); err != nil {
			t.Fatalf("roles.sql: %v\n%s", err, out)
		}
	}
	apply()
	apply()
	as := func(role string) string { return strings.Replace(owner, "://postgres@", "://"+role+"@", 1) }
	app, monitor := as("agora_app"), as("agora_monitor")
	if app == owner {
		t.Fatalf("cannot make a URL for another role from %s", owner)
	}

	allowed := []string{
		`INSERT INTO users (id, username, email, password_hash, display_name, bio) VALUES (gen_random_uuid(), 'least', 'least@example.com', 'x', 'Least', '')`,
		`UPDATE users SET bio = 'updated' WHERE username = 'least'`,
		`SELECT count(*) FROM users`,
		`DELETE FROM users WHERE username = 'least'`,
		`SELECT count(*) FROM goose_db_version`,
	}
	for _, sql := range allowed {
		if out, err := psql(app, "-c", sql); err != nil {
			t.Errorf("agora_app: %s: %v\n%s", sql, err, out)
		}
	}
	denied := []string{
		`DROP TABLE users`,
		`ALTER TABLE users ADD COLUMN evil text`,
		`ALTER TABLE users OWNER TO agora_app`,
		`TRUNCATE users`,
		`CREATE TABLE mine (id int)`,
		`CREATE INDEX ON users (bio)`,
		`SELECT rolpassword FROM pg_authid`,
		`DELETE FROM goose_db_version`,
		`ALTER ROLE agora_app SUPERUSER`,
		`CREATE ROLE other`,
		`GRANT agora_monitor TO agora_app`,
		`COPY users TO PROGRAM 'true'`,
		`CREATE TEMP TABLE scratch (id int)`,
		`SELECT lo_create(0)`,
		`SELECT lo_creat(-1)`,
		`SELECT lo_from_bytea(0, 'x')`,
		`SELECT nextval(pg_get_serial_sequence('goose_db_version', 'id'))`,
		`SELECT setval(pg_get_serial_sequence('goose_db_version', 'id'), 1000)`,
	}
	for _, sql := range denied {
		if out, err := psql(app, "-c", sql); err == nil {
			t.Errorf("agora_app may: %s\n%s", sql, out)
		} else if !strings.Contains(out, "permission denied") && !strings.Contains(out, "must ") {
			t.Errorf("agora_app: %s failed for another reason: %s", sql, out)
		}
	}
	// No other database: neither role connects to postgres or template1.
	for _, role := range []string{"agora_app", "agora_monitor"} {
		for _, db := range []string{"postgres", "template1"} {
			other := strings.Replace(as(role), "/agora?", "/"+db+"?", 1)
			if out, err := psql(other, "-c", "SELECT 1"); err == nil {
				t.Errorf("%s connects to %s", role, db)
			} else if !strings.Contains(out, "permission denied") {
				t.Errorf("%s on %s failed for another reason: %s", role, db, out)
			}
		}
	}
	// The owner still does everything the deployment needs of it.
	for _, db := range []string{"postgres", "template1", "agora"} {
		if out, err := psql(strings.Replace(owner, "/agora?", "/"+db+"?", 1), "-c", "CREATE TEMP TABLE t (id int)"); err != nil {
			t.Errorf("the owner on %s: %v\n%s", db, err, out)
		}
	}
	if out, err := psql(owner, "-c", `SELECT lo_unlink(lo_create(0))`); err != nil {
		t.Errorf("the owner cannot use large objects: %v\n%s", err, out)
	}

	if out, _ := psql(owner, "-c", `SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = 'agora_app'`); out != "0" {
		t.Errorf("agora_app owns %s relations", out)
	}

	// A later migration's table, made by the owner, is readable at once.
	if out, err := psql(owner, "-c", `CREATE TABLE later_migration (id int)`); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if out, err := psql(app, "-c", `INSERT INTO later_migration VALUES (1)`); err != nil {
		t.Errorf("agora_app on a table of a later migration: %v\n%s", err, out)
	}

	if out, err := psql(monitor, "-c", `SELECT count(*) FROM pg_stat_archiver`); err != nil {
		t.Errorf("agora_monitor cannot read statistics: %v\n%s", err, out)
	}
	if out, err := psql(monitor, "-c", `SELECT pg_ls_waldir()`); err != nil {
		t.Errorf("agora_monitor lacks pg_monitor: %v\n%s", err, out)
	}
	if out, err := psql(monitor, "-c", `SELECT count(*) FROM users`); err == nil {
		t.Errorf("agora_monitor reads rows: %s", out)
	}
}

// agora-roles (what deploy.sh and restore.sh run in the postgres container)
// hands the passwords to psql through the environment: psql's command line
// is readable by every user of the host (ps), so no password may be on it.
// Without a password it stops before psql runs.
func TestAgoraRolesKeepsPasswordsOffTheCommandLine(t *testing.T) {
	t.Parallel()
	realPsql := systest.Tool(t, "psql")
	owner := pgtest.NewDatabase(t)
	u, err := url.Parse(owner)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	argv := filepath.Join(tmp, "argv")
	wrapper := fmt.Sprintf("#!/bin/sh\nprintf '%%s\\n' \"$*\" >>%q\nexec %q \"$@\"\n", argv, realPsql)
	if err := os.WriteFile(filepath.Join(tmp, "psql"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	const appPassword, monitorPassword = "app-pw-4f1c9e", "monitor-pw-8b27d0"
	run := func(env ...string) (string, error) {
		cmd := exec.Command("sh", filepath.Join(deployDir(t), "postgres", "agora-roles"))
		cmd.Env = append(os.Environ(), "PATH="+tmp+":"+os.Getenv("PATH"),
			"POSTGRES_USER="+u.User.Username(), "POSTGRES_DB="+strings.TrimPrefix(u.Path, "/"),
			"PGHOST="+u.Hostname(), "PGPORT="+u.Port(),
			"AGORA_ROLES_SQL="+filepath.Join(deployDir(t), "postgres", "roles.sql"))
		cmd.Env = append(cmd.Env, env...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	if out, err := run("AGORA_DB_APP_PASSWORD=", "AGORA_DB_MONITOR_PASSWORD="+monitorPassword); err == nil ||
		!strings.Contains(out, "set AGORA_DB_APP_PASSWORD") {
		t.Errorf("agora-roles without AGORA_DB_APP_PASSWORD: %v\n%s", err, out)
	}
	if _, err := os.Stat(argv); err == nil {
		t.Error("psql ran without a password")
	}

	if out, err := run("AGORA_DB_APP_PASSWORD="+appPassword, "AGORA_DB_MONITOR_PASSWORD="+monitorPassword); err != nil {
		t.Fatalf("agora-roles: %v\n%s", err, out)
	}
	args, err := os.ReadFile(argv)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(args), appPassword) || strings.Contains(string(args), monitorPassword) {
		t.Errorf("a password is on psql's command line: %s", args)
	}
	// The passwords were set (PostgreSQL keeps only their SCRAM verifiers).
	out, err := exec.Command(realPsql, "--no-psqlrc", "-X", "-At", "-d", owner, "-c",
		`SELECT count(*) FROM pg_authid WHERE rolname IN ('agora_app', 'agora_monitor') AND rolpassword LIKE 'SCRAM-SHA-256$%'`).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "2" {
		t.Errorf("the roles have no password: %v %s", err, out)
	}
}
