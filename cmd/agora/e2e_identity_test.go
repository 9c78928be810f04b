package main

import (
	"net/http"
	"strings"
	"testing"

	"agora/adapters/http/apitest"
)

// idTokens is the contract's Tokens, as a client reads it.
type idTokens struct {
	AccessToken  string         `json:"access_token"`
	RefreshToken string         `json:"refresh_token"`
	TokenType    string         `json:"token_type"`
	ExpiresIn    int            `json:"expires_in"`
	User         map[string]any `json:"user"`
}

const idPassword = "correct horse battery staple"

func idRegister(t *testing.T, env *testEnv, name string) idTokens {
	t.Helper()
	res := env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/register", Body: map[string]string{
		"username": name, "email": strings.ToLower(name) + "@example.com", "password": idPassword,
	}})
	if res.Status != http.StatusCreated {
		t.Fatalf("register %s: %d %s", name, res.Status, res.Body)
	}
	var tb idTokens
	res.JSON(t, &tb)
	return tb
}

func idLogin(t *testing.T, env *testEnv, loginName, pw string) *apitest.Response {
	t.Helper()
	return env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/login",
		Body: map[string]string{"login": loginName, "password": pw}})
}

func idLoggedIn(t *testing.T, env *testEnv, loginName string) idTokens {
	t.Helper()
	return idLoggedInWith(t, env, loginName, idPassword)
}

// idLoggedInWith logs in with a given password; the login must succeed.
func idLoggedInWith(t *testing.T, env *testEnv, loginName, pw string) idTokens {
	t.Helper()
	res := idLogin(t, env, loginName, pw)
	if res.Status != http.StatusOK {
		t.Fatalf("login %s: %d %s", loginName, res.Status, res.Body)
	}
	var tb idTokens
	res.JSON(t, &tb)
	return tb
}

func idMe(env *testEnv, token string) *apitest.Response {
	return env.API.Do(apitest.Request{Method: "GET", Path: "/api/v1/users/me", Token: token})
}

// assertUnauthorized checks the contract's 401: problem+json and the
// WWW-Authenticate challenge.
func idAssert401(t *testing.T, res *apitest.Response) map[string]any {
	t.Helper()
	p := assertProblem(t, res, http.StatusUnauthorized)
	if got := res.Header.Get("WWW-Authenticate"); got != `Bearer error="invalid_token"` {
		t.Fatalf("WWW-Authenticate = %q", got)
	}
	return p
}

// idAssertLogin401 checks a failed login: the 401 problem with a challenge
// that names the scheme and no error code (no token was involved).
func idAssertLogin401(t *testing.T, res *apitest.Response) map[string]any {
	t.Helper()
	p := assertProblem(t, res, http.StatusUnauthorized)
	if got := res.Header.Get("WWW-Authenticate"); got != "Bearer" {
		t.Fatalf("WWW-Authenticate = %q, want Bearer", got)
	}
	return p
}

// assertFields checks a 422 (or 400) naming exactly these fields.
func idAssertFields(t *testing.T, res *apitest.Response, status int, fields ...string) {
	t.Helper()
	p := assertProblem(t, res, status)
	list, _ := p["errors"].([]any)
	got := map[string]bool{}
	for _, e := range list {
		got[e.(map[string]any)["field"].(string)] = true
	}
	if len(got) != len(fields) {
		t.Fatalf("errors %v, want fields %v", p["errors"], fields)
	}
	for _, f := range fields {
		if !got[f] {
			t.Fatalf("errors %v, want field %s", p["errors"], f)
		}
	}
}

