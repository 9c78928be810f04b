package helm_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.yaml.in/yaml/v4"

	"agora/internal/systest"
)

// The chart's objects go to a real control plane: Debian's etcd and the
// kube-apiserver of the Kubernetes release the chart targets (built from
// the Go module proxy by scripts/install-kube-tools.sh, `make
// kube-tools`), with the pinned CloudNativePG and prometheus-operator CRDs
// installed. Every object is created with dryRun=All and
// fieldValidation=Strict, so the server runs its decoding, defaulting,
// validation and admission on it and stores nothing. One control plane
// serves every test of the binary; TestMain stops it.
//
// Pinned versions of the CRD sources (Go modules, fetched through the
// module proxy like any other):
const (
	cnpgModule    = "github.com/cloudnative-pg/cloudnative-pg@v1.27.0"
	promOpModule  = "github.com/prometheus-operator/prometheus-operator@v0.85.0" // = schemagen.PrometheusOperatorVersion
	kubeAPIServer = "kube-apiserver-v" + kubeVersion                             // as cached by scripts/install-kube-tools.sh
	testNamespace = "agora"
)

// prometheus-operator CRDs the chart renders objects of.
var promOpCRDs = []string{
	"example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml",
	"example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml",
}

func TestMain(m *testing.M) {
	code := m.Run()
	cp.stop()
	os.Exit(code)
}

type controlPlane struct {
	once      sync.Once
	skip, err error
	base      string // https://127.0.0.1:port
	token     string
	client    *http.Client
	dir       string
	procs     []*proc
	apiserver *proc
	etcdURL   string
	started   time.Duration // etcd + kube-apiserver until /readyz
	crdsReady time.Duration // CRDs posted until Established

	mu        sync.Mutex
	resources map[string]map[string]apiResource // apiVersion -> kind -> resource
}

type apiResource struct {
	Name       string `json:"name"`
	Kind       string `json:"kind"`
	Namespaced bool   `json:"namespaced"`
}

var cp controlPlane

// kubeAPI returns the shared control plane, started on first use. Missing
// binaries or CRD modules skip the test, except under CI=true.
func kubeAPI(t testing.TB) *controlPlane {
	t.Helper()
	cp.once.Do(cp.start)
	if cp.skip != nil {
		systest.Missing(t, "the API-server test cannot run:", cp.skip)
	}
	if cp.err != nil {
		t.Fatal(cp.err)
	}
	return &cp
}

func kubeAPIServerPath() (string, error) {
	if p := os.Getenv("AGORA_KUBE_APISERVER"); p != "" {
		return p, nil
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "agora-tools", kubeAPIServer), nil
}

func (c *controlPlane) start() {
	etcd, err := exec.LookPath("etcd")
	if err != nil {
		c.skip = errors.New("etcd is not installed (Debian's etcd-server, listed in scripts/apt-packages.txt: make deps)")
		return
	}
	apiserver, err := kubeAPIServerPath()
	if err == nil {
		_, err = os.Stat(apiserver)
	}
	if err != nil {
		c.skip = fmt.Errorf("kube-apiserver v%s is not built (make kube-tools, or scripts/install-kube-tools.sh kube-apiserver): %w", kubeVersion, err)
		return
	}
	crdFiles, err := crdFiles()
	if err != nil {
		c.skip = err
		return
	}
	c.dir, c.err = os.MkdirTemp("", "agora-kube-")
	if c.err != nil {
		return
	}
	t0 := time.Now()
	// A port picked free may be taken by another test binary before the
	// server binds it; the server then exits, and another port is tried.
	for attempt := range 3 {
		if c.err = c.startEtcd(etcd, attempt); !errors.Is(c.err, errExited) {
			break
		}
	}
	if c.err != nil {
		return
	}
	for range 3 {
		if c.err = c.startAPIServer(apiserver); !errors.Is(c.err, errExited) {
			break
		}
	}
	if c.err != nil {
		return
	}
	c.started = time.Since(t0)
	t0 = time.Now()
	if c.err = c.installCRDs(crdFiles); c.err != nil {
		return
	}
	c.crdsReady = time.Since(t0)
	_, c.err = c.do(http.MethodPost, "/api/v1/namespaces", "", object{
		"apiVersion": "v1", "kind": "Namespace", "metadata": object{"name": testNamespace},
	})
}

