package recovery_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v4"

	"agora/internal/systest"
)

// archiverSample is what postgres_exporter's stat_archiver collector reads
// (pg_stat_archiver_archived_count and _failed_count).
type archiverSample struct{ archived, failed string }

func (r *rig) archiver() archiverSample {
	r.t.Helper()
	archived, failed, _ := strings.Cut(r.query("postgres", `SELECT archived_count || ' ' || failed_count FROM pg_stat_archiver`), " ")
	return archiverSample{archived, failed}
}

// brokenArchive starts a cluster whose archiving works (stanza made, a
// probe table, pgbackrest check), then moves the repository away as a lost
// disk would. It returns the repository's path; moving repo+".away" back
// mends it.
func (r *rig) brokenArchive() (repo string) {
	r.t.Helper()
	r.initdb("")
	r.start()
	r.pgbackrest("stanza-create")
	r.query("postgres", `CREATE TABLE probe (id serial PRIMARY KEY, at timestamptz DEFAULT clock_timestamp())`)
	r.pgbackrest("check")
	repo = filepath.Join(r.dir, "repo")
	if err := os.Rename(repo, repo+".away"); err != nil {
		r.t.Fatal(err)
	}
	return repo
}

// archiveStep is one sample of the archiving tests: a commit, a finished
// segment, a moment for the archiver (which tries three times a second
// apart, then again at the next segment), and its counters then.
func (r *rig) archiveStep() archiverSample {
	r.t.Helper()
	r.query("postgres", `INSERT INTO probe DEFAULT VALUES`)
	r.query("postgres", `SELECT pg_switch_wal()`)
	time.Sleep(1500 * time.Millisecond)
	return r.archiver()
}

// alertRule returns an alert of observability/prometheus/rules/recovery.yml.
func alertRule(t *testing.T, name string) (path string, annotations map[string]string) {
	t.Helper()
	path = filepath.Join(filepath.Dir(deployDir(t)), "observability", "prometheus", "rules", "recovery.yml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Groups []struct {
			Rules []struct {
				Alert       string            `yaml:"alert"`
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, g := range doc.Groups {
		for _, r := range g.Rules {
			if r.Alert == name {
				return path, r.Annotations
			}
		}
	}
	t.Fatalf("no alert %s in %s", name, path)
	return "", nil
}

// A failing archive command (the repository is gone) leaves the database
// running and writable while the failures pile up; the counters the
// archiver really moved, fed to promtool one sample a minute, make
// PostgresWALArchivingFailing fire; once the repository is back, archiving
// resumes by itself and the alert clears.
func TestFailingArchiveCommandAlerts(t *testing.T) {
	t.Parallel()
	promtool := systest.Tool(t, "promtool")
	r := newRig(t)
	repo := r.brokenArchive()
	var samples []archiverSample
	for range 12 {
		samples = append(samples, r.archiveStep())
	}
	first, last := samples[0], samples[len(samples)-1]
	if last.failed == first.failed || last.archived != first.archived {
		t.Fatalf("with the repository gone: archiver counters went %+v -> %+v, want failures rising and nothing archived", first, last)
	}
	// The database is up and takes writes all along.
	if got := r.query("postgres", `SELECT count(*) FROM probe`); got != "12" {
		t.Errorf("rows written while archiving failed: %s, want 12", got)
	}
	ready, _ := filepath.Glob(filepath.Join(r.data(), "pg_wal", "archive_status", "*.ready"))
	if len(ready) == 0 {
		t.Errorf("no segment waits for archiving")
	}

	if err := os.Rename(repo+".away", repo); err != nil {
		t.Fatal(err)
	}
	for range 12 {
		samples = append(samples, r.archiveStep())
	}
	if s := samples[len(samples)-1]; s.archived == last.archived {
		t.Errorf("archiving did not resume once the repository was back: %+v", s)
	}
	r.pgbackrest("check")

	promtoolArchivingFailing(t, promtool, samples, "11m", "23m")
	t.Logf("archiver counters (archived/failed), one a step: %v", samples)
}

// promtoolArchivingFailing feeds archiver counters, one sample a minute, to
// promtool and checks PostgresWALArchivingFailing fires at firing and, when
// silent is not empty, is silent at silent.
func promtoolArchivingFailing(t *testing.T, promtool string, samples []archiverSample, firing, silent string) {
	t.Helper()
	rules, ann := alertRule(t, "PostgresWALArchivingFailing")
	const labels = `job="postgres",instance="postgres-exporter:9187",host="agora-vps"`
	var archived, failed []string
	for _, s := range samples {
		archived = append(archived, s.archived)
		failed = append(failed, s.failed)
	}
	test := fmt.Sprintf(`rule_files: [%q]
evaluation_interval: 30s
tests:
  - interval: 1m
    input_series:
      - series: 'pg_stat_archiver_failed_count{%[2]s}'
        values: '%[3]s'
      - series: 'pg_stat_archiver_archived_count{%[2]s}'
        values: '%[4]s'
    alert_rule_test:
      - eval_time: %[8]s
        alertname: PostgresWALArchivingFailing
        exp_alerts:
          - exp_labels: {severity: critical, job: postgres, instance: "postgres-exporter:9187", host: agora-vps}
            exp_annotations:
              summary: %[5]q
              description: %[6]q
              runbook_url: %[7]q
`, rules, labels, strings.Join(failed, " "), strings.Join(archived, " "),
		strings.ReplaceAll(ann["summary"], "{{ $labels.host }}", "agora-vps"), ann["description"], ann["runbook_url"], firing)
	if silent != "" {
		test += fmt.Sprintf(`      - eval_time: %s
        alertname: PostgresWALArchivingFailing
        exp_alerts: []
`, silent)
	}
	file := filepath.Join(t.TempDir(), "archiving_test.yml")
	if err := os.WriteFile(file, []byte(test), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(promtool, "test", "rules", file).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "SUCCESS") {
		t.Errorf("promtool test rules on the observed counters: %v\n%s\n%s", err, out, test)
	}
}
