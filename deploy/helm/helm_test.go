package helm_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v4"

	"agora/internal/systest"
)

// The chart is checked offline: `helm lint --strict`, `helm template` for
// a pinned Kubernetes version, and kubeconform in strict mode against JSON
// schemas committed under schemas/ (made by schemagen from the Kubernetes
// release's own OpenAPI document and prometheus-operator's CRDs). Helm and
// kubeconform are Go tools pinned in tools/go.mod.

const kubeVersion = "1.37.2" // = schemagen.KubernetesVersion without the v

func helmDir(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}

func repoRoot(t testing.TB) string { return filepath.Dir(filepath.Dir(helmDir(t))) }

func chartDir(t testing.TB) string { return filepath.Join(helmDir(t), "agora") }

var (
	toolsOnce sync.Once
	toolsDir  string
	toolsErr  error
)

// tool returns the path of helm or kubeconform, built once from
// tools/go.mod. A failed build (no module proxy) skips, except under CI.
func tool(t testing.TB, name string) string {
	t.Helper()
	toolsOnce.Do(func() {
		toolsDir, toolsErr = os.MkdirTemp("", "agora-helm-tools-")
		if toolsErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-modfile=tools/go.mod", "-o", toolsDir+"/",
			"helm.sh/helm/v3/cmd/helm", "github.com/yannh/kubeconform/cmd/kubeconform")
		cmd.Dir = repoRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			toolsErr = fmt.Errorf("go build helm and kubeconform from tools/go.mod: %w\n%s", err, out)
		}
	})
	if toolsErr != nil {
		systest.Missing(t, toolsErr)
	}
	return filepath.Join(toolsDir, name)
}

func run(t testing.TB, stdin []byte, bin string, args ...string) (stdout []byte, err error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = helmDir(t)
	// Helm must not read or write a user's configuration or cache.
	home := t.TempDir()
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+home+"/cache", "HELM_CONFIG_HOME="+home+"/config",
		"HELM_DATA_HOME="+home+"/data", "KUBECONFIG="+home+"/kubeconfig")
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return out.Bytes(), fmt.Errorf("%s %s: %w\n%s%s", filepath.Base(bin), strings.Join(args, " "), err, out.Bytes(), stderr.Bytes())
	}
	return out.Bytes(), nil
}

// render runs helm template with the given values files and --set pairs.
func render(t testing.TB, valuesFiles []string, sets ...string) ([]byte, error) {
	t.Helper()
	args := []string{"template", "agora", chartDir(t), "--namespace", "agora", "--kube-version", kubeVersion}
	for _, f := range valuesFiles {
		args = append(args, "--values", filepath.Join(chartDir(t), "ci", f))
	}
	for _, s := range sets {
		args = append(args, "--set", s)
	}
	return run(t, nil, tool(t, "helm"), args...)
}

type object = map[string]any

// docs splits helm's output into objects keyed "Kind/name".
func docs(t testing.TB, manifest []byte) map[string]object {
	t.Helper()
	out := map[string]object{}
	dec := yaml.NewDecoder(bytes.NewReader(manifest))
	for {
		var o object
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("rendered YAML does not parse: %v", err)
		}
		if o == nil {
			continue
		}
		key := fmt.Sprintf("%v/%v", o["kind"], get(o, "metadata", "name"))
		if _, dup := out[key]; dup {
			t.Errorf("%s rendered twice", key)
		}
		out[key] = o
	}
	return out
}

// get walks maps by key and lists by int index; nil when absent.
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func str(v any, path ...any) string { s, _ := get(v, path...).(string); return s }

// kubeconform validates every object strictly against the committed
// schemas; nothing may be skipped for lack of a schema.
func kubeconform(t testing.TB, manifest []byte) {
	t.Helper()
	schemas := filepath.Join(helmDir(t), "schemas")
	out, err := run(t, manifest, tool(t, "kubeconform"),
		"-strict", "-summary", "-output", "json",
		"-kubernetes-version", kubeVersion,
		"-schema-location", schemas+"/kubernetes/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json",
		"-schema-location", schemas+"/crds/{{ .ResourceKind }}{{ .KindSuffix }}.json",
		"-")
	if err != nil {
		t.Fatalf("kubeconform: %v", err)
	}
	var res struct {
		Resources []struct{ Kind, Name, Status, Msg string }
		Summary   struct{ Valid, Invalid, Errors, Skipped int }
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("kubeconform output: %v\n%s", err, out)
	}
	if res.Summary.Valid == 0 || res.Summary.Invalid+res.Summary.Errors+res.Summary.Skipped != 0 {
		t.Errorf("kubeconform summary %+v", res.Summary)
	}
	for _, r := range res.Resources {
		if r.Status != "statusValid" {
			t.Errorf("kubeconform: %s %s: %s %s", r.Kind, r.Name, r.Status, r.Msg)
		}
	}
}

