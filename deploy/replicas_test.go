package deploy_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"agora/adapters/postgres/pgtest"
	"agora/internal/systest"
)

// Scaling out, proven with real processes: PostgreSQL, Redis, two `agora
// serve` replicas and Debian's nginx balancing them with the production
// configuration (deploy/nginx), all on loopback. What must be global is:
// migrations (two replicas migrating one empty database at once), session
// revocation (a logout through one replica is refused by the other within
// a notification's time), rate
// limits (a login flood is limited once, not once per replica). And losing
// a replica under write load loses no acknowledged write while nginx routes
// around it.
func TestReplicasBehindNginx(t *testing.T) {
	t.Parallel()
	nginxBinary(t)
	if os.Geteuid() != 0 {
		t.Skip("the nginx tests run nginx as root (as CI does)")
	}
	redisURL := requireRedis(t)
	bin := buildAgora(t)

	var dbURL string
	outer := t // the databases outlive the subtest
	if !t.Run("replicas started together on an empty database migrate it once", func(t *testing.T) {
		// Three rounds, each on a fresh empty database: two `agora migrate up`
		// started at the same instant, as two replicas' entrypoints would.
		for round := 0; round < 3; round++ {
			dbURL = pgtest.CreateEmptyDatabase(outer)
			outs := migrateConcurrently(t, bin, dbURL)
			applied := map[string]int{}
			for _, out := range outs {
				for _, m := range regexp.MustCompile(`(?m)^applied (\d+)$`).FindAllStringSubmatch(out, -1) {
					applied[m[1]]++
				}
			}
			versions := dbVersions(t, dbURL)
			if len(versions) == 0 {
				t.Fatalf("round %d: nothing migrated; outputs %q", round, outs)
			}
			for v, n := range versions {
				if n != 1 {
					t.Errorf("round %d: version %d recorded %d times in goose_db_version", round, v, n)
				}
				if applied[fmt.Sprintf("%05d", v)] != 1 {
					t.Errorf("round %d: version %d applied by %d processes (outputs %q)", round, v, applied[fmt.Sprintf("%05d", v)], outs)
				}
			}
			if len(applied) != len(versions) {
				t.Errorf("round %d: applied %v, database has %v", round, applied, versions)
			}
		}
	}) {
		t.FailNow()
	}

	keyFile := filepath.Join(t.TempDir(), "jwt.pem")
	if out, err := exec.Command(bin, "keygen", "-out", keyFile).CombinedOutput(); err != nil {
		t.Fatalf("agora keygen: %v\n%s", err, out)
	}
	prefix := fmt.Sprintf("agora-replicas-test-%d:", time.Now().UnixNano())
	env := []string{
		"DATABASE_URL=" + dbURL,
		"JWT_PRIVATE_KEY_FILE=" + keyFile,
		"JWT_ISSUER=https://" + testHost,
		"JWT_AUDIENCE=agora",
		"PUBLIC_BASE_URL=https://" + testHost,
		"TRUSTED_PROXIES=127.0.0.1/32",
		"RATE_LIMIT_ENABLED=true",
		"RATE_LIMIT_STORE=redis",
		"REDIS_URL=" + redisURL,
		"REDIS_KEY_PREFIX=" + prefix,
		// The general budget is not under test; the login limits are.
		"RATE_LIMIT_GENERAL_PER_SECOND=1000",
		"RATE_LIMIT_GENERAL_BURST=1000",
		"SHUTDOWN_TIMEOUT=5s",
		"LOG_LEVEL=info",
	}
	a := startReplica(t, bin, env)
	b := startReplica(t, bin, env)
	ng := startNginx(t, nginxOpts{backend: a.addr + " max_fails=1 fail_timeout=10s;\n        server " + b.addr})

	t.Run("both replicas serve", func(t *testing.T) {
		c := ng.client("127.0.5.1")
		for i := 0; i < 20; i++ {
			r := do(t, c, "GET", ng.httpsURL("/healthz"), nil, map[string]string{"X-Request-ID": fmt.Sprintf("spread-%d", i)})
			if r.status != 200 {
				t.Fatalf("GET /healthz through nginx: %d", r.status)
			}
		}
		served := map[string]int{}
		for _, l := range upstreamLog(t, ng) {
			if strings.HasPrefix(l.RequestID, "spread-") {
				served[l.Upstream]++
			}
		}
		if served[a.addr] == 0 || served[b.addr] == 0 {
			t.Fatalf("requests per upstream %v; want both %s and %s", served, a.addr, b.addr)
		}
	})

	t.Run("logout through one replica is refused by the other", func(t *testing.T) {
		tok := register(t, ng, "127.0.6.1", "alice")
		direct := &http.Client{Timeout: 10 * time.Second}
		bearer := map[string]string{"Authorization": "Bearer " + tok.Access}
		for _, r := range []*replica{a, b} {
			if res := do(t, direct, "GET", "http://"+r.addr+"/api/v1/users/me", nil, bearer); res.status != 200 {
				t.Fatalf("token from registration refused by %s: %d %s", r.addr, res.status, res.body)
			}
		}
		res := do(t, direct, "POST", "http://"+a.addr+"/api/v1/auth/logout", jsonBody(map[string]string{"refresh_token": tok.Refresh}), nil)
		if res.status != http.StatusNoContent {
			t.Fatalf("logout on %s: %d %s", a.addr, res.status, res.body)
		}
		// A refuses at once; B as soon as PostgreSQL's notification of the
		// revocation reaches its session cache (milliseconds; a loaded
		// machine is allowed 10 s), and for good after that.
		if res := do(t, direct, "GET", "http://"+a.addr+"/api/v1/users/me", nil, bearer); res.status != http.StatusUnauthorized {
			t.Errorf("access token after logout on %s: %d from it, want 401", a.addr, res.status)
		}
		start := time.Now()
		for do(t, direct, "GET", "http://"+b.addr+"/api/v1/users/me", nil, bearer).status != http.StatusUnauthorized {
			if time.Since(start) > 10*time.Second {
				t.Fatalf("%s still accepts the access token 10 s after the logout on %s", b.addr, a.addr)
			}
			time.Sleep(time.Millisecond)
		}
		t.Logf("%s refused the token %v after the logout on %s returned", b.addr, time.Since(start), a.addr)
		if res := do(t, direct, "GET", "http://"+b.addr+"/api/v1/users/me", nil, bearer); res.status != http.StatusUnauthorized {
			t.Errorf("access token after logout on %s: %d from %s, want 401", a.addr, res.status, b.addr)
		}
		res = do(t, direct, "POST", "http://"+b.addr+"/api/v1/auth/refresh", jsonBody(map[string]string{"refresh_token": tok.Refresh}), nil)
		if res.status != http.StatusUnauthorized {
			t.Errorf("refresh token after logout on %s: %d from %s, want 401", a.addr, res.status, b.addr)
		}
	})

	t.Run("a login flood is limited globally", func(t *testing.T) {
		register(t, ng, "127.0.6.2", "bob")
		// Twelve wrong passwords for one login name, each from its own client
		// address (so neither nginx's per-IP zone nor Agora's per-IP limit
		// applies): only the per-name budget, 5 a minute, can stop them, and
		// nginx spreads them over both replicas.
		statuses := map[int]int{}
		for i := 0; i < 12; i++ {
			r := do(t, ng.client(fmt.Sprintf("127.0.7.%d", i+1)), "POST", ng.httpsURL("/api/v1/auth/login"),
				jsonBody(map[string]string{"login": "bob", "password": "wrong-password-" + itoa(i)}),
				map[string]string{"X-Request-ID": fmt.Sprintf("flood-%d", i)})
			statuses[r.status]++
			if r.status == http.StatusTooManyRequests && r.header.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
		}
		if statuses[http.StatusUnauthorized] != 5 || statuses[http.StatusTooManyRequests] != 7 {
			t.Errorf("statuses %v; want 5×401 then 7×429 (per-replica budgets would let 10 through)", statuses)
		}
		served := map[string]int{}
		for _, l := range upstreamLog(t, ng) {
			if strings.HasPrefix(l.RequestID, "flood-") {
				served[l.Upstream]++
			}
		}
		if served[a.addr] == 0 || served[b.addr] == 0 {
			t.Errorf("the flood reached %v; want both replicas", served)
		}
	})

	t.Run("killing a replica under load loses no acknowledged write", func(t *testing.T) {
		tok := register(t, ng, "127.0.6.3", "carol")
		type outcome struct {
			status int
			id     string
			at     time.Time
		}
		var (
			mu       sync.Mutex
			outcomes []outcome
			acked    atomic.Int64
			killedAt atomic.Int64
		)
		clients := make([]*http.Client, 32)
		for i := range clients {
			clients[i] = ng.client(fmt.Sprintf("127.0.8.%d", i+1))
		}
		// Each worker writes until 4 s after the kill (bounded by a count and
		// a deadline), pacing itself below nginx's per-address budget.
		const workers, perWorker = 4, 1500
		deadline := time.Now().Add(60 * time.Second)
		stop := func() bool {
			k := killedAt.Load()
			return time.Now().After(deadline) || k != 0 && time.Since(time.Unix(0, k)) > 4*time.Second
		}
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < perWorker && !stop(); i++ {
					time.Sleep(10 * time.Millisecond)
					c := clients[(w*perWorker+i)%len(clients)]
					body := jsonBody(map[string]string{"body": fmt.Sprintf("load %d-%d", w, i)})
					req, _ := http.NewRequest("POST", ng.httpsURL("/api/v1/posts"), bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+tok.Access)
					o := outcome{}
					resp, err := c.Do(req)
					if err == nil {
						var p struct{ ID string }
						_ = json.NewDecoder(resp.Body).Decode(&p)
						resp.Body.Close()
						o.status, o.id = resp.StatusCode, p.ID
						if o.status == http.StatusCreated {
							acked.Add(1)
						}
					}
					o.at = time.Now()
					mu.Lock()
					outcomes = append(outcomes, o)
					mu.Unlock()
				}
			}()
		}
		// Kill replica A (SIGKILL: no graceful shutdown) once writes flow.
		for acked.Load() < 60 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		killedAt.Store(time.Now().UnixNano())
		a.kill(t)
		wg.Wait()
		kill := time.Unix(0, killedAt.Load())

		var ids []string
		var failed, after, afterOK int
		for _, o := range outcomes {
			if o.status == http.StatusCreated {
				ids = append(ids, o.id)
			} else {
				failed++
				t.Logf("unacknowledged write: status %d at kill%+v", o.status, o.at.Sub(kill))
			}
			if o.at.After(kill.Add(time.Second)) {
				after++
				if o.status == http.StatusCreated {
					afterOK++
				}
			}
		}
		if len(ids) < 60 {
			t.Fatalf("only %d writes acknowledged", len(ids))
		}
		// Only requests in flight on A when it died may fail.
		if failed > 2*workers {
			t.Errorf("%d writes failed; at most the %d in flight on the killed replica may", failed, workers)
		}
		if after < 20 || afterOK != after {
			t.Errorf("after the kill: %d of %d writes acknowledged; nginx must route them all to the survivor", afterOK, after)
		}
		// Every acknowledged write is in the database, once.
		conn, err := pgx.Connect(context.Background(), dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		var found int
		if err := conn.QueryRow(context.Background(), "SELECT count(DISTINCT id) FROM posts WHERE id::text = ANY($1)", ids).Scan(&found); err != nil {
			t.Fatal(err)
		}
		if found != len(ids) {
			t.Errorf("%d acknowledged posts, %d of them in the database", len(ids), found)
		}
		// The survivor still serves and is ready.
		if r := do(t, ng.client("127.0.5.2"), "GET", ng.httpsURL("/healthz"), nil, nil); r.status != 200 {
			t.Errorf("GET /healthz through nginx after the kill: %d", r.status)
		}
		if r := do(t, &http.Client{Timeout: 5 * time.Second}, "GET", "http://"+b.internal+"/readyz", nil, nil); r.status != 200 {
			t.Errorf("survivor /readyz: %d", r.status)
		}
	})
}

