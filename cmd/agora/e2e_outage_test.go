package main

import (
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

	"agora/adapters/http/apitest"
	"agora/adapters/postgres/pgtest"
)

// With PostgreSQL stopped, DB-backed endpoints answer 503 problem+json with
// Retry-After quickly, /healthz stays 200, /readyz is 503, and goroutines do
// not pile up; once the database is back, requests succeed again without a
// restart.
func TestDatabaseOutageAndRecovery(t *testing.T) {
	t.Parallel()
	cluster := pgtest.StartCluster(t)
	env := startServerWith(t, serverOptions{DatabaseURL: cluster.NewDatabase(t)})

	register := func(name string) *apitest.Response {
		return env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/register", Body: map[string]string{
			"username": name, "email": name + "@example.com", "password": "correct horse battery",
		}})
	}
	login := func() *apitest.Response {
		return env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/login",
			Body: map[string]string{"login": "before", "password": "correct horse battery"}})
	}
	if res := register("before"); res.Status != 201 {
		t.Fatalf("register before the outage: %d %s", res.Status, res.Body)
	}
	baseline := runtime.NumGoroutine()

	cluster.Stop(t)

	// Under load: 20 concurrent clients for a few rounds.
	var wg sync.WaitGroup
	var mu sync.Mutex
	var slowest time.Duration
	statuses := map[int]int{}
	for w := 0; w < 20; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				start := time.Now()
				res := login()
				elapsed := time.Since(start)
				mu.Lock()
				statuses[res.Status]++
				slowest = max(slowest, elapsed)
				mu.Unlock()
				if res.Status == 503 && res.Header.Get("Retry-After") == "" {
					t.Errorf("503 without Retry-After")
				}
			}
		}()
	}
	wg.Wait()
	if statuses[503] != 100 {
		t.Fatalf("statuses during the outage: %v, want only 503", statuses)
	}
	if slowest > 2*time.Second {
		t.Fatalf("slowest answer during the outage took %s, want under 2s", slowest)
	}
	assertProblem(t, login(), 503)
	if res := env.API.Do(apitest.Request{Method: "GET", Path: "/healthz"}); res.Status != 200 {
		t.Fatalf("healthz during the outage: %d", res.Status)
	}
	if res := env.API.Do(apitest.Request{Method: "GET", Path: "/readyz"}); res.Status != 503 {
		t.Fatalf("readyz during the outage: %d", res.Status)
	}
	// Allow the HTTP client's idle connections and a little noise.
	if n := runtime.NumGoroutine(); n > baseline+40 {
		t.Fatalf("goroutines grew from %d to %d during the outage", baseline, n)
	}

	cluster.Start(t)
	deadline := time.Now().Add(10 * time.Second)
	for {
		res := login()
		if res.Status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no recovery 10s after the database came back: %d %s", res.Status, res.Body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if res := register("after"); res.Status != 201 {
		t.Fatalf("register after recovery: %d %s", res.Status, res.Body)
	}
	if res := env.API.Do(apitest.Request{Method: "GET", Path: "/readyz"}); res.Status != 200 {
		t.Fatalf("readyz after recovery: %d", res.Status)
	}
}
