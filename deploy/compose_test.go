package deploy_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// The Compose file's properties, checked with the Compose specification's
// own loader (the code `docker compose` uses). The live stack test
// (deploy/stack, `make test-stack`) runs it on a real engine.

var wantServices = []string{
	"nginx", "backend", "migrate", "postgres", "prometheus", "alertmanager",
	"loki", "alloy", "grafana", "node-exporter", "postgres-exporter",
	"nginx-exporter", "blackbox-exporter",
}

// Services without a Docker health check, and why.
var noHealthCheck = map[string]string{
	"migrate":        "one-shot",
	"nginx-exporter": "its image is FROM scratch (no shell, no wget); Prometheus' up{job=\"nginx\"} watches it",
}

// The seed's memory budget (MB) per service; limits may not exceed it.
var memoryBudgetMB = map[string]int64{
	"backend":           300,
	"postgres":          512,
	"prometheus":        400,
	"grafana":           200,
	"loki":              300,
	"nginx":             32,
	"migrate":           128,
	"alertmanager":      100,
	"alloy":             200,
	"node-exporter":     100,
	"postgres-exporter": 100,
	"nginx-exporter":    32,
	"blackbox-exporter": 32,
}

func loadCompose(t *testing.T, extraEnv map[string]string) *types.Project {
	t.Helper()
	dir := deployDir(t)
	env, err := dotenv.Read(filepath.Join(dir, ".env.example"))
	if err != nil {
		t.Fatalf("read .env.example: %v", err)
	}
	for k, v := range extraEnv {
		env[k] = v
	}
	body, err := os.ReadFile(filepath.Join(dir, "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(dir, "compose.yaml"), Content: body}},
		Environment: env,
	}, func(o *loader.Options) {
		o.SetProjectName("agora", true)
		o.ResolvePaths = true
	})
	if err != nil {
		t.Fatalf("compose-go refuses compose.yaml: %v", err)
	}
	return p
}

func TestComposeServicesAndImages(t *testing.T) {
	t.Parallel()
	p := loadCompose(t, map[string]string{"AGORA_TAG": "test-tag"})

	var got []string
	for name := range p.Services {
		got = append(got, name)
	}
	sort.Strings(got)
	want := append([]string(nil), wantServices...)
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("services = %v, want %v", got, want)
	}

	pinned := regexp.MustCompile(`^[a-z0-9./-]+:v?[0-9]+\.[0-9]+(\.[0-9]+)?(-[a-z0-9.]+)?$`)
	for name, s := range p.Services {
		switch name {
		case "backend", "migrate":
			if s.Image != "agora:test-tag" {
				t.Errorf("%s: image = %q, want agora:<AGORA_TAG>", name, s.Image)
			}
		default:
			if !pinned.MatchString(s.Image) || strings.HasSuffix(s.Image, ":latest") {
				t.Errorf("%s: image %q is not pinned to a version", name, s.Image)
			}
		}
	}

	b := p.Services["backend"]
	if b.Build == nil || b.Build.Dockerfile != "deploy/Dockerfile" || filepath.Clean(b.Build.Context) != repoRoot(t) {
		t.Errorf("backend build = %+v, want context = repo root, dockerfile deploy/Dockerfile", b.Build)
	}
}

func TestComposeRestartHealthAndMemory(t *testing.T) {
	t.Parallel()
	p := loadCompose(t, map[string]string{"AGORA_TAG": "t"})
	var totalMB int64
	for name, s := range p.Services {
		if name == "migrate" {
			if s.Restart != "no" {
				t.Errorf("migrate is one-shot; restart = %q", s.Restart)
			}
		} else {
			if s.Restart != types.RestartPolicyUnlessStopped {
				t.Errorf("%s: restart = %q, want unless-stopped", name, s.Restart)
			}
		}
		if _, exempt := noHealthCheck[name]; !exempt {
			hc := s.HealthCheck
			if hc == nil || hc.Disable || len(hc.Test) < 2 || hc.Interval == nil || hc.Timeout == nil {
				t.Errorf("%s: needs a health check with test, interval and timeout; got %+v", name, hc)
			} else if hc.Test[0] != "CMD" && hc.Test[0] != "CMD-SHELL" {
				t.Errorf("%s: health check test %v", name, hc.Test)
			}
		}
		if s.Deploy == nil || s.Deploy.Resources.Limits == nil || s.Deploy.Resources.Limits.MemoryBytes == 0 {
			t.Errorf("%s: no memory limit", name)
			continue
		}
		mb := int64(s.Deploy.Resources.Limits.MemoryBytes) / (1 << 20)
		if budget, ok := memoryBudgetMB[name]; !ok || mb > budget {
			t.Errorf("%s: memory limit %d MB over its budget %d MB", name, mb, budget)
		}
		totalMB += mb
	}
	if totalMB >= 3*1024 {
		t.Errorf("memory limits add up to %d MB, want under 3 GB", totalMB)
	}
	t.Logf("memory limits total %d MB", totalMB)
}

