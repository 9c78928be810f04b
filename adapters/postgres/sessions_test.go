package postgres_test

import (
	"context"
	"crypto/rand"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"agora/adapters/postgres"
	"agora/domain/session"
	"agora/domain/user"
	"agora/ports/identity"
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
	f := newFixture(t, "carol")
	s, pool, u, sess, now, ctx := f.s, f.pool, f.u, f.sess, f.now, context.Background()

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

// fixture is a store over a database of its own holding one user with one
// hour-long session and its refresh token.
type fixture struct {
	pool    *pgxpool.Pool
	s       *postgres.IdentityStore
	u       user.User
	sess    session.Session
	refresh session.Hash
	now     time.Time
}

func newFixture(t *testing.T, name string) fixture {
	t.Helper()
	f := fixture{now: dbNow()}
	f.s, f.pool = identityStore(t)
	f.u, f.sess, f.refresh = createUser(t, f.s, name, f.now)
	return f
}

// live is the store's answer for a session of the fixture's user at now.
func (f fixture) live(t *testing.T, id uuid.UUID) bool {
	t.Helper()
	ok, err := f.s.SessionLive(context.Background(), id, f.u.ID, f.now)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// holdCommits makes every transaction that changes a session wait, at its
// COMMIT (a deferred constraint trigger), until release is called: the
// change is made but not yet visible, and its notification not yet sent.
func holdCommits(t *testing.T, pool *pgxpool.Pool) (waiting func() bool, release func()) {
	t.Helper()
	ctx := context.Background()
	for _, stmt := range []string{
		`CREATE FUNCTION test_hold_commit() RETURNS trigger LANGUAGE plpgsql AS $$
		 BEGIN PERFORM pg_advisory_xact_lock(4242); RETURN NULL; END $$`,
		`CREATE CONSTRAINT TRIGGER test_hold_commit AFTER UPDATE OR DELETE ON sessions
		 DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_hold_commit()`,
	} {
		if _, err := pool.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	holder, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := holder.Exec(ctx, `SELECT pg_advisory_lock(4242)`); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			if _, err := holder.Exec(ctx, `SELECT pg_advisory_unlock(4242)`); err != nil {
				t.Error(err)
			}
			holder.Release()
		})
	}
	t.Cleanup(release)
	waiting = func() bool {
		var n int
		err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_locks
			WHERE locktype = 'advisory' AND objid = 4242 AND NOT granted
			  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		return n > 0
	}
	return waiting, release
}

