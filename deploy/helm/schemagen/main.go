// Command schemagen writes the JSON schemas that kubeconform validates the
// Helm chart's output against, offline.
//
// kubeconform normally downloads its schemas at run time, which this
// project's machines cannot do. The schemas here come from two Go modules
// that the Go module proxy serves like any other, at pinned versions:
//
//   - k8s.io/kubernetes: api/openapi-spec/swagger.json, the OpenAPI document
//     of that exact Kubernetes release (built-in kinds);
//   - github.com/prometheus-operator/prometheus-operator: the CRDs under
//     example/prometheus-operator-crd (ServiceMonitor, PrometheusRule).
//
// The conversion follows kubeconform's own openapi2jsonschema: one
// standalone file per kind (every $ref inlined), "strict" (objects with
// declared properties get additionalProperties: false), int-or-string and
// Quantity accept a string or a number, descriptions and x- extensions are
// dropped. Only the kinds the chart renders are written.
//
//	go run ./deploy/helm/schemagen -out deploy/helm/schemas
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Pinned versions: the Kubernetes release the chart targets and the
// prometheus-operator release whose CRDs it uses.
const (
	KubernetesVersion         = "v1.37.2"
	PrometheusOperatorVersion = "v0.85.0"
)

// builtinKinds are the definitions in Kubernetes' swagger.json to convert.
var builtinKinds = []string{
	"io.k8s.api.apps.v1.Deployment",
	"io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler",
	"io.k8s.api.batch.v1.Job",
	"io.k8s.api.core.v1.ConfigMap",
	"io.k8s.api.core.v1.Secret",
	"io.k8s.api.core.v1.Service",
	"io.k8s.api.core.v1.ServiceAccount",
	"io.k8s.api.networking.v1.Ingress",
	"io.k8s.api.networking.v1.NetworkPolicy",
	"io.k8s.api.policy.v1.PodDisruptionBudget",
}

// crdFiles are the prometheus-operator CRDs to convert.
var crdFiles = []string{
	"example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml",
	"example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml",
}

func main() {
	out := flag.String("out", "deploy/helm/schemas", "output folder")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "schemagen:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	k8sDir, err := moduleDir("k8s.io/kubernetes@" + KubernetesVersion)
	if err != nil {
		return err
	}
	promDir, err := moduleDir("github.com/prometheus-operator/prometheus-operator@" + PrometheusOperatorVersion)
	if err != nil {
		return err
	}
	builtin, err := Builtin(filepath.Join(k8sDir, "api", "openapi-spec", "swagger.json"))
	if err != nil {
		return err
	}
	dir := filepath.Join(out, "kubernetes", KubernetesVersion+"-standalone-strict")
	if err := writeAll(dir, builtin); err != nil {
		return err
	}
	crds := map[string][]byte{}
	for _, f := range crdFiles {
		m, err := CRD(filepath.Join(promDir, f))
		if err != nil {
			return err
		}
		for k, v := range m {
			crds[k] = v
		}
	}
	return writeAll(filepath.Join(out, "crds"), crds)
}

// moduleDir downloads (or finds in the module cache) a module and returns
// its folder.
func moduleDir(modVersion string) (string, error) {
	cmd := exec.CommandContext(context.Background(), "go", "mod", "download", "-json", modVersion) //nolint:gosec // modVersion is one of this file's pinned constants
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go mod download %s: %w: %s%s", modVersion, err, b, stderr.Bytes())
	}
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(b, &info); err != nil {
		return "", fmt.Errorf("go mod download %s: %w", modVersion, err)
	}
	if info.Error != "" || info.Dir == "" {
		return "", fmt.Errorf("go mod download %s: %s", modVersion, info.Error)
	}
	return info.Dir, nil
}

func writeAll(dir string, files map[string][]byte) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil { //nolint:gosec // repository folders, committed
		return err
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil { //nolint:gosec // repository files, committed
			return err
		}
	}
	return nil
}