// proc is a started server; done closes when it exits.
type proc struct {
	cmd  *exec.Cmd
	done chan struct{}
}

func (c *controlPlane) stop() {
	for _, p := range slices.Backward(c.procs) {
		if testing.Verbose() {
			// Peak memory of the server, for the README's figures.
			status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
			if m := regexp.MustCompile(`VmHWM:\s*(\d+ kB)`).FindSubmatch(status); m != nil {
				fmt.Printf("%s: peak RSS %s\n", filepath.Base(p.cmd.Path), m[1])
			}
		}
		systest.Stop(p.cmd.Process, p.done, 10*time.Second)
	}
	if c.dir != "" {
		_ = os.RemoveAll(c.dir)
	}
}

// crdFiles lists the CRD files of the pinned modules, fetched through the
// module proxy (or found in the module cache).
func crdFiles() ([]string, error) {
	var files []string
	dir, err := moduleDir(cnpgModule)
	if err != nil {
		return nil, err
	}
	cnpg, err := filepath.Glob(filepath.Join(dir, "config", "crd", "bases", "postgresql.cnpg.io_*.yaml"))
	if err != nil || len(cnpg) == 0 {
		return nil, fmt.Errorf("no CRDs under %s/config/crd/bases", dir)
	}
	files = append(files, cnpg...)
	dir, err = moduleDir(promOpModule)
	if err != nil {
		return nil, err
	}
	for _, f := range promOpCRDs {
		files = append(files, filepath.Join(dir, f))
	}
	return files, nil
}

func moduleDir(mod string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", mod)
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	out, err := cmd.Output()
	var m struct{ Dir, Error string }
	_ = json.Unmarshal(out, &m)
	if err == nil && m.Dir == "" {
		err = errors.New("no module folder")
	}
	if err != nil {
		return "", fmt.Errorf("go mod download %s (needs the Go module proxy or a warm module cache): %w %s", mod, err, m.Error)
	}
	return m.Dir, nil
}