func TestIdentityRegister(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	res := env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/register", Body: map[string]string{
		"username": "Ada_Lovelace", "email": "Ada@Example.com", "password": idPassword, "display_name": "Ada Lovelace",
	}})
	if res.Status != http.StatusCreated {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	var tb idTokens
	res.JSON(t, &tb)
	u := tb.User
	if tb.TokenType != "Bearer" || tb.ExpiresIn != 900 || tb.AccessToken == "" || len(tb.RefreshToken) < 40 ||
		u["username"] != "Ada_Lovelace" || u["email"] != "Ada@Example.com" || u["display_name"] != "Ada Lovelace" ||
		u["email_verified"] != false || u["headline"] != "" || u["bio"] != "" {
		t.Fatalf("tokens: %s", res.Body)
	}
	if strings.Contains(string(res.Body), "argon2") || strings.Contains(string(res.Body), idPassword) {
		t.Fatal("the answer carries the password or its hash")
	}
	if res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("Cache-Control %q", res.Header.Get("Cache-Control"))
	}
	if got := idMe(env, tb.AccessToken); got.Status != http.StatusOK {
		t.Fatalf("the new access token: %d", got.Status)
	}
	// display_name defaults to the username.
	if tb := idRegister(t, env, "grace"); tb.User["display_name"] != "grace" {
		t.Fatalf("default display name: %v", tb.User)
	}

	post := func(body any) *apitest.Response {
		return env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/register", Body: body, NoCheck: true})
	}
	// 409, case-insensitively, for the username and for the email.
	p := assertProblem(t, post(map[string]string{"username": "ADA_lovelace", "email": "other@example.com", "password": idPassword}), http.StatusConflict)
	if !strings.Contains(p["detail"].(string), "username") {
		t.Fatalf("409 detail: %v", p["detail"])
	}
	p = assertProblem(t, post(map[string]string{"username": "someone", "email": "ada@EXAMPLE.com", "password": idPassword}), http.StatusConflict)
	if !strings.Contains(p["detail"].(string), "email") {
		t.Fatalf("409 detail: %v", p["detail"])
	}
	// 422 names every broken rule.
	idAssertFields(t, post(map[string]string{"username": "a b", "email": "nope", "password": "short"}), 422, "username", "email", "password")
	idAssertFields(t, post(map[string]any{}), 422, "username", "email", "password")
	idAssertFields(t, post(map[string]any{"username": "okname", "email": "ok@example.com", "password": idPassword, "display_name": ""}), 422, "display_name")
	idAssertFields(t, post(map[string]any{"username": "okname", "email": "ok@example.com", "password": idPassword, "display_name": nil}), 422, "display_name")
	idAssertFields(t, post(map[string]any{"username": strings.Repeat("x", 31), "email": "ok@example.com", "password": strings.Repeat("p", 129)}), 422, "username", "password")
	// 400, 415, 413 from the strict decoder.
	assertProblem(t, post(`{"username":"x","extra":1}`), http.StatusBadRequest)
	assertProblem(t, post(`{"username":1}`), http.StatusBadRequest)
	assertProblem(t, post(`{"username":"a"} {}`), http.StatusBadRequest)
	assertProblem(t, env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/register", Body: `{}`, NoCheck: true,
		Header: http.Header{"Content-Type": {"text/plain"}}}), http.StatusUnsupportedMediaType)
	assertProblem(t, post(`{"username":"`+strings.Repeat("x", 70<<10)+`"}`), http.StatusRequestEntityTooLarge)
}