func TestChartLint(t *testing.T) {
	t.Parallel()
	for _, f := range []string{"cnpg-values.yaml", "inline-values.yaml"} {
		t.Run(f, func(t *testing.T) {
			t.Parallel()
			out, err := run(t, nil, tool(t, "helm"), "lint", "--strict", "--kube-version", kubeVersion,
				chartDir(t), "--values", filepath.Join(chartDir(t), "ci", f))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(out), "0 chart(s) failed") {
				t.Fatalf("helm lint: %s", out)
			}
		})
	}
}

// The production shape: CloudNativePG, Secrets made beforehand, HPA.
func TestChartCNPG(t *testing.T) {
	t.Parallel()
	manifest, err := render(t, []string{"cnpg-values.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	kubeconform(t, manifest)
	objs := docs(t, manifest)

	var kinds []string
	for k := range objs {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	want := []string{
		"Deployment/agora", "HorizontalPodAutoscaler/agora", "Ingress/agora", "Job/agora-migrate",
		"NetworkPolicy/agora", "PodDisruptionBudget/agora", "PrometheusRule/agora", "Service/agora",
		"ServiceAccount/agora", "ServiceMonitor/agora",
	}
	if !slices.Equal(kinds, want) {
		t.Fatalf("rendered objects %v, want %v (no Secret: every secret comes from outside)", kinds, want)
	}

	dep := objs["Deployment/agora"]
	if get(dep, "spec", "replicas") != nil {
		t.Error("Deployment sets replicas although the HPA owns the count")
	}
	podLabels := get(dep, "spec", "template", "metadata", "labels").(map[string]any)
	pod := get(dep, "spec", "template", "spec")
	c := get(pod, "containers", 0)
	if str(c, "args", 0) != "serve" {
		t.Errorf("container args %v", get(c, "args"))
	}
	env := envOf(t, c)
	for k, v := range map[string]string{
		"HTTP_ADDR": ":8000", "METRICS_ADDR": ":9464", "RATE_LIMIT_STORE": "redis", "GOMAXPROCS": "2",
		"JWT_PRIVATE_KEY_FILE": "/run/secrets/agora/jwt/jwt_private_key.pem",
		"PUBLIC_BASE_URL":      "https://agora.example.com", "TRUSTED_PROXIES": "10.244.0.0/16",
	} {
		if env[k] != v {
			t.Errorf("env %s = %q, want %q", k, env[k], v)
		}
	}
	for name, ref := range map[string]string{"DATABASE_URL": "agora-db-app/uri", "REDIS_URL": "agora-redis/redis-url", "SMTP_URL": "agora-smtp/smtp-url"} {
		if got := env[name+"<-secret"]; got != ref {
			t.Errorf("%s from secret %q, want %q (CloudNativePG's <cluster>-app Secret, key uri)", name, got, ref)
		}
	}
	ports := map[string]any{}
	for _, p := range get(c, "ports").([]any) {
		ports[str(p, "name")] = get(p, "containerPort")
	}
	if ports["http"] != 8000 || ports["internal"] != 9464 {
		t.Errorf("container ports %v", ports)
	}
	for probe, path := range map[string]string{"readinessProbe": "/readyz", "livenessProbe": "/healthz", "startupProbe": "/healthz"} {
		if str(c, probe, "httpGet", "path") != path || str(c, probe, "httpGet", "port") != "internal" {
			t.Errorf("%s = %v, want GET %s on the internal port", probe, get(c, probe), path)
		}
	}
	if get(c, "securityContext", "readOnlyRootFilesystem") != true || get(pod, "securityContext", "runAsNonRoot") != true ||
		get(c, "securityContext", "allowPrivilegeEscalation") != false {
		t.Error("the container must run read-only, as non-root, without privilege escalation")
	}
	if get(pod, "automountServiceAccountToken") != false {
		t.Error("the pod mounts a service account token it never uses")
	}
	if str(pod, "volumes", 0, "secret", "secretName") != "agora-jwt" {
		t.Errorf("JWT key volume %v", get(pod, "volumes", 0))
	}
	if get(pod, "terminationGracePeriodSeconds") != 35 || get(c, "lifecycle", "preStop", "sleep", "seconds") != 5 {
		t.Error("grace period must cover the preStop pause and SHUTDOWN_TIMEOUT")
	}

	job := objs["Job/agora-migrate"]
	if hook := str(job, "metadata", "annotations", "helm.sh/hook"); hook != "pre-install,pre-upgrade" {
		t.Errorf("migration Job hook %q", hook)
	}
	jc := get(job, "spec", "template", "spec", "containers", 0)
	if fmt.Sprint(get(jc, "args")) != "[migrate up]" || envOf(t, jc)["DATABASE_URL<-secret"] != "agora-db-app/uri" {
		t.Errorf("migration container %v", jc)
	}
	if str(job, "spec", "template", "spec", "restartPolicy") != "Never" {
		t.Error("migration Job restarts its pod in place")
	}

	hpa := objs["HorizontalPodAutoscaler/agora"]
	if str(hpa, "spec", "scaleTargetRef", "name") != "agora" || str(hpa, "spec", "metrics", 0, "resource", "name") != "cpu" {
		t.Errorf("HPA %v", get(hpa, "spec"))
	}
	if get(hpa, "spec", "minReplicas") != 2 {
		t.Error("HPA minReplicas below 2: one pod is not highly available")
	}

	for _, key := range []string{"PodDisruptionBudget/agora", "NetworkPolicy/agora", "Service/agora", "ServiceMonitor/agora"} {
		sel := get(objs[key], "spec", "selector", "matchLabels")
		if key == "NetworkPolicy/agora" {
			sel = get(objs[key], "spec", "podSelector", "matchLabels")
		}
		if key == "Service/agora" {
			sel = get(objs[key], "spec", "selector")
		}
		m, _ := sel.(map[string]any)
		if len(m) == 0 {
			t.Errorf("%s has no selector", key)
		}
		for k, v := range m {
			if key == "ServiceMonitor/agora" {
				continue // selects the Service, checked below
			}
			if podLabels[k] != v {
				t.Errorf("%s selects %s=%v, the pods have %v", key, k, v, podLabels[k])
			}
		}
	}

	np := objs["NetworkPolicy/agora"]
	if fmt.Sprint(get(np, "spec", "policyTypes")) != "[Ingress Egress]" {
		t.Errorf("NetworkPolicy types %v", get(np, "spec", "policyTypes"))
	}
	egress := fmt.Sprint(get(np, "spec", "egress"))
	for _, want := range []string{"port:5432", "cnpg.io/cluster:agora-db", "port:6379", "port:53"} {
		if !strings.Contains(egress, want) {
			t.Errorf("NetworkPolicy egress lacks %s: %s", want, egress)
		}
	}
	if str(np, "spec", "ingress", 1, "ports", 0, "port") != "internal" ||
		str(np, "spec", "ingress", 1, "from", 0, "namespaceSelector", "matchLabels", "kubernetes.io/metadata.name") != "monitoring" {
		t.Errorf("the internal port must be open to monitoring only: %v", get(np, "spec", "ingress"))
	}

	svc := objs["Service/agora"]
	sm := objs["ServiceMonitor/agora"]
	svcLabels := get(svc, "metadata", "labels").(map[string]any)
	for k, v := range get(sm, "spec", "selector", "matchLabels").(map[string]any) {
		if svcLabels[k] != v {
			t.Errorf("ServiceMonitor selects %s=%v, the Service has %v", k, v, svcLabels[k])
		}
	}
	var svcPorts []string
	for _, p := range get(svc, "spec", "ports").([]any) {
		svcPorts = append(svcPorts, str(p, "name"))
	}
	if ep := str(sm, "spec", "endpoints", 0, "port"); !slices.Contains(svcPorts, ep) || ep != "internal" {
		t.Errorf("ServiceMonitor scrapes port %q; the Service has %v", ep, svcPorts)
	}
	if str(sm, "spec", "endpoints", 0, "relabelings", 0, "targetLabel") != "job" || str(sm, "spec", "endpoints", 0, "relabelings", 0, "replacement") != "agora" {
		t.Error(`ServiceMonitor must label the job "agora", which the shared rules select`)
	}
	if str(sm, "metadata", "labels", "release") != "kube-prometheus-stack" {
		t.Error("serviceMonitor.labels not applied")
	}

	// The PrometheusRule carries the observability rules unchanged.
	var wantGroups []any
	for _, f := range []string{"agora.yml", "recording.yml"} {
		var rf struct{ Groups []any }
		b, err := os.ReadFile(filepath.Join(repoRoot(t), "observability", "prometheus", "rules", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal(b, &rf); err != nil {
			t.Fatal(err)
		}
		wantGroups = append(wantGroups, rf.Groups...)
	}
	if got := get(objs["PrometheusRule/agora"], "spec", "groups"); !reflect.DeepEqual(got, wantGroups) {
		t.Errorf("PrometheusRule groups differ from observability/prometheus/rules/{agora,recording}.yml")
	}

	ing := objs["Ingress/agora"]
	var paths []string
	for _, p := range get(ing, "spec", "rules", 0, "http", "paths").([]any) {
		paths = append(paths, str(p, "path"))
	}
	for _, internal := range []string{"/metrics", "/readyz", "/debug", "/"} {
		if slices.Contains(paths, internal) {
			t.Errorf("the Ingress exposes %s", internal)
		}
	}
}

// Everything inline: the chart's own Secret (a hook, so the pre-install
// migration Job can read it), a fixed replica count.
func TestChartInline(t *testing.T) {
	t.Parallel()
	manifest, err := render(t, []string{"inline-values.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	kubeconform(t, manifest)
	objs := docs(t, manifest)
	for _, absent := range []string{"HorizontalPodAutoscaler/agora", "ServiceMonitor/agora", "PrometheusRule/agora", "Ingress/agora"} {
		if _, ok := objs[absent]; ok {
			t.Errorf("%s rendered although switched off", absent)
		}
	}
	sec, ok := objs["Secret/agora-secrets"]
	if !ok {
		t.Fatal("no chart Secret")
	}
	if str(sec, "metadata", "annotations", "helm.sh/hook") != "pre-install,pre-upgrade" {
		t.Error("the chart Secret must be a hook that exists before the migration Job")
	}
	w1, _ := strconv(str(sec, "metadata", "annotations", "helm.sh/hook-weight"))
	w2, _ := strconv(str(objs["Job/agora-migrate"], "metadata", "annotations", "helm.sh/hook-weight"))
	if w1 >= w2 {
		t.Errorf("Secret hook weight %d must be below the Job's %d", w1, w2)
	}
	for _, k := range []string{"database-url", "jwt_private_key.pem", "redis-url"} {
		if str(sec, "stringData", k) == "" {
			t.Errorf("chart Secret lacks %s", k)
		}
	}
	dep := objs["Deployment/agora"]
	if get(dep, "spec", "replicas") != 3 {
		t.Errorf("replicas %v, want 3", get(dep, "spec", "replicas"))
	}
	if str(dep, "spec", "template", "metadata", "annotations", "checksum/secret") == "" {
		t.Error("pods do not roll when the chart Secret changes")
	}
	env := envOf(t, get(dep, "spec", "template", "spec", "containers", 0))
	if env["DATABASE_URL<-secret"] != "agora-secrets/database-url" || env["OTEL_RESOURCE_ATTRIBUTES"] != "deployment.environment=demo" {
		t.Errorf("env %v", env)
	}
	if _, ok := env["SMTP_URL<-secret"]; ok {
		t.Error("SMTP_URL set without config.smtp.existingSecret")
	}
	if !strings.Contains(fmt.Sprint(get(objs["NetworkPolicy/agora"], "spec", "egress")), "10.20.0.0/16") {
		t.Error("networkPolicy.databaseTo not used")
	}
}

func strconv(s string) (int, error) {
	var n int
	_, err := fmt.Sscan(s, &n)
	return n, err
}

// envOf maps a container's env: plain values by name, secret references
// as name+"<-secret" = "secret/key".
func envOf(t testing.TB, container any) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, e := range get(container, "env").([]any) {
		name := str(e, "name")
		if ref := get(e, "valueFrom", "secretKeyRef"); ref != nil {
			out[name+"<-secret"] = str(ref, "name") + "/" + str(ref, "key")
			continue
		}
		if _, dup := out[name]; dup {
			t.Errorf("env %s set twice", name)
		}
		out[name] = str(e, "value")
	}
	return out
}

// Values that would give a broken or unsafe deployment are refused at
// template time with a message naming the setting.
func TestChartRefusesBadValues(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		sets []string
		want string
	}{
		{"per-replica memory limits", []string{"rateLimit.store=memory"}, "rateLimit.store=memory keeps a separate budget"},
		{"memory limits with a fixed count", []string{"rateLimit.store=memory", "autoscaling.enabled=false", "replicaCount=2"}, "rateLimit.store=memory"},
		{"two database sources", []string{"database.url=postgres://x@y/z"}, "exactly one of database.cnpg.cluster"},
		{"no database", []string{"database.cnpg.cluster="}, "exactly one of database.cnpg.cluster"},
		{"no JWT key", []string{"jwt.existingSecret="}, "a JWT signing key is required"},
		{"no redis", []string{"redis.existingSecret="}, "set redis.existingSecret or redis.url"},
		{"no public URL", []string{"config.publicBaseURL="}, "config.publicBaseURL is required"},
		{"unknown store", []string{"rateLimit.store=memcached"}, "rateLimit/store"},
		{"unknown key", []string{"replicas=3"}, "additional properties 'replicas'"},
		{"bad duration", []string{"config.accessTokenTTL=15 minutes"}, "accessTokenTTL"},
		{"rule file not in the chart", []string{"prometheusRule.ruleFiles[0]=missing.yml"}, "missing.yml is not in the chart"},
		{"hpa bounds", []string{"autoscaling.minReplicas=5", "autoscaling.maxReplicas=3"}, "minReplicas is above"},
		// 12 pods + 3 surge, 8 connections each, + 2 = 122 > 90.
		{"more connections than PostgreSQL takes", []string{"autoscaling.maxReplicas=12"}, "= 122 connections, above database.maxConnections=90"},
		{"pool grows with GOMAXPROCS", []string{"config.goMaxProcs=4"}, "= 162 connections"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := render(t, []string{"cnpg-values.yaml"}, c.sets...)
			if err == nil {
				t.Fatalf("rendered with %v; want an error containing %q", c.sets, c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error does not mention %q:\n%v", c.want, err)
			}
		})
	}
	// Behind PgBouncer the budget is the pooler's: more pods fit.
	if _, err := render(t, []string{"cnpg-values.yaml"}, "autoscaling.maxReplicas=20", "database.maxConnections=1000"); err != nil {
		t.Errorf("20 pods with a 1000-connection budget: %v", err)
	}
	// A single replica may keep its limits in memory.
	if _, err := render(t, []string{"cnpg-values.yaml"}, "rateLimit.store=memory", "autoscaling.enabled=false", "replicaCount=1", "redis.existingSecret="); err != nil {
		t.Errorf("one replica with in-memory limits: %v", err)
	}
}

// Helm reads only files inside the chart, so the chart carries a copy of
// observability/prometheus/rules; it must equal the source.
func TestRulesCopyInSync(t *testing.T) {
	t.Parallel()
	src := filepath.Join(repoRoot(t), "observability", "prometheus", "rules")
	dst := filepath.Join(chartDir(t), "files", "rules")
	list := func(dir string) []string {
		m, err := filepath.Glob(filepath.Join(dir, "*.yml"))
		if err != nil {
			t.Fatal(err)
		}
		for i := range m {
			m[i] = filepath.Base(m[i])
		}
		return m
	}
	if a, b := list(src), list(dst); !slices.Equal(a, b) {
		t.Fatalf("rule files %v in observability, %v in the chart: run deploy/helm/sync-rules.sh", a, b)
	}
	for _, f := range list(src) {
		a, _ := os.ReadFile(filepath.Join(src, f))
		b, _ := os.ReadFile(filepath.Join(dst, f))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs from observability/prometheus/rules: run deploy/helm/sync-rules.sh", f)
		}
	}
}

// The committed schemas are what schemagen makes from the pinned module
// versions (needs the Go module proxy or a warm module cache).
func TestSchemasUpToDate(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	cmd := exec.Command("go", "run", "./deploy/helm/schemagen", "-out", tmp)
	cmd.Dir = repoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		msg := fmt.Sprintf("schemagen: %v\n%s", err, out)
		if os.Getenv("CI") == "true" || !strings.Contains(string(out), "go mod download") {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	committed := filepath.Join(helmDir(t), "schemas")
	var made []string
	err := filepath.WalkDir(tmp, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(tmp, p)
		made = append(made, rel)
		a, _ := os.ReadFile(p)
		b, err := os.ReadFile(filepath.Join(committed, rel))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("schemas/%s is stale or missing: go run ./deploy/helm/schemagen", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = filepath.WalkDir(committed, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		rel, _ := filepath.Rel(committed, p)
		if !slices.Contains(made, rel) {
			t.Errorf("schemas/%s is not made by schemagen any more: remove it", rel)
		}
		return nil
	})
}
