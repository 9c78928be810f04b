package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"

	"agora/adapters/postgres/internal/db"
	"agora/ports"
)

// listStart is the position of the first page of every list: after every
// row of a newest-first list (a time no row has, the largest id) and before
// every row of a list ordered by a name (the empty key). Every list query
// is then a plain keyset range, with no OR on a missing cursor, which would
// keep the planner from using the position as an index bound.
var listStart = ports.Cursor{Time: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), ID: uuid.Max}

// readPage reads one keyset page of any list through r (the lag-tolerant
// reads; reads{primary: q} for a list that must show the latest writes).
// fetch runs the list query from the position after (listStart on the first
// page) for at most maxRows rows: one more than the page holds, so that
// ports.PageOf knows whether there is a next page without a count. Each row
// becomes a value by toValue; cursor names a value's position in the list.
func readPage[R, V any](ctx context.Context, r reads, page ports.PageRequest,
	fetch func(q *db.Queries, after ports.Cursor, maxRows int32) ([]R, error),
	toValue func(R) V, cursor func(V) ports.Cursor,
) (ports.Page[V], error) {
	after := listStart
	if page.After != nil {
		after = *page.After
	}
	maxRows := int32(page.Size() + 1) //nolint:gosec // at most ports.MaxLimit+1
	var rows []R
	err := r.run(ctx, func(q *db.Queries) (err error) {
		rows, err = fetch(q, after, maxRows)
		return err
	})
	if err != nil {
		return ports.Page[V]{}, translate(err)
	}
	return ports.PageOf(mapRows(rows, toValue), page.Size(), cursor), nil
}

// mapRows maps query rows to values; the result is never nil, so an empty
// list stays a list.
func mapRows[R, V any](rows []R, toValue func(R) V) []V {
	out := make([]V, 0, len(rows))
	for _, row := range rows {
		out = append(out, toValue(row))
	}
	return out
}