func TestIdentityLogin(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	idRegister(t, env, "Hedy")
	for _, name := range []string{"Hedy", "hedy", "HEDY@example.COM"} {
		tb := idLoggedIn(t, env, name)
		if tb.User["username"] != "Hedy" || tb.TokenType != "Bearer" || tb.ExpiresIn != 900 {
			t.Fatalf("login %s: %+v", name, tb)
		}
	}
	// An unknown user and a wrong password: the same 401, the same words.
	wrong := idAssertLogin401(t, idLogin(t, env, "hedy", "wrong password!"))
	unknown := idAssertLogin401(t, idLogin(t, env, "nobody", "wrong password!"))
	unknownEmail := idAssertLogin401(t, idLogin(t, env, "nobody@example.com", "wrong password!"))
	if wrong["detail"] != unknown["detail"] || wrong["detail"] != unknownEmail["detail"] || wrong["title"] != unknown["title"] {
		t.Fatalf("distinguishable answers: %v / %v / %v", wrong, unknown, unknownEmail)
	}
	// 422 for an empty or oversized field; 400 for a wrong type.
	post := func(body any) *apitest.Response {
		return env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/login", Body: body, NoCheck: true})
	}
	idAssertFields(t, post(map[string]string{"login": "", "password": ""}), 422, "login", "password")
	idAssertFields(t, post(map[string]string{"login": "hedy", "password": strings.Repeat("p", 129)}), 422, "password")
	assertProblem(t, post(`{"login":"hedy","password":12345678}`), http.StatusBadRequest)

	// Every attempt is counted by result.
	metrics := env.API.Do(apitest.Request{Method: "GET", Path: "/metrics"})
	for _, want := range []string{
		`auth_login_attempts_total{result="success"} 3`,
		`auth_login_attempts_total{result="invalid_credentials"} 3`,
		`agora_registrations_total 1`,
	} {
		if !strings.Contains(string(metrics.Body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// Passwords and tokens never reach the logs.
	if logs := env.Logs(); strings.Contains(logs, idPassword) || strings.Contains(logs, "wrong password!") {
		t.Fatal("a password reached the logs")
	}
}

func TestIdentityLoginRateLimitIsCounted(t *testing.T) {
	t.Parallel()
	env := startServer(t, map[string]string{"RATE_LIMIT_ENABLED": "true"})
	idRegister(t, env, "mallory_target")
	for i := 0; i < 5; i++ {
		idAssertLogin401(t, idLogin(t, env, "mallory_target", "guess number "+string(rune('a'+i))))
	}
	res := idLogin(t, env, "mallory_target", idPassword)
	assertProblem(t, res, http.StatusTooManyRequests)
	if res.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	metrics := env.API.Do(apitest.Request{Method: "GET", Path: "/metrics"})
	if !strings.Contains(string(metrics.Body), `auth_login_attempts_total{result="rate_limited"} 1`) {
		t.Fatal("the limited attempt was not counted")
	}
}

func TestIdentityRefreshRotatesAndReuseRevokesTheSession(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	first := idRegister(t, env, "alan")
	refresh := func(tok string) *apitest.Response {
		return env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/refresh", Body: map[string]string{"refresh_token": tok}})
	}
	res := refresh(first.RefreshToken)
	if res.Status != http.StatusOK {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	var second idTokens
	res.JSON(t, &second)
	if second.RefreshToken == first.RefreshToken || second.AccessToken == first.AccessToken || second.User["username"] != "alan" {
		t.Fatalf("no rotation: %s", res.Body)
	}
	if idMe(env, second.AccessToken).Status != http.StatusOK {
		t.Fatal("the new access token does not work")
	}
	// The spent token again: 401, and the whole session is gone.
	idAssert401(t, refresh(first.RefreshToken))
	idAssert401(t, idMe(env, second.AccessToken))
	idAssert401(t, refresh(second.RefreshToken))
	idAssert401(t, refresh("never-issued-token"))
	// Another login is another session, untouched.
	other := idLoggedIn(t, env, "alan")
	if idMe(env, other.AccessToken).Status != http.StatusOK {
		t.Fatal("reuse in one session revoked another")
	}
	idAssertFields(t, env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/refresh",
		Body: map[string]string{"refresh_token": ""}, NoCheck: true}), 422, "refresh_token")
	assertProblem(t, env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/refresh",
		Body: `{"refresh_token":null,"x":1}`, NoCheck: true}), http.StatusBadRequest)
}

func TestIdentityLogoutEndsTheSessionAtOnce(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	a := idRegister(t, env, "ken")
	b := idLoggedIn(t, env, "ken")
	logout := func(tok string) *apitest.Response {
		return env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/logout", Body: map[string]string{"refresh_token": tok}})
	}
	if res := logout(a.RefreshToken); res.Status != http.StatusNoContent {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	// The very next request with the old access token is refused.
	idAssert401(t, idMe(env, a.AccessToken))
	idAssert401(t, env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/refresh",
		Body: map[string]string{"refresh_token": a.RefreshToken}}))
	if idMe(env, b.AccessToken).Status != http.StatusOK {
		t.Fatal("logout ended another session")
	}
	// Logging out twice, or with an unknown token, is fine (RFC 7009).
	if res := logout(a.RefreshToken); res.Status != http.StatusNoContent {
		t.Fatalf("second logout: %d", res.Status)
	}
	if res := logout("unknown"); res.Status != http.StatusNoContent {
		t.Fatalf("unknown token: %d", res.Status)
	}
	idAssertFields(t, env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/logout",
		Body: map[string]string{"refresh_token": ""}, NoCheck: true}), 422, "refresh_token")
	assertProblem(t, env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/logout", Body: `[]`, NoCheck: true}), http.StatusBadRequest)
}

