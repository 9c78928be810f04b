package postgres

import (
	"github.com/jackc/pgx/v5/pgxpool"

	"agora/adapters/postgres/internal/db"
	"agora/ports/identity"
)

// IdentityStore keeps users, sessions, refresh tokens and emailed tokens.
// It implements identity.Store, one file per interface that embeds (as the
// social store does): identity_users.go, identity_directory.go,
// identity_sessions.go (SessionLive asks the cache in sessions.go),
// identity_tokens.go and identity_purge.go.
type IdentityStore struct {
	pool     *pgxpool.Pool
	q        *db.Queries
	reads    reads
	sessions *SessionCache
}

var _ identity.Store = (*IdentityStore)(nil)

// NewIdentityStore returns the store over the pool. Its session checks go
// to the database until the cache's listener runs (SessionCache().Listen).
func NewIdentityStore(pool *pgxpool.Pool) *IdentityStore {
	q := db.New(pool)
	return &IdentityStore{pool: pool, q: q, reads: reads{primary: q}, sessions: newSessionCache(q, pool.Config().ConnConfig)}
}

// SessionCache is the store's cache of live sessions.
func (s *IdentityStore) SessionCache() *SessionCache { return s.sessions }
