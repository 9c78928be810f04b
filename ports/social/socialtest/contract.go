// Package socialtest holds the test doubles of the social ports: MemStore,
// an in-memory social.Store that the service and HTTP tests use, and the
// contract every store must keep (RunStoreContract, one suite per store
// interface), run against MemStore and against the PostgreSQL adapter so
// that the fake cannot drift from the real thing.
package socialtest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"agora/domain/connection"
	"agora/domain/errs"
	"agora/domain/errs/errstest"
	"agora/domain/post"
	"agora/domain/session"
	"agora/domain/user"
	"agora/ports"
	"agora/ports/social"
)

// Harness is one fresh, empty store with the means to seed what the social
// stores do not own (accounts, sessions).
type Harness struct {
	Store social.Store
	// AddUser stores an account and returns it.
	AddUser func(t *testing.T, a user.User) user.User
	// AddSession stores a session (of s.UserID).
	AddSession func(t *testing.T, s session.Session)
	// DeleteUser deletes an account (and, by cascade, everything of theirs).
	DeleteUser func(t *testing.T, id uuid.UUID)
}

// Open makes a fresh harness (one store interface's suite shares it).
type Open func(t *testing.T) Harness

// RunStoreContract runs the suite of every store interface; open makes a
// fresh harness per suite.
func RunStoreContract(t *testing.T, open Open) {
	t.Run("ProfileStore", func(t *testing.T) { t.Parallel(); RunProfileStore(t, open) })
	t.Run("PostStore", func(t *testing.T) { t.Parallel(); RunPostStore(t, open) })
	t.Run("ConnectionStore", func(t *testing.T) { t.Parallel(); RunConnectionStore(t, open) })
	t.Run("BlockStore", func(t *testing.T) { t.Parallel(); RunBlockStore(t, open) })
	t.Run("ExportStore", func(t *testing.T) { t.Parallel(); RunExportStore(t, open) })
}

var (
	ctx   = context.Background()
	t0    = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	seq   atomic.Int64
	clock atomic.Int64
)

// tick returns a fresh, strictly increasing time (microsecond precision).
func tick() time.Time { return t0.Add(time.Duration(clock.Add(1)) * time.Millisecond) }

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// account adds an account with a unique name built from prefix.
func account(t *testing.T, h Harness, prefix string) user.User {
	t.Helper()
	name := fmt.Sprintf("%s_%d", prefix, seq.Add(1))
	return h.AddUser(t, user.User{
		ID: newID(), Username: user.Username(name), Email: user.Email(name + "@example.com"), DisplayName: "Display " + name,
		Headline: "head " + name, Bio: "bio", CreatedAt: tick(), UpdatedAt: tick(),
	})
}

// wantHiddenBothWays checks that a lookup by each of a and b of the other
// is not found (as after a block, whoever made it).
func wantHiddenBothWays(t *testing.T, a, b user.User, find func(viewer, target user.User) error) {
	t.Helper()
	errstest.WantKind(t, find(a, b), errs.ErrNotFound)
	errstest.WantKind(t, find(b, a), errs.ErrNotFound)
}

// connect makes a and b connected through a request and its acceptance.
func connect(t *testing.T, s social.Store, a, b uuid.UUID) time.Time {
	t.Helper()
	r := send(t, s, a, b)
	at := tick()
	v, err := s.UpdateRequest(ctx, r.ID, func(r connection.Request) (connection.Request, error) { return r.Accept(b, at) })
	errstest.Must(t, err)
	if v.Status != connection.Accepted {
		t.Fatalf("accept: %+v", v)
	}
	return at
}

// connectAll connects from with each of to, from sending every request.
func connectAll(t *testing.T, s social.Store, from uuid.UUID, to ...uuid.UUID) {
	t.Helper()
	for _, id := range to {
		connect(t, s, from, id)
	}
}

func send(t *testing.T, s social.Store, from, to uuid.UUID) social.RequestView {
	t.Helper()
	v, err := s.SendRequest(ctx, from, to, func(p connection.Pair) (connection.Outcome, error) {
		return connection.Send(newID(), from, to, "hello", p, tick())
	})
	errstest.Must(t, err)
	return v
}

func writePost(t *testing.T, s social.Store, author uuid.UUID, vis post.Visibility, at time.Time) social.PostView {
	t.Helper()
	v, err := s.CreatePost(ctx, post.New(newID(), author, post.Draft{Body: "body " + at.String(), Visibility: vis}, at))
	errstest.Must(t, err)
	return v
}

// collect pages through a list with the given page size.
func collect[T any](t *testing.T, limit int, list func(ports.PageRequest) (ports.Page[T], error)) []T {
	t.Helper()
	var all []T
	var after *ports.Cursor
	for i := 0; i < 1000; i++ {
		p, err := list(ports.PageRequest{Limit: limit, After: after})
		errstest.Must(t, err)
		if len(p.Items) > limit {
			t.Fatalf("page of %d items, limit %d", len(p.Items), limit)
		}
		all = append(all, p.Items...)
		if p.Next == nil {
			return all
		}
		after = p.Next
	}
	t.Fatal("paging does not end")
	return nil
}

func ids[T any](items []T, id func(T) uuid.UUID) []uuid.UUID {
	out := make([]uuid.UUID, 0, len(items))
	for _, it := range items {
		out = append(out, id(it))
	}
	return out
}

func sameIDs(t *testing.T, what string, got, want []uuid.UUID) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s:\n got %v\nwant %v", what, got, want)
	}
}

func postID(v social.PostView) uuid.UUID       { return v.ID }
func connUser(c social.Connection) uuid.UUID   { return c.User.ID }
func requestID(r social.RequestView) uuid.UUID { return r.ID }
func blockedUser(b social.Blocked) uuid.UUID   { return b.User.ID }
func summaryID(u user.Summary) uuid.UUID       { return u.ID }

func pageOf(limit int) ports.PageRequest { return ports.PageRequest{Limit: limit} }