// requireRedis returns the URL of the Redis the tests share (TEST_REDIS_URL,
// else the local one); missing Redis fails under CI and skips otherwise.
func requireRedis(t *testing.T) string {
	t.Helper()
	u := os.Getenv("TEST_REDIS_URL")
	if u == "" {
		u = "redis://127.0.0.1:6379/0"
	}
	hostPort := strings.TrimPrefix(u, "redis://")
	if i := strings.LastIndex(hostPort, "@"); i >= 0 {
		hostPort = hostPort[i+1:]
	}
	hostPort, _, _ = strings.Cut(hostPort, "/")
	c, err := net.DialTimeout("tcp", hostPort, time.Second)
	if err != nil {
		systest.Missing(t, fmt.Sprintf("Redis is not reachable at %s (start redis-server or set TEST_REDIS_URL): %v", hostPort, err))
	}
	_ = c.Close()
	return u
}

// migrateConcurrently starts two `agora migrate up` at the same moment and
// returns their outputs; both must succeed.
func migrateConcurrently(t *testing.T, bin, dbURL string) []string {
	t.Helper()
	cmds := make([]*exec.Cmd, 2)
	outs := make([]bytes.Buffer, 2)
	for i := range cmds {
		cmds[i] = exec.Command(bin, "migrate", "up")
		cmds[i].Env = append(os.Environ(), "DATABASE_URL="+dbURL, "LOG_LEVEL=info")
		cmds[i].Stdout, cmds[i].Stderr = &outs[i], &outs[i]
	}
	for _, c := range cmds {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
	}
	res := make([]string, 2)
	for i, c := range cmds {
		err := c.Wait()
		res[i] = outs[i].String()
		if err != nil {
			t.Errorf("migrate up #%d: %v\n%s", i, err, res[i])
		}
	}
	return res
}

