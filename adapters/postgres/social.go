package postgres

import (
	"github.com/jackc/pgx/v5/pgxpool"

	"agora/adapters/postgres/internal/db"
	"agora/domain/connection"
	"agora/domain/errs"
	"agora/ports/social"
)

// SocialStore keeps posts, connection requests, connections and blocks, and
// reads profiles and the data export. It implements social.Store.
type SocialStore struct {
	pool  *pgxpool.Pool
	q     *db.Queries
	reads reads
}

var _ social.Store = (*SocialStore)(nil)

// NewSocialStore returns the store over the pool.
func NewSocialStore(pool *pgxpool.Pool) *SocialStore {
	q := db.New(pool)
	return &SocialStore{pool: pool, q: q, reads: reads{primary: q}}
}

// The constraints whose violation has a meaning of its own.
const (
	constraintOnePendingPerPair = "connection_requests_one_pending_per_pair"
	constraintTransition        = "connection_requests_transition"
	constraintConnectionsPKey   = "connections_pkey"
)

// socialErr translates a driver error, giving the social constraints their
// meaning: a second pending request, a forbidden transition or a duplicate
// connection all clash with the current state.
func socialErr(err error) error {
	if err == nil {
		return nil
	}
	switch constraintOf(err) {
	case constraintOnePendingPerPair:
		return errs.WithCause(connection.ErrPendingExists, err)
	case constraintTransition:
		return errs.WithCause(connection.ErrNotPending, err)
	case constraintConnectionsPKey:
		return errs.WithCause(connection.ErrAlreadyConnected, err)
	}
	return translate(err) // a domain error (from a decide or change function) passes as it is
}
