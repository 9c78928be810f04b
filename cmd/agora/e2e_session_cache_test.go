package main

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"agora/adapters/http/apitest"
	"agora/adapters/postgres"
	"agora/adapters/postgres/pgtest"
)

// twoReplicas starts two Agoras over one database with one signing key, as
// behind a load balancer.
func twoReplicas(t *testing.T) (a, b *testEnv) {
	t.Helper()
	key := filepath.Join(t.TempDir(), "jwt.pem")
	if err := keygen([]string{"-out", key}, io.Discard); err != nil {
		t.Fatal(err)
	}
	dbURL := pgtest.NewDatabase(t)
	env := map[string]string{"JWT_PRIVATE_KEY_FILE": key}
	a = startServerWith(t, serverOptions{DatabaseURL: dbURL, Env: env})
	b = startServerWith(t, serverOptions{DatabaseURL: dbURL, Env: env})
	for _, e := range []*testEnv{a, b} {
		waitFor(t, "the session listener to start", e.app.sessions.Listening)
	}
	return a, b
}

// waitFor polls cond for up to 10 s (a loaded machine), failing after.
func waitFor(t *testing.T, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("waited 10 s for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
	return time.Since(start)
}

// servedFromMemory asserts that B answers the token from its session cache
// (not from a statement of its own), so that the test exercises the cache.
func servedFromMemory(t *testing.T, b *testEnv, token string) {
	t.Helper()
	for range 2 { // the first check fills the cache
		if res := idMe(b, token); res.Status != http.StatusOK {
			t.Fatalf("B refused a live token: %d %s", res.Status, res.Body)
		}
	}
	hits := b.app.sessions.Hits()
	if res := idMe(b, token); res.Status != http.StatusOK {
		t.Fatalf("B refused a live token: %d %s", res.Status, res.Body)
	}
	if b.app.sessions.Hits() == hits {
		t.Fatal("B checked the session in the database although its cache knew it")
	}
	if got, want := metricValue(t, b, "agora_auth_session_cache_hits_total"), float64(b.app.sessions.Hits()); got != want {
		t.Fatalf("B's /metrics counts %v cache hits, its cache %v", got, want)
	}
}

func logoutOn(t *testing.T, env *testEnv, refresh string) {
	t.Helper()
	res := env.API.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/logout", Body: map[string]string{"refresh_token": refresh}})
	if res.Status != http.StatusNoContent {
		t.Fatalf("logout: %d %s", res.Status, res.Body)
	}
}

// A logout on replica A is refused by replica B, which had the session in
// memory, as soon as PostgreSQL's notification reaches B. How soon is
// measured and logged; the assertion allows a loaded machine 10 s.
func TestSessionCacheLogoutOnOneReplicaIsRefusedOnTheOther(t *testing.T) {
	t.Parallel()
	a, b := twoReplicas(t)
	ken := idRegister(t, a, "ken_sc")
	other := idLoggedIn(t, a, "ken_sc")
	servedFromMemory(t, b, ken.AccessToken)
	servedFromMemory(t, b, other.AccessToken)

	logoutOn(t, a, ken.RefreshToken)
	took := waitFor(t, "B to refuse the logged-out token", func() bool {
		return idMe(b, ken.AccessToken).Status == http.StatusUnauthorized
	})
	t.Logf("B refused the token %v after A's logout returned", took)
	idAssert401(t, idMe(b, ken.AccessToken))
	idAssert401(t, idMe(a, ken.AccessToken)) // A forgot it at once, without waiting for the notification
	// The user's other session is untouched, and still served from memory.
	servedFromMemory(t, b, other.AccessToken)

	// A password change on A ends every other session of the user on B too.
	third := idLoggedIn(t, a, "ken_sc")
	servedFromMemory(t, b, third.AccessToken)
	res := a.API.Do(apitest.Request{Method: "PUT", Path: "/api/v1/users/me/password", Token: other.AccessToken,
		Body: map[string]string{"current_password": idPassword, "new_password": idPassword + " changed"}})
	if res.Status != http.StatusNoContent {
		t.Fatalf("change password: %d %s", res.Status, res.Body)
	}
	waitFor(t, "B to refuse a session ended by a password change", func() bool {
		return idMe(b, third.AccessToken).Status == http.StatusUnauthorized
	})
	// Deleting the account (its sessions go by ON DELETE CASCADE) too.
	servedFromMemory(t, b, other.AccessToken)
	if res := a.API.Do(apitest.Request{Method: "DELETE", Path: "/api/v1/users/me", Token: other.AccessToken}); res.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", res.Status, res.Body)
	}
	waitFor(t, "B to refuse a deleted user's session", func() bool {
		return idMe(b, other.AccessToken).Status == http.StatusUnauthorized
	})
}

// When B's listening connection is killed, B checks every request in the
// database until it listens again (and forgets what it knew, since
// notifications sent meanwhile are lost): a token revoked while B could not
// hear it is refused by B, during the outage and after it.
func TestSessionCacheDroppedListenerNeverLetsARevokedTokenThrough(t *testing.T) {
	t.Parallel()
	a, b := twoReplicas(t)
	ken := idRegister(t, a, "ken_dl")
	servedFromMemory(t, b, ken.AccessToken)

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, a.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(ctx) })
	drops := b.app.sessions.Drops()
	var killed int
	// Both replicas' listeners: A's own revocation must not depend on it.
	err = conn.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = $1`, postgres.ListenerApplicationName).Scan(&killed)
	if err != nil || killed != 2 {
		t.Fatalf("terminated %d listeners (want 2): %v", killed, err)
	}
	waitFor(t, "B to notice its listener is gone", func() bool { return b.app.sessions.Drops() > drops })
	if got := metricValue(t, b, "agora_auth_session_cache_drops_total"); got <= float64(drops) {
		t.Fatalf("B's /metrics counts %v listener drops, %d before the kill", got, drops)
	}

	logoutOn(t, a, ken.RefreshToken)
	// Every answer from now on is a refusal: while B reconnects, and after.
	waitFor(t, "B to listen again", func() bool {
		idAssert401(t, idMe(b, ken.AccessToken))
		return b.app.sessions.Listening()
	})
	for range 3 {
		idAssert401(t, idMe(b, ken.AccessToken))
	}
	// And B serves live sessions from memory again.
	servedFromMemory(t, b, idLoggedIn(t, a, "ken_dl").AccessToken)
}

// metricValue reads one unlabelled sample from env's /metrics.
func metricValue(t *testing.T, env *testEnv, name string) float64 {
	t.Helper()
	for _, line := range strings.Split(scrape(t, env), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return f
		}
	}
	t.Fatalf("/metrics lacks %s", name)
	return 0
}
