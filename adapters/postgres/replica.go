package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5/pgxpool"

	"agora/adapters/postgres/internal/db"
	"agora/domain/errs"
)

// reads runs the reads that tolerate replica lag (feeds, lists, profiles,
// search) on a streaming replica when one is configured, and everything
// else on the primary. A request that writes never reads its own write
// back through here: writes return what they wrote from the primary.
type reads struct {
	primary *db.Queries
	replica *db.Queries // nil: no replica, reads go to the primary
}

// run calls fn with the replica's queries, or the primary's when there is no
// replica or the replica is unavailable, so a lost replica degrades to
// extra load on the primary rather than to errors.
func (r reads) run(ctx context.Context, fn func(q *db.Queries) error) error {
	if r.replica != nil {
		err := fn(r.replica)
		if err == nil || !errors.Is(translate(err), errs.ErrUnavailable) || ctx.Err() != nil {
			return err
		}
	}
	return fn(r.primary)
}

// WithReadReplica sends the social store's lag-tolerant reads to a replica.
func (s *SocialStore) WithReadReplica(replica *pgxpool.Pool) *SocialStore {
	s.reads.replica = db.New(replica)
	return s
}

// WithReadReplica sends user search to a replica.
func (s *IdentityStore) WithReadReplica(replica *pgxpool.Pool) *IdentityStore {
	s.reads.replica = db.New(replica)
	return s
}
