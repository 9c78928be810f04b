package main

import (
	"strings"
	"testing"

	"agora/adapters/http/apitest"
)

// A whole register/login/refresh/me/logout cycle, logged at debug level,
// leaves no password, access token, refresh token or Authorization header
// anywhere in the logs.
func TestLogsNeverCarrySecrets(t *testing.T) {
	t.Parallel()
	env := startServer(t, map[string]string{"LOG_LEVEL": "debug"})
	const password = "s3cret-Passw0rd-that-must-not-leak"
	secrets := []string{password, "Bearer "}
	tokens := func(res *apitest.Response) (string, string) {
		t.Helper()
		m := res.Map(t)
		access, _ := m["access_token"].(string)
		refresh, _ := m["refresh_token"].(string)
		if access == "" || refresh == "" {
			t.Fatalf("no tokens in %s", res.Body)
		}
		secrets = append(secrets, access, refresh)
		return access, refresh
	}
	res := env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/register",
		Body: map[string]string{"username": "leaky", "email": "leaky@example.com", "password": password}})
	if res.Status != 201 {
		t.Fatalf("register: %d %s", res.Status, res.Body)
	}
	tokens(res)
	// A failed login with a wrong password that is itself a secret.
	res = env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/login",
		Body: map[string]string{"login": "leaky", "password": password + "-wrong"}})
	if res.Status != 401 {
		t.Fatalf("wrong login: %d", res.Status)
	}
	res = env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/login",
		Body: map[string]string{"login": "leaky", "password": password}})
	if res.Status != 200 {
		t.Fatalf("login: %d %s", res.Status, res.Body)
	}
	_, refresh := tokens(res)
	res = env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/refresh", Body: map[string]string{"refresh_token": refresh}})
	if res.Status != 200 {
		t.Fatalf("refresh: %d %s", res.Status, res.Body)
	}
	access, refresh := tokens(res)
	if res := env.API.Do(apitest.Request{Method: "GET", Path: "/api/v1/users/me", Token: access}); res.Status != 200 {
		t.Fatalf("me: %d", res.Status)
	}
	if res := env.API.Do(apitest.Request{Method: "GET", Path: "/api/v1/users/me", Token: "not-a-token"}); res.Status != 401 {
		t.Fatalf("bad token: %d", res.Status)
	}
	if res := env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/logout", Body: map[string]string{"refresh_token": refresh}}); res.Status != 204 {
		t.Fatalf("logout: %d", res.Status)
	}
	logs := env.Logs()
	if strings.Count(logs, `"msg":"request"`) < 7 {
		t.Fatalf("expected a log line per request:\n%s", logs)
	}
	for _, s := range append(secrets, "not-a-token", "authorization", "Authorization") {
		if strings.Contains(logs, s) {
			t.Errorf("the logs contain a secret (%.12s...)", s)
		}
	}
}
