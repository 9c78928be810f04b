package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"agora/adapters/postgres/internal/db"
	"agora/domain/errs"
	"agora/ports"
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
	socialOnePendingPerPair = "connection_requests_one_pending_per_pair"
	socialTransition        = "connection_requests_transition"
	socialConnectionsPKey   = "connections_pkey"
)

// socialErr translates a driver error, giving the social constraints their
// meaning: a second pending request, a forbidden transition or a duplicate
// connection all clash with the current state.
func socialErr(err error) error {
	if err == nil {
		return nil
	}
	switch constraintOf(err) {
	case socialOnePendingPerPair:
		return errs.Wrap(errs.ErrConflict, "A pending request between these users exists.", err)
	case socialTransition:
		return errs.Wrap(errs.ErrConflict, "The connection request is no longer pending.", err)
	case socialConnectionsPKey:
		return errs.Wrap(errs.ErrConflict, "You are already connected.", err)
	}
	var e *errs.Error
	if errors.As(err, &e) {
		return err // already a domain error (from a decide or change function)
	}
	return translate(err)
}

// The start of a newest-first list is a position after every row, so that
// every list query is a plain keyset range (no OR on a missing cursor, which
// would keep the planner from using the position as an index bound).
var socialListStart = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

func socialPosition(p ports.PageRequest) (time.Time, uuid.UUID) {
	if p.After == nil {
		return socialListStart, uuid.Max
	}
	return p.After.Time, p.After.ID
}

// socialMaxRows asks for one row more than the page, to know whether there
// is a next page (ports.PageOf).
func socialMaxRows(p ports.PageRequest) int32 {
	return int32(p.Size() + 1) //nolint:gosec // at most ports.MaxLimit+1
}

func socialTx(ctx context.Context, s *SocialStore, fn func(q *db.Queries) error) error {
	return withinTx(ctx, s.pool, pgx.TxOptions{}, func(tx pgx.Tx) error { return fn(s.q.WithTx(tx)) })
}

func socialUTCPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// readPage runs one keyset page query among the lag-tolerant reads and maps
// its rows (fetched with one extra, see socialMaxRows) to a page of values.
func readPage[R, V any](ctx context.Context, s *SocialStore, page ports.PageRequest,
	fetch func(q *db.Queries, before time.Time, beforeID uuid.UUID, maxRows int32) ([]R, error),
	toValue func(R) V, cursor func(V) ports.Cursor,
) (ports.Page[V], error) {
	t, id := socialPosition(page)
	var rows []R
	err := s.reads.run(ctx, func(q *db.Queries) (err error) {
		rows, err = fetch(q, t, id, socialMaxRows(page))
		return err
	})
	if err != nil {
		return ports.Page[V]{}, socialErr(err)
	}
	out := make([]V, 0, len(rows))
	for _, r := range rows {
		out = append(out, toValue(r))
	}
	return ports.PageOf(out, page.Size(), cursor), nil
}
