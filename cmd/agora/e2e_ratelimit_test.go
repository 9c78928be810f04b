package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"agora/adapters/http/apitest"
)

func TestGeneralRateLimit(t *testing.T) {
	t.Parallel()
	env := startServer(t, map[string]string{
		"RATE_LIMIT_ENABLED":            "true",
		"RATE_LIMIT_GENERAL_PER_SECOND": "1",
		"RATE_LIMIT_GENERAL_BURST":      "3",
	})
	get := func(xff string) *apitest.Response {
		h := http.Header{}
		if xff != "" {
			h.Set("X-Forwarded-For", xff)
		}
		return env.API.Do(apitest.Request{Method: "GET", Path: "/api/v1/openapi.yaml", Header: h})
	}
	for i := 0; i < 3; i++ {
		if res := get(""); res.Status != 200 {
			t.Fatalf("request %d: %d", i+1, res.Status)
		}
	}
	res := get("")
	assertProblem(t, res, 429)
	if n, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || n < 1 {
		t.Fatalf("Retry-After %q", res.Header.Get("Retry-After"))
	}
	// The peer is not a trusted proxy: a spoofed X-Forwarded-For changes nothing.
	if res := get("203.0.113.9"); res.Status != 429 {
		t.Fatalf("spoofed X-Forwarded-For escaped the limit: %d", res.Status)
	}
	// Operations endpoints are never limited.
	if res := env.API.Do(apitest.Request{Method: "GET", Path: "/healthz"}); res.Status != 200 {
		t.Fatalf("healthz limited: %d", res.Status)
	}
}

func TestForwardedForTrustedOnlyFromTrustedProxies(t *testing.T) {
	t.Parallel()
	env := startServer(t, map[string]string{
		"RATE_LIMIT_ENABLED":            "true",
		"RATE_LIMIT_GENERAL_PER_SECOND": "1",
		"RATE_LIMIT_GENERAL_BURST":      "1",
		"TRUSTED_PROXIES":               "127.0.0.1/32,::1",
	})
	// Behind a trusted proxy, each client has its own budget.
	for _, client := range []string{"203.0.113.1", "203.0.113.2", "203.0.113.3"} {
		res := env.API.Do(apitest.Request{Method: "GET", Path: "/api/v1/openapi.yaml", Header: http.Header{"X-Forwarded-For": {client}}})
		if res.Status != 200 {
			t.Fatalf("client %s: %d", client, res.Status)
		}
	}
	res := env.API.Do(apitest.Request{Method: "GET", Path: "/api/v1/openapi.yaml", Header: http.Header{"X-Forwarded-For": {"203.0.113.1"}}})
	if res.Status != 429 {
		t.Fatalf("client 203.0.113.1 again: %d, want 429", res.Status)
	}
	if logs := env.Logs(); !strings.Contains(logs, `"remote_ip":"203.0.113.2"`) {
		t.Fatalf("the forwarded client IP is not in the request log:\n%s", logs)
	}
}

// With RATE_LIMIT_STORE=redis, replicas share one budget: what one spends,
// the other cannot spend again.
func TestRateLimitSharedThroughRedis(t *testing.T) {
	t.Parallel()
	redisURL := os.Getenv("TEST_REDIS_URL")
	if redisURL == "" {
		redisURL = "redis://127.0.0.1:6379/0"
	}
	if c, err := net.DialTimeout("tcp", strings.TrimSuffix(strings.TrimPrefix(redisURL, "redis://"), "/0"), time.Second); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis is not reachable at %s (start redis-server or set TEST_REDIS_URL): %v", redisURL, err)
		}
		t.Skipf("Redis is not reachable at %s: %v", redisURL, err)
	} else {
		_ = c.Close()
	}
	env := map[string]string{
		"RATE_LIMIT_ENABLED":            "true",
		"RATE_LIMIT_GENERAL_PER_SECOND": "1",
		"RATE_LIMIT_GENERAL_BURST":      "4",
		"RATE_LIMIT_STORE":              "redis",
		"REDIS_URL":                     redisURL,
		"REDIS_KEY_PREFIX":              "agora-test-" + uuid.NewString() + ":",
	}
	a, b := startServer(t, env), startServer(t, env)
	statuses := []int{}
	for i := 0; i < 6; i++ {
		replica := a
		if i%2 == 1 {
			replica = b
		}
		statuses = append(statuses, replica.API.Do(apitest.Request{Method: "GET", Path: "/api/v1/openapi.yaml"}).Status)
	}
	want := []int{200, 200, 200, 200, 429, 429}
	for i := range want {
		if statuses[i] != want[i] {
			t.Fatalf("statuses across two replicas %v, want %v", statuses, want)
		}
	}
}