// The replica that revokes a session must not answer "live" for it once the
// revoking call has returned, whatever its listener has heard yet (docs:
// "the replica that made the change also forgets at once, before
// answering"). A check that runs while the revocation commits reads the
// session as still live; the revoking path must forget it after its COMMIT,
// so that this check is not remembered past it. Here the notification never
// arrives (PretendListening): what the replica answers right after the call
// returned is what it answers until the notification comes back.
func TestSessionCacheForgetsAfterTheRevocationCommits(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		revoke func(ctx context.Context, s *postgres.IdentityStore, u user.User, sess session.Session, refresh session.Hash, now time.Time) error
	}{
		{"logout", func(ctx context.Context, s *postgres.IdentityStore, _ user.User, _ session.Session, refresh session.Hash, now time.Time) error {
			return s.RevokeSessionOf(ctx, refresh, now)
		}},
		{"password change", func(ctx context.Context, s *postgres.IdentityStore, u user.User, _ session.Session, _ session.Hash, now time.Time) error {
			return s.ChangePassword(ctx, u.ID, "new-hash", uuid.Nil, now)
		}},
		{"account deletion", func(ctx context.Context, s *postgres.IdentityStore, u user.User, _ session.Session, _ session.Hash, _ time.Time) error {
			return s.DeleteUser(ctx, u.ID)
		}},
		{"refresh-token reuse", func(ctx context.Context, s *postgres.IdentityStore, _ user.User, _ session.Session, refresh session.Hash, now time.Time) error {
			_, err := s.Refresh(ctx, refresh, func(session.RefreshToken, session.Session) (identity.RefreshPlan, error) {
				return identity.RefreshPlan{Revoke: true, Now: now}, session.ErrRefreshReused
			})
			if errors.Is(err, session.ErrRefreshReused) {
				return nil
			}
			return err
		}},
		{"password reset", func(ctx context.Context, s *postgres.IdentityStore, u user.User, _ session.Session, _ session.Hash, now time.Time) error {
			_, h, err := session.NewSecret(rand.Reader)
			if err != nil {
				return err
			}
			if err := s.CreateOneTimeToken(ctx, session.NewOneTimeToken(h, u.ID, session.PasswordReset, now)); err != nil {
				return err
			}
			return s.ResetPassword(ctx, h, "new-hash", now)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, "dave")
			ctx := context.Background()
			f.s.SessionCache().PretendListening(t)
			waiting, release := holdCommits(t, f.pool)

			done := make(chan error, 1)
			go func() { done <- c.revoke(ctx, f.s, f.u, f.sess, f.refresh, f.now) }()
			for !waiting() {
				select {
				case err := <-done:
					t.Fatalf("the revocation returned without committing through the hold: %v", err)
				case <-time.After(time.Millisecond):
				}
			}
			// The revocation is made and is committing: a check now still
			// reads the session as live (the database's answer, too).
			if !f.live(t, f.sess.ID) {
				t.Fatal("not live during the commit")
			}
			release()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			var inDB bool
			if err := f.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM sessions WHERE id = $1 AND revoked_at IS NULL)`, f.sess.ID).Scan(&inDB); err != nil {
				t.Fatal(err)
			}
			if inDB {
				t.Fatal("the revocation did not revoke")
			}
			if f.live(t, f.sess.ID) {
				t.Fatalf("after the %s returned, this replica still answers live (from its cache: hits %d)",
					c.name, f.s.SessionCache().Hits())
			}
		})
	}
}

// The cache is bounded (10,000 sessions), and an entry leaves it only when a
// notification names it or the listener reconnects. A session that simply
// expires is never named (nothing revokes it; the purge of ended sessions
// notifies nothing), so expired entries stay: once 10,000 sessions have been
// seen, which any long-running replica reaches, nothing more is remembered
// and every request is checked in the database again, for good. The same
// 10,000 logins by one user (live ones) do it on purpose.
func TestSessionCacheKeepsServingAfterManySessionsExpired(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "erin") // its session expires in an hour
	pool, s, u, fresh, now, ctx := f.pool, f.s, f.u, f.sess, f.now, context.Background()
	const many = 10_000
	rows, err := pool.Query(ctx, `INSERT INTO sessions (id, user_id, expires_at)
		SELECT gen_random_uuid(), $1, $2 FROM generate_series(1, $3) RETURNING id`, u.ID, now.Add(time.Minute), many)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		t.Fatal(err)
	}
	c := listening(t, s)
	drops := c.Drops()
	// Every short session is used once, while it is live.
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, id := range ids[w*many/4 : (w+1)*many/4] {
				if live, err := s.SessionLive(ctx, id, u.ID, now); !live || err != nil {
					t.Errorf("live = %v, %v", live, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	// Two minutes later all of them have expired; the user's hour-long
	// session is checked twice: the second check must come from memory.
	later := now.Add(2 * time.Minute)
	for range 2 {
		if live, err := s.SessionLive(ctx, fresh.ID, u.ID, later); !live || err != nil {
			t.Fatalf("live = %v, %v", live, err)
		}
	}
	hits := c.Hits()
	if live, err := s.SessionLive(ctx, fresh.ID, u.ID, later); !live || err != nil {
		t.Fatalf("live = %v, %v", live, err)
	}
	if c.Drops() != drops {
		t.Skip("the listener dropped meanwhile (the cache was emptied or not trusted): inconclusive")
	}
	if c.Hits() == hits {
		t.Fatalf("a live session is no longer remembered: the cache is full of %d expired sessions", many)
	}
}

// TRUNCATE ends every session at once (an operator's "log everybody out", or
// TRUNCATE users CASCADE) and fires no row trigger: no notification, so
// every replica keeps serving what it remembered. The later revocation of
// another session is the barrier: notifications arrive in commit order, so
// once it is heard, anything the TRUNCATE sent would have been too.
func TestSessionCacheHearsTruncate(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "frank")
	ctx := context.Background()
	c := listening(t, f.s)
	for range 2 {
		if !f.live(t, f.sess.ID) {
			t.Fatal("a live session was not live")
		}
	}
	if _, err := f.pool.Exec(ctx, `TRUNCATE sessions CASCADE`); err != nil {
		t.Fatal(err)
	}
	barrier := session.New(uuid.Must(uuid.NewV7()), f.u.ID, f.now, time.Hour)
	if _, err := f.pool.Exec(ctx, `INSERT INTO sessions (id, user_id, expires_at) VALUES ($1, $2, $3)`,
		barrier.ID, f.u.ID, barrier.ExpiresAt); err != nil {
		t.Fatal(err)
	}
	// Remembered, so that only its notification ends it below. A check that
	// races the TRUNCATE's own notification is not remembered: try again.
	for try := 1; ; try++ {
		f.live(t, barrier.ID)
		if hits := c.Hits(); f.live(t, barrier.ID) && c.Hits() > hits {
			break
		}
		if try == 100 {
			t.Fatal("the barrier session was never served from memory")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := f.pool.Exec(ctx, `UPDATE sessions SET revoked_at = now() WHERE id = $1`, barrier.ID); err != nil {
		t.Fatal(err)
	}
	for start := time.Now(); f.live(t, barrier.ID); time.Sleep(time.Millisecond) {
		if time.Since(start) > 10*time.Second {
			t.Fatal("the barrier's revocation was not heard within 10 s")
		}
	}
	if f.live(t, f.sess.ID) {
		t.Fatal("a session TRUNCATEd away is still live from the cache")
	}
}