func TestIdentityAccount(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	a := idRegister(t, env, "frances")
	other := idLoggedIn(t, env, "frances")

	res := idMe(env, a.AccessToken)
	if res.Status != http.StatusOK {
		t.Fatal(res.Status)
	}
	before := res.Map(t)
	patch := func(body any, check bool) *apitest.Response {
		return env.API.Do(apitest.Request{Method: "PATCH", Path: "/api/v1/users/me", Token: a.AccessToken, Body: body, NoCheck: !check})
	}
	// {} changes nothing, updated_at included.
	res = patch(map[string]any{}, true)
	if res.Status != http.StatusOK || res.Map(t)["updated_at"] != before["updated_at"] {
		t.Fatalf("empty patch: %d %s", res.Status, res.Body)
	}
	res = patch(map[string]any{"headline": "Compilers", "bio": "Wrote FORTRAN optimisers."}, true)
	got := res.Map(t)
	if res.Status != http.StatusOK || got["headline"] != "Compilers" || got["display_name"] != "frances" || got["updated_at"] == before["updated_at"] {
		t.Fatalf("patch: %d %s", res.Status, res.Body)
	}
	res = patch(map[string]any{"headline": ""}, true)
	if got := res.Map(t); got["headline"] != "" || got["bio"] != "Wrote FORTRAN optimisers." {
		t.Fatalf("clearing the headline: %s", res.Body)
	}
	idAssertFields(t, patch(map[string]any{"display_name": nil, "bio": nil}, false), 422, "display_name", "bio")
	idAssertFields(t, patch(map[string]any{"display_name": "", "headline": strings.Repeat("h", 201), "bio": strings.Repeat("b", 2001)}, false),
		422, "display_name", "headline", "bio")
	assertProblem(t, patch(`{"email":"new@example.com"}`, false), http.StatusBadRequest)
	idAssert401(t, env.API.Do(apitest.Request{Method: "PATCH", Path: "/api/v1/users/me", Body: map[string]any{}}))

	// Password change: 403 wrong current, 422 weak new, 204 and only this session survives.
	put := func(cur, next string, check bool) *apitest.Response {
		return env.API.Do(apitest.Request{Method: "PUT", Path: "/api/v1/users/me/password", Token: a.AccessToken,
			Body: map[string]string{"current_password": cur, "new_password": next}, NoCheck: !check})
	}
	assertProblem(t, put("not the password", "a brand new passphrase", true), http.StatusForbidden)
	if idMe(env, other.AccessToken).Status != http.StatusOK {
		t.Fatal("a refused change revoked a session")
	}
	idAssertFields(t, put(idPassword, "short", false), 422, "new_password")
	idAssertFields(t, put("", "", false), 422, "current_password", "new_password")
	if res := put(idPassword, "a brand new passphrase", true); res.Status != http.StatusNoContent {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	if idMe(env, a.AccessToken).Status != http.StatusOK {
		t.Fatal("the caller's own session was revoked")
	}
	idAssert401(t, idMe(env, other.AccessToken))
	idAssertLogin401(t, idLogin(t, env, "frances", idPassword))
	if res := idLogin(t, env, "frances", "a brand new passphrase"); res.Status != http.StatusOK {
		t.Fatalf("new password: %d", res.Status)
	}
	idAssert401(t, env.API.Do(apitest.Request{Method: "PUT", Path: "/api/v1/users/me/password",
		Body: map[string]string{"current_password": "x", "new_password": "yyyyyyyy"}}))

	// Deletion: 204, then every token of theirs is 401 and the name is free.
	if res := env.API.Do(apitest.Request{Method: "DELETE", Path: "/api/v1/users/me", Token: a.AccessToken}); res.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", res.Status, res.Body)
	}
	idAssert401(t, idMe(env, a.AccessToken))
	idAssert401(t, env.API.Do(apitest.Request{Method: "DELETE", Path: "/api/v1/users/me", Token: a.AccessToken}))
	idAssert401(t, env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/refresh",
		Body: map[string]string{"refresh_token": a.RefreshToken}}))
	idAssertLogin401(t, idLogin(t, env, "frances", "a brand new passphrase"))
	idRegister(t, env, "frances")
}