// One account has one login budget of 5 a minute, whether the login names it
// by username or by e-mail, in any case, from any number of addresses: an
// attacker gets 5 guesses, not 5 per spelling.
func TestLoginBudgetIsPerAccountWhicheverFormNamesIt(t *testing.T) {
	t.Parallel()
	env := startLoginLimited(t)
	idRegister(t, env, "budgeted")
	idRegister(t, env, "bystander")
	try := func(i int, login, pw string) int {
		return loginFrom(env, fmt.Sprintf("203.0.113.%d", i), login, pw)
	}
	forms := []string{"budgeted", "budgeted@example.com", "BUDGETED", "Budgeted@Example.com", "budgeted"}
	for i, login := range forms {
		if st := try(i+1, login, "wrong guess "+login); st != http.StatusUnauthorized {
			t.Fatalf("guess %d (%s): %d, want 401", i+1, login, st)
		}
	}
	for i, login := range []string{"budgeted@example.com", "budgeted", "BUDGETED@EXAMPLE.COM"} {
		if st := try(10+i, login, idPassword); st != http.StatusTooManyRequests {
			t.Fatalf("attempt %d on the spent account as %q: %d, want 429", 6+i, login, st)
		}
	}
	// Another account is untouched.
	if st := try(20, "bystander@example.com", idPassword); st != http.StatusOK {
		t.Fatalf("another account: %d", st)
	}
}

// Lock-out of a victim is limited: attempts an address makes after its own
// budget is spent are refused without spending the account's, so one address
// cannot keep an account locked beyond its 5 attempts a minute.
func TestAddressOverItsBudgetDoesNotSpendTheAccounts(t *testing.T) {
	t.Parallel()
	env := startLoginLimited(t)
	idRegister(t, env, "locked_victim")
	try := func(ip, login, pw string) int { return loginFrom(env, ip, login, pw) }
	for i := range 5 { // the attacker's address spends its budget on names of no account
		if st := try("198.51.100.66", fmt.Sprintf("nobody_%d", i), "wrong guess"); st != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, st)
		}
	}
	for range 20 {
		if st := try("198.51.100.66", "locked_victim", "wrong guess"); st != http.StatusTooManyRequests {
			t.Fatalf("over its budget the address got %d, want 429", st)
		}
	}
	if st := try("198.51.100.7", "locked_victim@example.com", idPassword); st != http.StatusOK {
		t.Fatalf("the victim from their own address: %d, want 200", st)
	}
}

// startLoginLimited is a server with rate limits on that trusts the test
// client as a proxy, so each login can come from an address of its own.
func startLoginLimited(t *testing.T) *testEnv {
	t.Helper()
	return startServer(t, map[string]string{
		"RATE_LIMIT_ENABLED": "true",
		"TRUSTED_PROXIES":    "127.0.0.1/32,::1",
	})
}

// loginFrom tries a login as if from client address ip and returns the status.
func loginFrom(env *testEnv, ip, login, pw string) int {
	return env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/login",
		Header: http.Header{"X-Forwarded-For": {ip}},
		Body:   map[string]string{"login": login, "password": pw}}).Status
}
