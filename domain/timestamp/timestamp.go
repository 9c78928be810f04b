// Package timestamp holds the one rule for the instants the domain makes and
// the database stores: UTC, cut to microseconds (PostgreSQL's precision), so
// that what a write answers equals what a later read returns. Every area
// (posts, connections, blocks, sessions) uses this one helper.
package timestamp

import "time"

// Of is t as the database keeps it: in UTC, to the microsecond.
func Of(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
