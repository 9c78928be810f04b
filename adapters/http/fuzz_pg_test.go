package http

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"agora/adapters/jwt/jwttest"
	"agora/adapters/postgres"
	"agora/adapters/postgres/pgtest"
	"agora/ports"
	"agora/ports/identity"
	"agora/ports/social"
)

// pgAPI is the whole HTTP adapter over the real PostgreSQL stores (a fresh
// migrated database), with one signed-in user, a second user, a post and a
// connection request, so that every value reaches the SQL it would reach in
// production.
type pgAPI struct {
	fuzzAPI
	other   string
	request string
}

func newPGAPI(tb testing.TB) *pgAPI {
	tb.Helper()
	ctx := context.Background()
	pool, err := postgres.Open(ctx, pgtest.NewDatabase(tb), postgres.PoolOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(pool.Close)
	issuer := jwttest.Issuer(tb)
	ids, err := identity.New(identity.Config{AccessTTL: time.Hour, RefreshTTL: 24 * time.Hour, PublicBaseURL: "http://x"},
		identity.Deps{Store: postgres.NewIdentityStore(pool), Hasher: plainHasher{}, Tokens: issuer, Mailer: dropMailer{}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = ids.Close(context.Background()) })
	socialSvc, err := social.New(social.Deps{Store: postgres.NewSocialStore(pool)})
	if err != nil {
		tb.Fatal(err)
	}
	api := &pgAPI{fuzzAPI: fuzzAPI{srv: newServer(tb, Options{
		Identity: IdentityDeps{Service: ids, JWKS: issuer.JWKS()},
		Social:   SocialDeps{Service: socialSvc},
	})}}
	created := func(rec interface{ Result() *http.Response }, what string, v any) {
		res := rec.Result()
		defer res.Body.Close()
		if res.StatusCode/100 != 2 || json.NewDecoder(res.Body).Decode(v) != nil {
			tb.Fatalf("set-up: %s: %d", what, res.StatusCode)
		}
	}
	var reg struct {
		AccessToken string `json:"access_token"`
	}
	created(api.do("POST", "/api/v1/auth/register", "application/json",
		[]byte(`{"username":"fuzzer","email":"fuzzer@example.com","password":"correct horse battery"}`)), "register", &reg)
	created(api.do("POST", "/api/v1/auth/register", "application/json",
		[]byte(`{"username":"other_user","email":"other@example.com","password":"correct horse battery"}`)), "register other", &struct{}{})
	api.token, api.other = reg.AccessToken, "other_user"
	var p, r struct {
		ID string `json:"id"`
	}
	created(api.do("POST", "/api/v1/posts", "application/json", []byte(`{"body":"hello"}`)), "post", &p)
	created(api.do("POST", "/api/v1/connection-requests", "application/json", []byte(`{"username":"other_user","message":"hi"}`)), "request", &r)
	api.postID, api.request = p.ID, r.ID
	return api
}

// jsonString writes v as a JSON string. raw keeps bytes as they are (so
// invalid UTF-8 reaches the decoder) and escapes only what JSON requires;
// otherwise every control character, and every byte of invalid UTF-8, is
// written as a \u escape (a NUL as \u0000), which decodes to valid text.
func jsonString(v string, raw bool) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(v); {
		r, size := utf8.DecodeRuneInString(v[i:])
		switch {
		case v[i] == '"' || v[i] == '\\':
			b.WriteByte('\\')
			b.WriteByte(v[i])
		case r == utf8.RuneError && size == 1 && raw:
			b.WriteByte(v[i])
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\u%04x`, v[i])
		case r < 0x20 || !raw && r >= 0x7f && r <= 0x9f:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(v[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
	return b.String()
}

// hostileTarget puts one value into one input of one endpoint.
type hostileTarget struct {
	name  string
	build func(v string, raw bool) (method, path string, body []byte)
}

// targets is every text input of the API: each string field of each JSON
// body (the others valid), each query parameter of each list, a forged
// cursor whose key is the value, and each path parameter.
func (a *pgAPI) targets() []hostileTarget {
	var out []hostileTarget
	bodies := []struct {
		method, path string
		fields       map[string]string // field -> a valid value
	}{
		{"POST", "/api/v1/auth/register", map[string]string{"username": "new_user", "email": "new@example.com", "password": "correct horse battery", "display_name": "New"}},
		{"POST", "/api/v1/auth/login", map[string]string{"login": "fuzzer", "password": "wrong password"}},
		{"POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": "x"}},
		{"POST", "/api/v1/auth/logout", map[string]string{"refresh_token": "x"}},
		{"POST", "/api/v1/auth/password-reset", map[string]string{"email": "fuzzer@example.com"}},
		{"POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": "x", "new_password": "correct horse battery"}},
		{"POST", "/api/v1/auth/verify-email/confirm", map[string]string{"token": "x"}},
		{"PATCH", "/api/v1/users/me", map[string]string{"display_name": "Fuzzer", "headline": "h", "bio": "b"}},
		{"PUT", "/api/v1/users/me/password", map[string]string{"current_password": "wrong password", "new_password": "correct horse battery"}},
		{"POST", "/api/v1/posts", map[string]string{"body": "hello", "visibility": "public"}},
		{"PATCH", "/api/v1/posts/" + a.postID, map[string]string{"body": "hello", "visibility": "public"}},
		{"POST", "/api/v1/connection-requests", map[string]string{"username": a.other, "message": "hi"}},
	}
	for _, ep := range bodies {
		for field := range ep.fields {
			out = append(out, hostileTarget{ep.method + " " + ep.path + " " + field, func(v string, raw bool) (string, string, []byte) {
				parts := make([]string, 0, len(ep.fields))
				for f, valid := range ep.fields {
					val := jsonString(valid, true)
					if f == field {
						val = jsonString(v, raw)
					}
					parts = append(parts, jsonString(f, true)+":"+val)
				}
				return ep.method, ep.path, []byte("{" + strings.Join(parts, ",") + "}")
			}})
		}
	}
	lists := map[string][]string{
		"/api/v1/users":                                    {"q", "limit", "cursor"},
		"/api/v1/feed":                                     {"limit", "cursor"},
		"/api/v1/users/fuzzer/posts":                       {"limit", "cursor"},
		"/api/v1/users/fuzzer/connections":                 {"limit", "cursor"},
		"/api/v1/users/" + a.other + "/connections/mutual": {"limit", "cursor"},
		"/api/v1/connection-requests":                      {"direction", "limit", "cursor"},
		"/api/v1/connections":                              {"limit", "cursor"},
		"/api/v1/blocks":                                   {"limit", "cursor"},
	}
	for path, params := range lists {
		for _, param := range params {
			out = append(out, hostileTarget{"GET " + path + "?" + param, func(v string, _ bool) (string, string, []byte) {
				q := url.Values{param: {v}}
				if param != "direction" && strings.HasSuffix(path, "connection-requests") {
					q.Set("direction", "incoming")
				}
				return "GET", path + "?" + q.Encode(), nil
			}})
		}
		// Cursors are checksummed, not signed: anyone can make one with any key.
		out = append(out, hostileTarget{"GET " + path + " forged cursor key", func(v string, _ bool) (string, string, []byte) {
			c := encodeCursor(&ports.Cursor{Time: time.Now(), ID: uuid.New(), Key: v})
			q := url.Values{"cursor": {*c}}
			if strings.HasSuffix(path, "connection-requests") {
				q.Set("direction", "outgoing")
			}
			return "GET", path + "?" + q.Encode(), nil
		}})
	}
	paths := []string{
		"GET /api/v1/users/%s", "GET /api/v1/users/%s/posts", "GET /api/v1/users/%s/connections",
		"GET /api/v1/users/%s/connections/mutual", "PUT /api/v1/blocks/%s", "DELETE /api/v1/blocks/%s",
		"DELETE /api/v1/connections/%s", "GET /api/v1/posts/%s", "DELETE /api/v1/posts/%s",
		"POST /api/v1/connection-requests/%s/accept", "POST /api/v1/connection-requests/%s/decline",
		"DELETE /api/v1/connection-requests/%s",
	}
	for _, p := range paths {
		method, tmpl, _ := strings.Cut(p, " ")
		out = append(out, hostileTarget{p, func(v string, _ bool) (string, string, []byte) {
			return method, fmt.Sprintf(tmpl, url.PathEscape(v)), nil
		}})
	}
	return out
}

// hostileSeeds are the values the outside black-box run used, and their kin.
var hostileSeeds = []string{
	"\x00", "a\x00b", "\xff", "a\xffb", "\xc3", "\xed\xa0\x80", "\x1b[2J", "\x7f", "\u0085", "\t\n\r",
	"\u202e", "\u200b", "   ", "", "fuzzer", "other_user", "FUZZER@EXAMPLE.COM", "0", "101", "-1",
	"99999999999999999999", "incoming", "%", "_", "\\", "'", "\"", strings.Repeat("a", 300), "\ufeff",
	"\U0010ffff", "\ufffd", "00000000-0000-0000-0000-000000000000",
}

// FuzzHostileInputOnPostgres feeds arbitrary strings (NUL, invalid UTF-8,
// control and invisible characters) through every JSON body field, query
// parameter, cursor and path parameter of the HTTP adapter, against the real
// PostgreSQL-backed stores: whatever the input, the answer is never 5xx.
//
// The fuzzing workers share this process's PostgreSQL (pgtest.ShareServer)
// instead of each starting a cluster, so a brief run spends its time fuzzing.
func FuzzHostileInputOnPostgres(f *testing.F) {
	pgtest.ShareServer(f)
	api := newPGAPI(f)
	// Each target once and each seed once (TestHostileInputOnPostgresNever5xx
	// runs the full product); a small corpus leaves a brief run time to fuzz.
	n := len(api.targets())
	for i := range max(n, len(hostileSeeds)) {
		f.Add(uint16(i%n), hostileSeeds[i%len(hostileSeeds)], i%2 == 0)
	}
	f.Fuzz(func(t *testing.T, which uint16, value string, raw bool) {
		targets := api.targets()
		tg := targets[int(which)%len(targets)]
		method, path, body := tg.build(value, raw)
		ct := ""
		if body != nil {
			ct = "application/json"
		}
		rec := api.do(method, path, ct, body)
		if rec.Code >= 500 {
			t.Fatalf("%s with %q (raw %v): %d %s", tg.name, value, raw, rec.Code, rec.Body.String())
		}
	})
}

// Every seed through every target, as a plain test (the fuzz target's seed
// corpus samples the product; this runs all of it once).
func TestHostileInputOnPostgresNever5xx(t *testing.T) {
	t.Parallel()
	api := newPGAPI(t)
	for _, tg := range api.targets() {
		for _, v := range hostileSeeds {
			for _, raw := range []bool{true, false} {
				method, path, body := tg.build(v, raw)
				ct := ""
				if body != nil {
					ct = "application/json"
				}
				if rec := api.do(method, path, ct, body); rec.Code >= 500 {
					t.Errorf("%s with %q (raw %v): %d %s", tg.name, v, raw, rec.Code, rec.Body.String())
				}
			}
		}
	}
}
