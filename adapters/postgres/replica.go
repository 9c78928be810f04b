package postgres

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

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
	usable  func() bool // nil: the replica is always worth trying
}

// run calls fn with the replica's queries, or the primary's when there is no
// replica or the replica is unavailable, so a lost replica degrades to
// extra load on the primary rather than to errors.
func (r reads) run(ctx context.Context, fn func(q *db.Queries) error) error {
	if r.replica != nil && (r.usable == nil || r.usable()) {
		err := fn(r.replica)
		if err == nil || !errors.Is(translate(err), errs.ErrUnavailable) || ctx.Err() != nil {
			return err
		}
	}
	return fn(r.primary)
}

// WithReadReplica sends the social store's lag-tolerant reads to a replica
// while usable (e.g. ReplicaLag.Usable; nil: always) says so.
func (s *SocialStore) WithReadReplica(replica *pgxpool.Pool, usable func() bool) *SocialStore {
	s.reads.replica, s.reads.usable = db.New(replica), usable
	return s
}

// WithReadReplica sends user search to a replica while usable says so.
func (s *IdentityStore) WithReadReplica(replica *pgxpool.Pool, usable func() bool) *IdentityStore {
	s.reads.replica, s.reads.usable = db.New(replica), usable
	return s
}

// ReplicaLag watches how far a streaming replica's replay is behind the
// primary, so that reads go there only while it is close enough. An
// unreachable replica counts as too far behind.
type ReplicaLag struct {
	pool   *pgxpool.Pool
	maxLag time.Duration
	lag    atomic.Int64 // nanoseconds behind; -1 when unknown or unreachable
}

// NewReplicaLag watches pool's server; reads use it while its lag is at most maxLag.
func NewReplicaLag(pool *pgxpool.Pool, maxLag time.Duration) *ReplicaLag {
	l := &ReplicaLag{pool: pool, maxLag: maxLag}
	l.lag.Store(-1)
	return l
}

// replicaLagQuery is 0 while everything received is replayed (an idle
// primary sends nothing, and the last replay time would look old), else the
// age of the last replayed transaction.
const replicaLagQuery = `SELECT CASE
  WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
  ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)
END::float8`

// Check measures the lag once.
func (l *ReplicaLag) Check(ctx context.Context) error {
	var seconds float64
	if err := l.pool.QueryRow(ctx, replicaLagQuery).Scan(&seconds); err != nil {
		l.lag.Store(-1)
		return translate(err)
	}
	l.lag.Store(int64(seconds * float64(time.Second)))
	return nil
}

// Run measures the lag every interval until ctx ends.
func (l *ReplicaLag) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		checkCtx, cancel := context.WithTimeout(ctx, every)
		_ = l.Check(checkCtx) // a failure marks the replica unusable until it answers again
		cancel()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Usable reports whether reads may go to the replica now.
func (l *ReplicaLag) Usable() bool {
	v := l.lag.Load()
	return v >= 0 && time.Duration(v) <= l.maxLag
}

// Seconds is the last measured lag, or -1 when the replica did not answer.
func (l *ReplicaLag) Seconds() float64 {
	v := l.lag.Load()
	if v < 0 {
		return -1
	}
	return time.Duration(v).Seconds()
}
