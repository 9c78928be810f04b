// Package ports holds what every area's boundary shares: how a list is asked
// for and answered (keyset pagination). Each area's use cases and the
// interfaces they need live in ports/<area>.
package ports

import (
	"time"

	"github.com/google/uuid"
)

// Cursor is a position in a list ordered by (Time, ID) descending, or by
// (Key, ID) ascending for lists ordered by a name. Clients see it only as an
// opaque string; the HTTP adapter encodes it.
type Cursor struct {
	Time time.Time
	Key  string
	ID   uuid.UUID
}

// PageRequest asks for at most Limit items after the cursor (nil: from the start).
type PageRequest struct {
	Limit int
	After *Cursor
}

// MaxLimit bounds every page a store returns, whatever Limit says (the HTTP
// adapter allows 1-100), so that no caller can ask for a whole table.
const MaxLimit = 1000

// Size is the limit held to 1..MaxLimit: how many items the page holds at
// most. A store fetches Size()+1 rows and trims them with PageOf.
func (p PageRequest) Size() int { return min(max(p.Limit, 1), MaxLimit) }

// Page is one page of a list; Next is nil on the last page.
type Page[T any] struct {
	Items []T
	Next  *Cursor
}

// MapPage maps the items of a page, keeping its next cursor.
func MapPage[T, U any](p Page[T], f func(T) U) Page[U] {
	out := Page[U]{Items: make([]U, 0, len(p.Items)), Next: p.Next}
	for _, it := range p.Items {
		out.Items = append(out.Items, f(it))
	}
	return out
}

// PageOf trims a result fetched with Limit+1 rows to Limit and derives the
// next cursor from the last kept item, so no extra count query is needed.
func PageOf[T any](rows []T, limit int, cursorOf func(T) Cursor) Page[T] {
	if len(rows) <= limit {
		return Page[T]{Items: rows}
	}
	rows = rows[:limit]
	next := cursorOf(rows[len(rows)-1])
	return Page[T]{Items: rows, Next: &next}
}
