package postgres_test

import (
	"context"
	"crypto/rand"
	"testing"

	"github.com/google/uuid"

	"agora/adapters/postgres"
	"agora/domain/session"
	"agora/ports/identity"
	"agora/ports/identity/identitytest"
)

// The PostgreSQL store keeps the same contract as the in-memory fake that
// the service tests use.
func TestIdentityStoreKeepsTheContract(t *testing.T) {
	t.Parallel()
	identitytest.RunStoreContract(t, func(t *testing.T) identitytest.Harness {
		pool := openPool(t)
		return identitytest.Harness{
			Store: postgres.NewIdentityStore(pool),
			Block: func(t *testing.T, blocker, blocked uuid.UUID) {
				if _, err := pool.Exec(context.Background(),
					`INSERT INTO blocks (blocker_id, blocked_id) VALUES ($1, $2)`, blocker, blocked); err != nil {
					t.Fatal(err)
				}
			},
		}
	})
}

// Deleting a user takes their rows in every other table with them, in the
// one DELETE statement (ON DELETE CASCADE).
func TestDeleteUserCascades(t *testing.T) {
	t.Parallel()
	s, pool := identityStore(t)
	ctx := context.Background()
	a, _, _ := createUser(t, s, "alice", dbNow())
	b, _, _ := createUser(t, s, "bob", dbNow())
	for _, st := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO posts (id, author_id, body) VALUES (gen_random_uuid(), $1, 'hello')`, []any{a.ID}},
		{`INSERT INTO blocks (blocker_id, blocked_id) VALUES ($1, $2)`, []any{a.ID, b.ID}},
		{`INSERT INTO connections (user_id, other_id) VALUES ($1, $2), ($2, $1)`, []any{a.ID, b.ID}},
		{`INSERT INTO connection_requests (id, from_id, to_id, status, responded_at)
		  VALUES (gen_random_uuid(), $1, $2, 'accepted', now())`, []any{b.ID, a.ID}},
		{`INSERT INTO user_tokens (token_hash, user_id, purpose, expires_at)
		  VALUES (sha256('x'), $1, 'password_reset', now())`, []any{a.ID}},
	} {
		if _, err := pool.Exec(ctx, st.sql, st.args...); err != nil {
			t.Fatalf("%s: %v", st.sql, err)
		}
	}
	if err := s.DeleteUser(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	for table, want := range map[string]int{
		"users": 1, "sessions": 1, "refresh_tokens": 1, // bob's
		"posts": 0, "blocks": 0, "connections": 0, "connection_requests": 0, "user_tokens": 0,
	} {
		var n int
		if err := pool.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("%s: %d rows left, want %d", table, n, want)
		}
	}
}

// Two refreshes racing with the same token: exactly one wins, the other is
// seen as a reuse and revokes the session.
func TestConcurrentRefreshIsSerialised(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "carol")
	s, u, sess, h, now, ctx := f.s, f.u, f.sess, f.refresh, f.now, context.Background()
	results := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := s.Refresh(ctx, h, func(rt session.RefreshToken, cur session.Session) (identity.RefreshPlan, error) {
				if err := session.CheckRefresh(rt, cur, now); err != nil {
					return identity.RefreshPlan{Revoke: true, Now: now}, err
				}
				_, next, _ := session.NewSecret(rand.Reader)
				nt := session.NewRefreshToken(next, cur, now)
				return identity.RefreshPlan{Next: &nt, Now: now}, nil
			})
			results <- err
		}()
	}
	var ok, refused int
	for range 2 {
		if err := <-results; err == nil {
			ok++
		} else {
			refused++
		}
	}
	if ok != 1 || refused != 1 {
		t.Fatalf("ok=%d refused=%d, want 1 and 1", ok, refused)
	}
	if live, _ := s.SessionLive(ctx, sess.ID, u.ID, now); live {
		t.Fatal("the replay did not revoke the session")
	}
}