// dbVersions counts goose_db_version rows per applied version.
func dbVersions(t *testing.T, dbURL string) map[int64]int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT version_id, count(*) FROM goose_db_version WHERE version_id > 0 AND is_applied GROUP BY version_id")
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]int{}
	for rows.Next() {
		var v int64
		var n int
		if err := rows.Scan(&v, &n); err != nil {
			t.Fatal(err)
		}
		out[v] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// replica is one `agora serve` process with its own main and internal
// listeners on loopback.
type replica struct {
	addr, internal string
	cmd            *exec.Cmd
	done           chan struct{}
	mu             sync.Mutex
	out            bytes.Buffer
}

func startReplica(t *testing.T, bin string, env []string) *replica {
	t.Helper()
	r := &replica{addr: systest.FreeAddr(t), internal: systest.FreeAddr(t), done: make(chan struct{})}
	r.cmd = exec.Command(bin, "serve")
	r.cmd.Env = append(append(os.Environ(), env...), "HTTP_ADDR="+r.addr, "METRICS_ADDR="+r.internal, "MAIL_DIR="+t.TempDir())
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.cmd.Stdout, r.cmd.Stderr = pw, pw
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	_ = pw.Close()
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			r.mu.Lock()
			r.out.Write(sc.Bytes())
			r.out.WriteByte('\n')
			r.mu.Unlock()
		}
		_ = r.cmd.Wait()
		_ = pr.Close()
		close(r.done)
	}()
	t.Cleanup(func() {
		systest.Stop(r.cmd.Process, r.done, 15*time.Second)
		if t.Failed() {
			r.mu.Lock()
			t.Logf("replica %s output (last 4 KiB):\n%s", r.addr, tail(r.out.String(), 4096))
			r.mu.Unlock()
		}
	})
	// Ready: the internal listener's /readyz (database up, schema current),
	// the probe Kubernetes uses.
	c := &http.Client{Timeout: 2 * time.Second}
	for deadline := time.Now().Add(30 * time.Second); ; {
		resp, err := c.Get("http://" + r.internal + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return r
			}
		}
		select {
		case <-r.done:
			t.Fatalf("replica exited before it was ready:\n%s", r.out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica %s not ready: %v", r.addr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// kill ends the process with SIGKILL and waits for it.
func (r *replica) kill(t *testing.T) {
	t.Helper()
	if err := r.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		t.Fatal("killed replica did not exit")
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

type tokens struct{ Access, Refresh string }

// register makes an account through nginx from client address src.
func register(t *testing.T, ng *nginxServer, src, username string) tokens {
	t.Helper()
	r := do(t, ng.client(src), "POST", ng.httpsURL("/api/v1/auth/register"), jsonBody(map[string]string{
		"username": username, "email": username + "@example.com", "password": "correct horse battery",
	}), nil)
	if r.status != http.StatusCreated {
		t.Fatalf("register %s through nginx: %d %s", username, r.status, r.body)
	}
	var tk struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.Unmarshal(r.body, &tk); err != nil || tk.AccessToken == "" || tk.RefreshToken == "" {
		t.Fatalf("register answer %s: %v", r.body, err)
	}
	return tokens{tk.AccessToken, tk.RefreshToken}
}

func jsonBody(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

type upstreamLine struct {
	RequestID string `json:"request_id"`
	Upstream  string `json:"upstream_addr"`
	Status    int    `json:"status"`
}

// upstreamLog reads nginx's JSON access log: which backend served what.
func upstreamLog(t *testing.T, ng *nginxServer) []upstreamLine {
	t.Helper()
	var out []upstreamLine
	// nginx writes the line after the response; give it a moment.
	time.Sleep(200 * time.Millisecond)
	b, err := os.ReadFile(ng.accessLog)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var l upstreamLine
		if line != "" && json.Unmarshal([]byte(line), &l) == nil {
			out = append(out, l)
		}
	}
	return out
}
