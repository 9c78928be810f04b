package postgres_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"agora/adapters/postgres"
	"agora/adapters/postgres/pgtest"
	"agora/domain/session"
	"agora/domain/user"
	"agora/ports/identity/identitytest"
)

// openPool opens a pool on a fresh database of the test's own, closed when
// the test ends.
func openPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := postgres.Open(context.Background(), pgtest.NewDatabase(t), postgres.PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// identityStore is an identity store on a fresh database, with its pool for
// statements behind the store's back.
func identityStore(t testing.TB) (*postgres.IdentityStore, *pgxpool.Pool) {
	t.Helper()
	pool := openPool(t)
	return postgres.NewIdentityStore(pool), pool
}

// dbNow is the current time at PostgreSQL's precision, so that what a test
// writes compares equal to what it reads back.
func dbNow() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// createUser registers a user named name at now, with a session of an hour,
// and returns the user, the session and its refresh token's hash.
func createUser(t testing.TB, s *postgres.IdentityStore, name string, now time.Time) (user.User, session.Session, session.Hash) {
	t.Helper()
	u := identitytest.NewUser(name, now)
	sess := session.New(uuid.Must(uuid.NewV7()), u.ID, now, time.Hour)
	_, h, err := session.NewSecret(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(context.Background(), u, sess, session.NewRefreshToken(h, sess, now)); err != nil {
		t.Fatal(err)
	}
	return u, sess, h
}
