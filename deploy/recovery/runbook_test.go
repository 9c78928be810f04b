package recovery_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"agora/internal/systest"
)

// oldHostSecrets plays the lost server: a deploy folder with .env (the
// off-site settings among them) and secrets/, archived by
// deploy/scripts/secrets-archive.sh to the S3 store. It returns the folder
// (which the caller's disaster then deletes) after saving its contents for
// comparison.
func oldHostSecrets(t *testing.T, dir string, s3env []string) map[string]string {
	t.Helper()
	systest.Tool(t, "age")
	systest.Tool(t, "rclone")
	keygen := systest.Tool(t, "age-keygen")
	identity := filepath.Join(dir, "operator-age-key.txt")
	out, err := exec.Command(keygen, "-o", identity).CombinedOutput()
	if err != nil {
		t.Fatalf("age-keygen: %v\n%s", err, out)
	}
	recipient := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(out)), "Public key:"))
	deploy := filepath.Join(dir, "old-host", "deploy")
	files := map[string]string{
		".env":                               "POSTGRES_PASSWORD=old-host-password\nSECRETS_AGE_RECIPIENT=" + recipient + "\n" + strings.Join(s3env, "\n") + "\n",
		"secrets/jwt_private_key.pem":        "-----BEGIN PRIVATE KEY-----\nnot a real key\n-----END PRIVATE KEY-----\n",
		"secrets/alertmanager/smtp_password": "smtp secret\n",
	}
	for name, body := range files {
		p := filepath.Join(deploy, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("bash", filepath.Join(deployDir(t), "scripts", "secrets-archive.sh"))
	cmd.Env = append(os.Environ(), "SECRETS_SOURCE_DIR="+deploy, "BACKUP_DIR="+filepath.Join(dir, "old-host", "backups"),
		"SSL_CERT_FILE="+filepath.Join(dir, "s3-ca.pem"), "RCLONE_CONFIG=/dev/null", "TEXTFILE_DIR="+filepath.Join(dir, "textfile"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("secrets-archive.sh: %v\n%s", err, out)
	}
	if m := systest.ReadTextfile(t, filepath.Join(dir, "textfile", "agora_secrets_archive.prom")); m["agora_secrets_archive_last_status"] != 1 {
		t.Errorf("secrets-archive.sh copied off-site but reports: %v", m)
	}
	if err := os.RemoveAll(filepath.Join(dir, "old-host")); err != nil {
		t.Fatal(err)
	}
	files["identity"] = identity
	return files
}

// fetchSecrets is step 2 of the runbook on the new server: rclone fetches
// the newest archive from the store (keys from the operator's password
// manager), age decrypts it with the operator's identity, tar unpacks it
// into the new checkout's deploy folder. The files are the old ones, byte
// for byte; the PGBACKREST_REPO2_* lines of the restored .env are returned.
func fetchSecrets(t *testing.T, dir string, old map[string]string) []string {
	t.Helper()
	s3 := map[string]string{}
	for _, line := range strings.Split(old[".env"], "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			s3[k] = v
		}
	}
	fetched := filepath.Join(dir, "new-host", "fetched")
	// Without AWS_CA_BUNDLE, which Debian's rclone cannot use (see the script).
	rclone := exec.Command("env", "-u", "AWS_CA_BUNDLE", "rclone", "copy",
		"offsite:"+s3["PGBACKREST_REPO2_S3_BUCKET"]+s3["PGBACKREST_REPO2_PATH"]+"-secrets", fetched)
	rclone.Env = append(os.Environ(), "RCLONE_CONFIG=/dev/null", "SSL_CERT_FILE="+filepath.Join(dir, "s3-ca.pem"),
		"RCLONE_CONFIG_OFFSITE_TYPE=s3", "RCLONE_CONFIG_OFFSITE_PROVIDER=Other",
		"RCLONE_CONFIG_OFFSITE_ENDPOINT=https://"+s3["PGBACKREST_REPO2_S3_ENDPOINT"]+":"+s3["PGBACKREST_REPO2_STORAGE_PORT"],
		"RCLONE_CONFIG_OFFSITE_ACCESS_KEY_ID="+s3["PGBACKREST_REPO2_S3_KEY"],
		"RCLONE_CONFIG_OFFSITE_SECRET_ACCESS_KEY="+s3["PGBACKREST_REPO2_S3_KEY_SECRET"],
		"RCLONE_CONFIG_OFFSITE_FORCE_PATH_STYLE=true")
	if out, err := rclone.CombinedOutput(); err != nil {
		t.Fatalf("rclone copy from the store: %v\n%s", err, out)
	}
	archives, _ := filepath.Glob(filepath.Join(fetched, "secrets_*.tar.age"))
	if len(archives) != 1 {
		t.Fatalf("fetched %v, want one secrets archive", archives)
	}
	if b, _ := os.ReadFile(archives[0]); strings.Contains(string(b), "old-host-password") {
		t.Fatalf("the secrets archive is not encrypted")
	}
	deploy := filepath.Join(dir, "new-host", "deploy")
	if err := os.MkdirAll(deploy, 0o700); err != nil {
		t.Fatal(err)
	}
	// A wrong identity reads nothing.
	wrong := filepath.Join(dir, "wrong-key.txt")
	if out, err := exec.Command("age-keygen", "-o", wrong).CombinedOutput(); err != nil {
		t.Fatalf("age-keygen: %v\n%s", err, out)
	}
	if out, err := exec.Command("age", "-d", "-i", wrong, archives[0]).CombinedOutput(); err == nil {
		t.Errorf("age decrypted the archive with another key:\n%.200s", out)
	}
	unpack := exec.Command("bash", "-c", `age -d -i "$1" "$2" | tar -x -C "$3"`, "unpack", old["identity"], archives[0], deploy)
	if out, err := unpack.CombinedOutput(); err != nil {
		t.Fatalf("age -d | tar -x: %v\n%s", err, out)
	}
	var repo2 []string
	for name, want := range old {
		if name == "identity" {
			continue
		}
		got, err := os.ReadFile(filepath.Join(deploy, name))
		if err != nil || string(got) != want {
			t.Errorf("restored %s = %q (%v), want the old host's", name, got, err)
		}
	}
	for _, line := range strings.Split(old[".env"], "\n") {
		if strings.HasPrefix(line, "PGBACKREST_REPO2_") {
			repo2 = append(repo2, line)
		}
	}
	return repo2
}
