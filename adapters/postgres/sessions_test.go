package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"agora/adapters/postgres"
	"agora/ports/identity/identitytest"
)

// listening starts the store's session listener for the test's lifetime and
// waits until it hears.
func listening(t *testing.T, s *postgres.IdentityStore) *postgres.SessionCache {
	t.Helper()
	c := s.SessionCache()
	ctx, cancel := context.WithCancel(context.Background())
	go c.Listen(ctx, func(msg string, err error) { t.Logf("%s: %v", msg, err) })
	t.Cleanup(func() { cancel(); c.Wait() })
	for start := time.Now(); !c.Listening(); time.Sleep(time.Millisecond) {
		if time.Since(start) > 10*time.Second {
			t.Fatal("the listener did not start within 10 s")
		}
	}
	return c
}

// The cache answers only what the database would: a session is served from
// memory only for its own user and before its expiry, and a revocation made
// behind the store's back (another replica, plain SQL) is heard.
func TestSessionCacheAnswersAsTheDatabase(t *testing.T) {
	t.Parallel()
	pool := openIdentityPool(t)
	s := postgres.NewIdentityStore(pool)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	u := identitytest.NewUser("carol", now)
	sess := createUser(t, s, u)

	// Without its listener the cache serves nothing from memory.
	for range 2 {
		if live, err := s.SessionLive(ctx, sess.ID, u.ID, now); !live || err != nil {
			t.Fatalf("live = %v, %v", live, err)
		}
	}
	if s.SessionCache().Hits() != 0 {
		t.Fatal("served from memory without a listener")
	}

	c := listening(t, s)
	live := func(id, user uuid.UUID, at time.Time) bool {
		t.Helper()
		ok, err := s.SessionLive(ctx, id, user, at)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	for range 2 { // the first fills the cache, the second is answered from it
		if !live(sess.ID, u.ID, now) {
			t.Fatal("a live session was not live")
		}
	}
	if c.Hits() != 1 {
		t.Fatalf("the second check was not served from memory (hits %d)", c.Hits())
	}
	// Another user's id, or a time after the expiry: the database's answer.
	if live(sess.ID, uuid.Must(uuid.NewV7()), now) {
		t.Fatal("a session was live for another user")
	}
	if live(sess.ID, u.ID, sess.ExpiresAt) {
		t.Fatal("a session was live at its expiry")
	}
	if live(uuid.Must(uuid.NewV7()), u.ID, now) {
		t.Fatal("an unknown session was live")
	}

	// Revoked by plain SQL (as another replica would): the notification
	// makes this process forget the session.
	if _, err := pool.Exec(ctx, `UPDATE sessions SET revoked_at = now() WHERE id = $1`, sess.ID); err != nil {
		t.Fatal(err)
	}
	for start := time.Now(); live(sess.ID, u.ID, now); time.Sleep(time.Millisecond) {
		if time.Since(start) > 10*time.Second {
			t.Fatal("the revocation was not heard within 10 s")
		}
	}
}