func TestComposeOnlyNginxIsPublic(t *testing.T) {
	t.Parallel()
	p := loadCompose(t, map[string]string{"AGORA_TAG": "t"})
	for name, s := range p.Services {
		if s.NetworkMode == "host" && name != "node-exporter" {
			t.Errorf("%s: network_mode host would expose every port", name)
		}
		for _, port := range s.Ports {
			switch {
			case name == "nginx":
				if port.HostIP != "" && port.HostIP != "0.0.0.0" {
					t.Errorf("nginx: port %v should be public", port)
				}
				if (port.Target != 80 || port.Published != "80") && (port.Target != 443 || port.Published != "443") {
					t.Errorf("nginx publishes %s -> %d; only 80 and 443 allowed", port.Published, port.Target)
				}
			case name == "grafana" && port.Target == 3000:
				if port.HostIP != "127.0.0.1" {
					t.Errorf("grafana must publish on 127.0.0.1 only, got host_ip %q", port.HostIP)
				}
			default:
				t.Errorf("%s publishes %s:%s -> %d; only nginx (and grafana on loopback) may publish", name, port.HostIP, port.Published, port.Target)
			}
		}
	}
	if len(p.Services["nginx"].Ports) != 2 {
		t.Errorf("nginx ports = %v, want 80 and 443", p.Services["nginx"].Ports)
	}
}

func TestComposeWiring(t *testing.T) {
	t.Parallel()
	p := loadCompose(t, map[string]string{"AGORA_TAG": "t"})

	for _, v := range []string{"postgres_data", "backend_logs", "grafana_data", "prometheus_data", "loki_data"} {
		if _, ok := p.Volumes[v]; !ok {
			t.Errorf("volume %s missing", v)
		}
	}

	mig := p.Services["migrate"]
	if strings.Join(mig.Command, " ") != "migrate up" {
		t.Errorf("migrate command = %v, want [migrate up]", mig.Command)
	}
	b := p.Services["backend"]
	if d, ok := b.DependsOn["migrate"]; !ok || d.Condition != types.ServiceConditionCompletedSuccessfully {
		t.Errorf("backend must wait for migrate to complete successfully: %+v", b.DependsOn)
	}
	if d, ok := b.DependsOn["postgres"]; !ok || d.Condition != types.ServiceConditionHealthy {
		t.Errorf("backend must wait for a healthy postgres: %+v", b.DependsOn)
	}
	if d, ok := p.Services["nginx"].DependsOn["backend"]; !ok || d.Condition != types.ServiceConditionHealthy {
		t.Errorf("nginx must wait for a healthy backend")
	}

	env := func(s types.ServiceConfig, k string) string {
		if v, ok := s.Environment[k]; ok && v != nil {
			return *v
		}
		return ""
	}
	if got := env(b, "METRICS_ADDR"); got != ":9464" {
		t.Errorf("backend METRICS_ADDR = %q, want :9464 (Prometheus scrapes backend:9464)", got)
	}
	if got := env(b, "HTTP_ADDR"); got != ":8000" {
		t.Errorf("backend HTTP_ADDR = %q", got)
	}
	// No fixed addresses: the backend trusts the private ranges Docker
	// allocates from (it publishes nothing, so only the stack reaches it).
	if got := env(b, "TRUSTED_PROXIES"); got != "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7" {
		t.Errorf("TRUSTED_PROXIES = %q, want the private ranges", got)
	}
	for name, s := range p.Services {
		for net, cfg := range s.Networks {
			if cfg != nil && (cfg.Ipv4Address != "" || cfg.Ipv6Address != "") {
				t.Errorf("%s has a fixed address on %s: a second stack on the engine would clash", name, net)
			}
		}
	}
	agoraNet := p.Networks["agora"]
	if len(agoraNet.Ipam.Config) != 0 {
		t.Errorf("the agora network has a fixed subnet %+v (\"Pool overlaps\" for a second stack)", agoraNet.Ipam.Config)
	}
	if agoraNet.EnableIPv6 == nil || !*agoraNet.EnableIPv6 {
		t.Errorf("the agora network needs IPv6 (IPv6 clients keep their address)")
	}
	if !strings.HasPrefix(env(b, "DATABASE_URL"), "postgres://agora_app:") || !strings.Contains(env(b, "DATABASE_URL"), "@postgres:5432/agora") {
		t.Errorf("DATABASE_URL = %q", env(b, "DATABASE_URL"))
	}
	if env(b, "JWT_PRIVATE_KEY_FILE") == "" || len(b.Secrets) == 0 {
		t.Errorf("the backend must read its signing key from a Compose secret")
	}

	// Every bind-mounted file from the repository exists (observability
	// configuration, Nginx configuration, render script).
	root := repoRoot(t)
	for name, s := range p.Services {
		for _, v := range s.Volumes {
			if v.Type != types.VolumeTypeBind || !strings.HasPrefix(v.Source, root+string(filepath.Separator)) {
				continue
			}
			if strings.HasPrefix(v.Source, filepath.Join(root, "deploy", "secrets")) {
				continue // made on the host, never committed
			}
			if _, err := os.Stat(v.Source); err != nil {
				t.Errorf("%s mounts %s, which does not exist", name, v.Source)
			}
			if !v.ReadOnly {
				t.Errorf("%s mounts repository path %s read-write", name, v.Source)
			}
		}
	}
	// Loki and Prometheus keep their data in the named volumes.
	hasVolume := func(s types.ServiceConfig, vol string) bool {
		for _, v := range s.Volumes {
			if v.Type == types.VolumeTypeVolume && v.Source == vol {
				return true
			}
		}
		return false
	}
	for svc, vol := range map[string]string{"postgres": "postgres_data", "prometheus": "prometheus_data", "loki": "loki_data", "grafana": "grafana_data", "backend": "backend_logs", "alloy": "alloy_data"} {
		if !hasVolume(p.Services[svc], vol) {
			t.Errorf("%s does not mount volume %s", svc, vol)
		}
	}
	nodeExp := p.Services["node-exporter"]
	found := false
	for _, v := range nodeExp.Volumes {
		if v.Source == "/var/lib/node_exporter/textfile_collector" {
			found = true
		}
	}
	if !found || !strings.Contains(strings.Join(nodeExp.Command, " "), "--collector.textfile.directory") {
		t.Errorf("node-exporter must read the textfile collector folder written by backup.sh")
	}
	// node_exporter in the host's namespaces (its own docs), and no rslave:
	// that aborts `up` on a host whose / is a private mount.
	if nodeExp.NetworkMode != "host" || nodeExp.Pid != "host" {
		t.Errorf("node-exporter: network_mode %q, pid %q; want host and host", nodeExp.NetworkMode, nodeExp.Pid)
	}
	if !strings.Contains(strings.Join(nodeExp.Command, " "), "--web.listen-address=172.17.0.1:9100") {
		t.Errorf("node-exporter must listen on the host-gateway address only, not on the public interface: %v", nodeExp.Command)
	}
	for _, v := range nodeExp.Volumes {
		if v.Bind != nil && v.Bind.Propagation != "" {
			t.Errorf("node-exporter mounts %s with propagation %q", v.Source, v.Bind.Propagation)
		}
	}
	// Host paths outside the repository are never created by Docker: a
	// missing one must stop `up`, not become an empty root-owned folder.
	for name, s := range p.Services {
		for _, v := range s.Volumes {
			if v.Type != types.VolumeTypeBind || strings.HasPrefix(v.Source, root+string(filepath.Separator)) {
				continue
			}
			if v.Source == "/proc" || v.Source == "/sys" || v.Source == "/" || v.Source == "/var/run/docker.sock" {
				continue // always there
			}
			if v.Bind == nil || v.Bind.CreateHostPath {
				t.Errorf("%s mounts host path %s without create_host_path: false", name, v.Source)
			}
		}
	}
}