// spawn starts a server process, its output in <dir>/<name>.log; the
// kernel kills it if the test binary dies first.
func (c *controlPlane) spawn(name, bin string, args ...string) (*proc, error) {
	log, err := os.Create(filepath.Join(c.dir, name+".log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		_ = log.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	_ = log.Close() // the child holds its own descriptor
	p := &proc{cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.done) }()
	c.procs = append(c.procs, p)
	return p, nil
}

// logTail is the end of a server's log, for error messages.
func (c *controlPlane) logTail(name string) string {
	b, _ := os.ReadFile(filepath.Join(c.dir, name+".log"))
	if len(b) > 3000 {
		b = b[len(b)-3000:]
	}
	return string(b)
}

var errExited = errors.New("exited")

// waitFor polls check until it succeeds, the process exits or timeout.
func waitFor(name string, p *proc, timeout time.Duration, check func() error) error {
	deadline := time.Now().Add(timeout)
	var err error
	for time.Now().Before(deadline) {
		if err = check(); err == nil {
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s %w: %w", name, errExited, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s not ready after %s: %w", name, timeout, err)
}

func (c *controlPlane) startEtcd(bin string, attempt int) error {
	client, err := systest.PickPort()
	if err != nil {
		return err
	}
	peer, err := systest.PickPort()
	if err != nil {
		return err
	}
	clientURL := fmt.Sprintf("http://127.0.0.1:%d", client)
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", peer)
	cmd, err := c.spawn("etcd", bin, "--name=agora-test", "--data-dir="+filepath.Join(c.dir, fmt.Sprintf("etcd-%d", attempt)),
		"--listen-client-urls="+clientURL, "--advertise-client-urls="+clientURL,
		"--listen-peer-urls="+peerURL, "--initial-advertise-peer-urls="+peerURL,
		"--initial-cluster=agora-test="+peerURL, "--logger=zap", "--log-level=warn")
	if err != nil {
		return err
	}
	probe := &http.Client{Timeout: 2 * time.Second}
	err = waitFor("etcd", cmd, 30*time.Second, func() error {
		resp, err := probe.Get(clientURL + "/health")
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if !bytes.Contains(b, []byte(`"health":"true"`)) {
			return fmt.Errorf("/health: %s", b)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%w\n%s", err, c.logTail("etcd"))
	}
	c.etcdURL = clientURL
	return nil
}

func (c *controlPlane) startAPIServer(bin string) error {
	port, err := systest.PickPort()
	if err != nil {
		return err
	}
	caPool, err := c.writeCerts()
	if err != nil {
		return err
	}
	tok := make([]byte, 16)
	_, _ = rand.Read(tok)
	c.token = hex.EncodeToString(tok)
	tokens := filepath.Join(c.dir, "tokens.csv")
	// token,user,uid,"groups": system:masters is bound to cluster-admin.
	if err := os.WriteFile(tokens, []byte(c.token+`,agora-test,agora-test,"system:masters"`+"\n"), 0o600); err != nil {
		return err
	}
	f := func(name string) string { return filepath.Join(c.dir, name) }
	cmd, err := c.spawn("kube-apiserver", bin,
		"--etcd-servers="+c.etcdURL,
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", fmt.Sprintf("--secure-port=%d", port),
		"--tls-cert-file="+f("apiserver.crt"), "--tls-private-key-file="+f("apiserver.key"),
		"--cert-dir="+f("certs"),
		"--token-auth-file="+tokens, "--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+f("sa.key"), "--service-account-signing-key-file="+f("sa.key"),
		"--service-cluster-ip-range=10.96.0.0/16",
		// The default reconciler writes the kubernetes Service's endpoints
		// with the advertise address, which must not be loopback.
		"--endpoint-reconciler-type=none",
	)
	if err != nil {
		return err
	}
	c.base = fmt.Sprintf("https://127.0.0.1:%d", port)
	// Short requests while polling, so that a port taken by something
	// that never answers cannot stall the wait.
	c.client = &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: caPool, MinVersion: tls.VersionTLS12},
	}}
	err = waitFor("kube-apiserver", cmd, 90*time.Second, func() error {
		_, err := c.do(http.MethodGet, "/readyz", "", nil)
		return err
	})
	c.client.Timeout = 60 * time.Second
	if err != nil {
		return fmt.Errorf("%w\n%s", err, c.logTail("kube-apiserver"))
	}
	c.apiserver = cmd
	return nil
}

// writeCerts makes a CA, the API server's certificate for 127.0.0.1 and the
// service-account signing key.
func (c *controlPlane) writeCerts() (*x509.CertPool, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "agora-test-ca"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "kube-apiserver"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	saKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	saDER, err := x509.MarshalPKCS8PrivateKey(saKey)
	if err != nil {
		return nil, err
	}
	for name, block := range map[string]*pem.Block{
		"apiserver.crt": {Type: "CERTIFICATE", Bytes: srvDER},
		"apiserver.key": {Type: "PRIVATE KEY", Bytes: keyDER},
		"sa.key":        {Type: "PRIVATE KEY", Bytes: saDER},
	} {
		if err := os.WriteFile(filepath.Join(c.dir, name), pem.EncodeToMemory(block), 0o600); err != nil {
			return nil, err
		}
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return pool, nil
}

// apiError is a request the server refused, with its Status message.
type apiError struct {
	Method, Path string
	Code         int
	Message      string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d: %s", e.Method, e.Path, e.Code, e.Message)
}

// do sends one request (body as JSON) and decodes a JSON answer.
func (c *controlPlane) do(method, path, query string, body any) (object, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	u := c.base + path
	if query != "" {
		u += "?" + query
	}
	req, err := http.NewRequestWithContext(context.Background(), method, u, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		var st struct{ Message string }
		if json.Unmarshal(b, &st) != nil || st.Message == "" {
			st.Message = string(b)
		}
		return nil, &apiError{Method: method, Path: path, Code: resp.StatusCode, Message: st.Message}
	}
	var out object
	if len(b) > 0 && b[0] == '{' {
		if err := json.Unmarshal(b, &out); err != nil {
			return nil, fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return out, nil
}

func (c *controlPlane) installCRDs(files []string) error {
	var names []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		objs, err := decodeAll(b)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if len(objs) != 1 || objs[0]["kind"] != "CustomResourceDefinition" {
			return fmt.Errorf("%s: want one CustomResourceDefinition, got %d objects", f, len(objs))
		}
		if _, err := c.do(http.MethodPost, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", "", objs[0]); err != nil {
			return fmt.Errorf("install %s: %w", filepath.Base(f), err)
		}
		names = append(names, str(objs[0], "metadata", "name"))
	}
	for _, name := range names {
		err := waitFor("CRD "+name, c.apiserver, 60*time.Second, func() error {
			crd, err := c.do(http.MethodGet, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"+name, "", nil)
			if err != nil {
				return err
			}
			conds, _ := get(crd, "status", "conditions").([]any)
			for _, cond := range conds {
				if str(cond, "type") == "Established" && str(cond, "status") == "True" {
					return nil
				}
			}
			return fmt.Errorf("not Established: %v", conds)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// version is the server's gitVersion (GET /version).
func (c *controlPlane) version(t testing.TB) string {
	t.Helper()
	v, err := c.do(http.MethodGet, "/version", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	return str(v, "gitVersion")
}

// resource finds the REST resource of a kind through the server's
// discovery; an apiVersion the server does not serve is an error.
func (c *controlPlane) resource(apiVersion, kind string) (apiResource, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.resources == nil {
		c.resources = map[string]map[string]apiResource{}
	}
	kinds, ok := c.resources[apiVersion]
	if !ok {
		path := "/apis/" + apiVersion
		if apiVersion == "v1" {
			path = "/api/v1"
		}
		list, err := c.do(http.MethodGet, path, "", nil)
		if err != nil {
			return apiResource{}, fmt.Errorf("apiVersion %s is not served: %w", apiVersion, err)
		}
		b, _ := json.Marshal(list["resources"])
		var rs []apiResource
		if err := json.Unmarshal(b, &rs); err != nil {
			return apiResource{}, err
		}
		kinds = map[string]apiResource{}
		for _, r := range rs {
			if !strings.Contains(r.Name, "/") {
				kinds[r.Kind] = r
			}
		}
		c.resources[apiVersion] = kinds
	}
	r, ok := kinds[kind]
	if !ok {
		return apiResource{}, fmt.Errorf("kind %s is not served in %s", kind, apiVersion)
	}
	return r, nil
}

// dryRunCreate sends one object as a create with dryRun=All and
// fieldValidation=Strict: the server decodes, defaults, validates and
// admits it, and stores nothing.
func (c *controlPlane) dryRunCreate(o object) error {
	apiVersion, kind := str(o, "apiVersion"), str(o, "kind")
	r, err := c.resource(apiVersion, kind)
	if err != nil {
		return err
	}
	path := "/apis/" + apiVersion
	if apiVersion == "v1" {
		path = "/api/v1"
	}
	if r.Namespaced {
		ns := str(o, "metadata", "namespace")
		if ns == "" {
			ns = testNamespace
		}
		path += "/namespaces/" + url.PathEscape(ns)
	}
	q := url.Values{"dryRun": {"All"}, "fieldValidation": {"Strict"}, "fieldManager": {"agora-chart-test"}}
	_, err = c.do(http.MethodPost, path+"/"+r.Name, q.Encode(), o)
	return err
}

// decodeAll splits a YAML stream into its non-empty objects, in order.
func decodeAll(b []byte) ([]object, error) {
	var out []object
	dec := yaml.NewDecoder(bytes.NewReader(b))
	for {
		var o object
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if o != nil {
			out = append(out, o)
		}
	}
}

func key(o object) string { return str(o, "kind") + "/" + str(o, "metadata", "name") }

// renderFor renders the chart with values files (full paths) for the
// server's own version, so the chart's kubeVersion is checked against it.
func renderFor(t testing.TB, c *controlPlane, valuesFiles ...string) []object {
	t.Helper()
	args := []string{"template", "agora", chartDir(t), "--namespace", testNamespace,
		"--kube-version", strings.TrimPrefix(c.version(t), "v")}
	for _, f := range valuesFiles {
		args = append(args, "--values", f)
	}
	out, err := run(t, nil, tool(t, "helm"), args...)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := decodeAll(out)
	if err != nil {
		t.Fatalf("rendered YAML does not parse: %v", err)
	}
	return objs
}

// documentedValues are the values files the chart documents: each ci/ file
// on top of values.yaml (whose defaults alone refuse to render: a database
// must be chosen, see TestChartRefusesBadValues).
func documentedValues(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(chartDir(t), "ci", "*.yaml"))
	if err != nil || len(files) < 2 {
		t.Fatalf("ci/*.yaml: %v %v", files, err)
	}
	return files
}

func TestAPIServerAcceptsChart(t *testing.T) {
	t.Parallel()
	c := kubeAPI(t)
	if v := c.version(t); v != "v"+kubeVersion {
		t.Fatalf("kube-apiserver reports %s, want v%s (is the version stamped? scripts/install-kube-tools.sh)", v, kubeVersion)
	}
	t.Logf("etcd and kube-apiserver ready in %s, CRDs established in %s", c.started.Round(time.Millisecond), c.crdsReady.Round(time.Millisecond))
	kindsSeen := map[string]bool{}
	for _, f := range documentedValues(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			objs := renderFor(t, c, f)
			for _, o := range objs {
				if err := c.dryRunCreate(o); err != nil {
					t.Errorf("%s refused: %v", key(o), err)
				}
				kindsSeen[str(o, "kind")] = true
			}
			t.Logf("%d objects accepted", len(objs))
		})
	}
	// The CloudNativePG Cluster the README tells users to create.
	b, err := os.ReadFile(filepath.Join(helmDir(t), "examples", "cnpg-cluster.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	objs, err := decodeAll(b)
	if err != nil || len(objs) != 1 {
		t.Fatalf("examples/cnpg-cluster.yaml: %d objects, %v", len(objs), err)
	}
	if err := c.dryRunCreate(objs[0]); err != nil {
		t.Errorf("examples/cnpg-cluster.yaml refused: %v", err)
	}
	kindsSeen["Cluster"] = true
	// Dry runs store nothing.
	var notFound *apiError
	if _, err := c.do(http.MethodGet, "/apis/apps/v1/namespaces/"+testNamespace+"/deployments/agora", "", nil); !errors.As(err, &notFound) || notFound.Code != http.StatusNotFound {
		t.Errorf("the Deployment was stored by a dry run (GET: %v)", err)
	}
	var kinds []string
	for k := range kindsSeen {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	want := []string{"Cluster", "Deployment", "HorizontalPodAutoscaler", "Ingress", "Job", "NetworkPolicy",
		"PodDisruptionBudget", "PrometheusRule", "Secret", "Service", "ServiceAccount", "ServiceMonitor"}
	if !slices.Equal(kinds, want) {
		t.Errorf("kinds sent to the API server %v, want %v", kinds, want)
	}
}

// A field the chart's values schema lets through (tolerations are passed
// as they are) but Kubernetes does not know: the server must refuse the
// object and name the field.
func TestAPIServerRefusesPlantedValuesField(t *testing.T) {
	t.Parallel()
	c := kubeAPI(t)
	src, err := os.ReadFile(filepath.Join(chartDir(t), "ci", "cnpg-values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	planted := filepath.Join(t.TempDir(), "cnpg-values.yaml")
	bad := append(slices.Clip(src), []byte("tolerations:\n  - key: dedicated\n    operator: Equal\n    value: agora\n    efect: NoSchedule\n")...)
	if err := os.WriteFile(planted, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	var refused []string
	for _, o := range renderFor(t, c, planted) {
		err := c.dryRunCreate(o)
		if err == nil {
			continue
		}
		refused = append(refused, key(o))
		t.Logf("%s refused: %v", key(o), err)
		if want := `unknown field "spec.template.spec.tolerations[0].efect"`; !strings.Contains(err.Error(), want) {
			t.Errorf("%s refused without naming the field (%s): %v", key(o), want, err)
		}
	}
	// The migration Job's pod takes the same tolerations.
	if want := []string{"Deployment/agora", "Job/agora-migrate"}; !slices.Equal(refused, want) {
		t.Errorf("refused %v, want exactly %v", refused, want)
	}
}

// Rendered objects with one planted fault each: unknown fields in a
// built-in kind and in a CRD kind, and a value the CNPG schema forbids.
func TestAPIServerRefusesPlantedObjects(t *testing.T) {
	t.Parallel()
	c := kubeAPI(t)
	objs := map[string]object{}
	for _, o := range renderFor(t, c, filepath.Join(chartDir(t), "ci", "cnpg-values.yaml")) {
		objs[key(o)] = o
	}
	b, err := os.ReadFile(filepath.Join(helmDir(t), "examples", "cnpg-cluster.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cluster, err := decodeAll(b)
	if err != nil || len(cluster) != 1 {
		t.Fatalf("examples/cnpg-cluster.yaml: %v", err)
	}
	objs[key(cluster[0])] = cluster[0]

	cases := []struct {
		name, object string
		plant        func(o object)
		want         *regexp.Regexp
	}{
		{"unknown Deployment field", "Deployment/agora",
			func(o object) { get(o, "spec").(object)["replicaz"] = 3 },
			regexp.MustCompile(`unknown field "spec\.replicaz"`)},
		{"unknown container field", "Job/agora-migrate",
			func(o object) {
				get(o, "spec", "template", "spec", "containers", 0).(object)["imagePullPolicyy"] = "Always"
			},
			regexp.MustCompile(`unknown field "spec\.template\.spec\.containers\[0\]\.imagePullPolicyy"`)},
		{"invalid port name", "Service/agora",
			func(o object) { get(o, "spec", "ports", 0).(object)["name"] = "HTTP_Port" },
			regexp.MustCompile(`spec\.ports\[0\]\.name: Invalid value: "HTTP_Port"`)},
		{"unknown ServiceMonitor field", "ServiceMonitor/agora",
			func(o object) { get(o, "spec", "endpoints", 0).(object)["portt"] = "internal" },
			regexp.MustCompile(`unknown field "spec\.endpoints\[0\]\.portt"`)},
		{"CNPG Cluster without instances", "Cluster/agora-db",
			func(o object) { get(o, "spec").(object)["instances"] = 0 },
			regexp.MustCompile(`spec\.instances: Invalid value: 0: spec\.instances in body should be greater than or equal to 1`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o, ok := objs[tc.object]
			if !ok {
				t.Fatalf("%s not rendered", tc.object)
			}
			if err := c.dryRunCreate(o); err != nil {
				t.Fatalf("%s refused before the plant: %v", tc.object, err)
			}
			o = deepCopy(t, o)
			tc.plant(o)
			err := c.dryRunCreate(o)
			if err == nil {
				t.Fatalf("%s with a planted fault was accepted", tc.object)
			}
			t.Logf("%s refused: %v", tc.object, err)
			if !tc.want.MatchString(err.Error()) {
				t.Errorf("error does not match %s:\n%v", tc.want, err)
			}
		})
	}
}

func deepCopy(t testing.TB, o object) object {
	t.Helper()
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	var c object
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// The API server built by make kube-tools is the release the chart is
// rendered and schema-checked for; the script refuses a missing or unknown
// component and is shellcheck-clean.
func TestKubeToolsScript(t *testing.T) {
	t.Parallel()
	script := filepath.Join(repoRoot(t), "scripts", "install-kube-tools.sh")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "no component given; usage: install-kube-tools.sh COMPONENT..."},
		{[]string{"kube-apiserver", "--version", "v1.30.0"}, "unknown component: --version; usage:"},
		{[]string{"kube-dns"}, "unknown component: kube-dns; usage:"},
	} {
		out, err := exec.Command(script, tc.args...).CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(string(out), tc.want) {
			t.Errorf("install-kube-tools.sh %q: err %v, output %q; want exit 2 and %q", tc.args, err, out, tc.want)
		}
	}
	systest.Shellcheck(t, script)
	b, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	if want := `K8S_VERSION="v` + kubeVersion + `"`; !bytes.Contains(b, []byte(want)) {
		t.Errorf("scripts/install-kube-tools.sh does not pin %s", want)
	}
	b, err = os.ReadFile(filepath.Join(helmDir(t), "schemagen", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`KubernetesVersion         = "v` + kubeVersion + `"`,
		`PrometheusOperatorVersion = "` + strings.Split(promOpModule, "@")[1] + `"`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("schemagen does not pin %s", want)
		}
	}
}
