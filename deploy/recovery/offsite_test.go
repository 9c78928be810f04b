package recovery_test

import (
	"bytes"
	"crypto/tls"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"agora/internal/systest"
)

const (
	s3Bucket     = "agora-offsite"
	s3Passphrase = "a test passphrase, not a real one"
)

// s3Server starts a local S3-compatible server over TLS and returns the
// pgBackRest settings that make it repo2, as deploy/.env would (compose.yaml
// passes them as PGBACKREST_REPO2_*). pgBackRest speaks only HTTPS to S3 and
// verifies the certificate: the server's own certificate is the CA file.
func s3Server(t *testing.T, dir string) (*s3mem.Backend, []string) {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(s3Bucket); err != nil {
		t.Fatal(err)
	}
	cert := systest.SelfSigned(t, 24*time.Hour, "localhost", "127.0.0.1")
	srv := httptest.NewUnstartedServer(gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog())).Server())
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert.TLS()}, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ca := filepath.Join(dir, "s3-ca.pem")
	if err := os.WriteFile(ca, cert.PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	port := srv.Listener.Addr().(interface{ String() string }).String()
	port = port[strings.LastIndexByte(port, ':')+1:]
	return backend, []string{
		"PGBACKREST_REPO2_TYPE=s3",
		"PGBACKREST_REPO2_PATH=/agora",
		// pgBackRest matches the certificate by DNS name only.
		"PGBACKREST_REPO2_S3_ENDPOINT=localhost",
		"PGBACKREST_REPO2_STORAGE_PORT=" + port,
		"PGBACKREST_REPO2_STORAGE_CA_FILE=" + ca,
		"PGBACKREST_REPO2_S3_URI_STYLE=path",
		"PGBACKREST_REPO2_S3_BUCKET=" + s3Bucket,
		"PGBACKREST_REPO2_S3_REGION=us-east-1",
		"PGBACKREST_REPO2_S3_KEY=test-access-key",
		"PGBACKREST_REPO2_S3_KEY_SECRET=test-secret-key",
		"PGBACKREST_REPO2_CIPHER_TYPE=aes-256-cbc",
		"PGBACKREST_REPO2_CIPHER_PASS=" + s3Passphrase,
		"PGBACKREST_REPO2_RETENTION_FULL_TYPE=time",
		"PGBACKREST_REPO2_RETENTION_FULL=15",
	}
}

// The off-site repository alone brings the database back, following
// deploy/README.md's "The VPS is gone" as far as a test can: a full backup
// to S3, more rows archived there, the secrets archive uploaded beside them;
// then the cluster, the local repository and the deploy folder are deleted;
// the secrets archive is fetched and decrypted with the operator's age key,
// and its .env's off-site settings restore the database from repo2. Every
// object in the bucket is encrypted (nothing readable), and pgBackRest
// cannot read the repository with another passphrase.
func TestOffsiteRepositoryOverS3(t *testing.T) {
	t.Parallel()
	dir, err := os.MkdirTemp("", "agora-s3-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	backend, s3env := s3Server(t, dir)
	r := newRig(t, s3env...)
	r.initdb("")
	r.start()
	r.pgbackrest("stanza-create")
	const canary = "plaintext canary 7f3a"
	r.query("postgres", `CREATE TABLE probe (id int PRIMARY KEY, body text NOT NULL)`)
	r.query("postgres", `INSERT INTO probe SELECT g, '`+canary+` ' || g FROM generate_series(1, 500) g`)
	r.pgbackrest("backup", "--type=full", "--repo=2")
	r.query("postgres", `INSERT INTO probe SELECT g, '`+canary+` ' || g FROM generate_series(501, 800) g`)
	want := r.digest("postgres", "probe")
	r.pgbackrest("check")

	// The old host's secrets archive goes off-site beside the backups.
	oldDeploy := oldHostSecrets(t, dir, s3env)

	// The VPS is gone: the cluster, the local repository, deploy/.env and
	// the keys. deploy/README.md's runbook from step 2 on:
	r.destroy()
	if err := os.RemoveAll(filepath.Join(r.dir, "repo")); err != nil {
		t.Fatal(err)
	}
	restoredEnv := fetchSecrets(t, dir, oldDeploy)
	// Step 3: the database from the off-site repository alone, with the
	// settings the archive brought back.
	var base []string
	for _, e := range r.env {
		if !strings.HasPrefix(e, "PGBACKREST_REPO2_") {
			base = append(base, e)
		}
	}
	r.env = append(base, restoredEnv...)
	r.pgbackrest("restore", "--repo=2")
	r.start()
	if got := r.digest("postgres", "probe"); got != want {
		t.Errorf("restored from S3 alone: %q, want %q", got, want)
	}

	list, err := backend.ListBucket(s3Bucket, &gofakes3.Prefix{}, gofakes3.ListBucketPage{})
	if err != nil {
		t.Fatal(err)
	}
	var wal, backups int
	for _, c := range list.Contents {
		obj, err := backend.GetObject(s3Bucket, c.Key, nil)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(obj.Contents)
		_ = obj.Contents.Close()
		if err != nil {
			t.Fatal(err)
		}
		header := "Salted__" // pgBackRest's aes-256-cbc (OpenSSL's format)
		if strings.HasPrefix(c.Key, "agora-secrets/") {
			header = "age-encryption.org/v1\n" // secrets-archive.sh
		}
		if !bytes.HasPrefix(body, []byte(header)) {
			t.Errorf("%s (%d bytes) is not encrypted: starts %q", c.Key, len(body), body[:min(len(body), 16)])
		}
		if bytes.Contains(body, []byte(canary)) || bytes.Contains(body, []byte("probe")) {
			t.Errorf("%s holds plain text of the database", c.Key)
		}
		switch {
		case strings.Contains(c.Key, "/archive/"):
			wal++
		case strings.Contains(c.Key, "/backup/"):
			backups++
		}
	}
	if wal == 0 || backups == 0 {
		t.Errorf("bucket holds %d archive and %d backup objects, want both", wal, backups)
	}
	t.Logf("%d objects in the bucket, all encrypted (%d WAL, %d backup)", len(list.Contents), wal, backups)

	// Without the passphrase the repository cannot be read.
	out, err := r.asPostgres(time.Minute, "env", "PGBACKREST_REPO2_CIPHER_PASS=not the passphrase",
		"agora-pgbackrest", "--stanza=agora", "--repo=2", "info", "--output=json")
	if err == nil && strings.Contains(string(out), `"status":{"code":0`) {
		t.Errorf("info with a wrong passphrase read the repository:\n%s", out)
	}
	if !strings.Contains(strconv.Quote(string(out)), "ERROR") && !strings.Contains(string(out), `"code":99`) {
		t.Errorf("info with a wrong passphrase: want an error, got:\n%s", out)
	}
}