// Every variable compose.yaml reads is documented in .env.example, which
// holds no real secret, and deploy/.env itself is ignored by git.
func TestComposeEnvExample(t *testing.T) {
	t.Parallel()
	dir := deployDir(t)
	compose, err := os.ReadFile(filepath.Join(dir, "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	example, err := dotenv.Read(filepath.Join(dir, ".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`\$\{([A-Z0-9_]+)`).FindAllStringSubmatch(string(compose), -1) {
		if _, ok := example[m[1]]; !ok {
			t.Errorf("compose.yaml uses ${%s}, which .env.example does not document", m[1])
		}
	}
	for _, k := range []string{"POSTGRES_PASSWORD", "AGORA_DB_APP_PASSWORD", "AGORA_DB_MONITOR_PASSWORD", "GRAFANA_ADMIN_PASSWORD"} {
		if !strings.HasPrefix(example[k], "change-me") {
			t.Errorf(".env.example %s should be a change-me placeholder", k)
		}
	}
	// Without the required secrets, the stack refuses to start.
	env, _ := dotenv.Read(filepath.Join(dir, ".env.example"))
	delete(env, "POSTGRES_PASSWORD")
	_, err = loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(dir, "compose.yaml"), Content: compose}},
		Environment: env,
	}, func(o *loader.Options) { o.SetProjectName("agora", true) })
	if err == nil || !strings.Contains(err.Error(), "POSTGRES_PASSWORD") {
		t.Errorf("loading without POSTGRES_PASSWORD: err = %v, want a required-variable error", err)
	}

	ignore, err := os.ReadFile(filepath.Join(dir, ".gitignore"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^/?\.env$`).Match(ignore) || !strings.Contains(string(ignore), "secrets/") {
		t.Errorf("deploy/.gitignore must ignore .env and secrets/")
	}
}
