package main

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

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
