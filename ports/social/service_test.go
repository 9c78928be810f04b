package social_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"agora/domain/connection"
	"agora/domain/errs"
	"agora/domain/post"
	"agora/domain/user"
	"agora/ports"
	"agora/ports/social"
	"agora/ports/social/socialfake"
)

var ctx = context.Background()

type metrics struct {
	mu       sync.Mutex
	posts    int
	outcomes []string
}

func (e *metrics) PostCreated() { e.mu.Lock(); e.posts++; e.mu.Unlock() }
func (e *metrics) ConnectionRequest(o string) {
	e.mu.Lock()
	e.outcomes = append(e.outcomes, o)
	e.mu.Unlock()
}

type fixture struct {
	svc     *social.Service
	store   *socialfake.Store
	metrics *metrics
	now     time.Time
	n       int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{store: socialfake.New(), metrics: &metrics{}, now: time.Date(2025, 5, 1, 8, 0, 0, 0, time.UTC)}
	var mu sync.Mutex
	svc, err := social.New(social.Deps{
		Store:   f.store,
		Metrics: f.metrics,
		Clock: func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			f.now = f.now.Add(time.Second)
			return f.now
		},
	})
	mustOK(t, err)
	f.svc = svc
	return f
}

func (f *fixture) user(name string) user.User {
	f.n++
	a := user.User{ID: uuid.Must(uuid.NewV7()), Username: user.Username(name), Email: user.Email(name + "@x.org"), DisplayName: strings.ToUpper(name),
		CreatedAt: f.now, UpdatedAt: f.now}
	f.store.AddUser(a)
	return a
}

func (f *fixture) connect(t *testing.T, a, b user.User) {
	t.Helper()
	r, err := f.svc.SendRequest(ctx, a.ID, string(b.Username), "")
	mustOK(t, err)
	_, err = f.svc.AcceptRequest(ctx, b.ID, r.ID)
	mustOK(t, err)
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantKind(t *testing.T, err, kind error) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("err = %v, want %v", err, kind)
	}
}

func ptr(s string) *string { return &s }

func TestPosts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ada, bob, cy := f.user("ada"), f.user("bob"), f.user("cyd")
	f.connect(t, ada, bob)

	_, err := f.svc.CreatePost(ctx, ada.ID, "  ", ptr("nope"))
	wantKind(t, err, errs.ErrInvalid)
	if len(errs.FieldsOf(err)) != 2 {
		t.Fatalf("fields: %v", err)
	}
	pub, err := f.svc.CreatePost(ctx, ada.ID, "hello", nil)
	mustOK(t, err)
	priv, err := f.svc.CreatePost(ctx, ada.ID, "friends only", ptr("connections"))
	mustOK(t, err)
	if pub.Visibility != post.Public || priv.Visibility != post.Connections || pub.Author.Username != "ada" || f.metrics.posts != 2 {
		t.Fatalf("created: %+v %+v (events %d)", pub, priv, f.metrics.posts)
	}

	for _, tc := range []struct {
		viewer user.User
		id     uuid.UUID
		err    error
	}{
		{ada, priv.ID, nil}, {bob, priv.ID, nil}, {cy, pub.ID, nil},
		{cy, priv.ID, errs.ErrNotFound}, {cy, uuid.New(), errs.ErrNotFound},
	} {
		_, err := f.svc.GetPost(ctx, tc.viewer.ID, tc.id)
		if tc.err == nil {
			mustOK(t, err)
		} else {
			wantKind(t, err, tc.err)
		}
	}
	// Invisible and absent say the same thing.
	_, e1 := f.svc.GetPost(ctx, cy.ID, priv.ID)
	_, e2 := f.svc.GetPost(ctx, cy.ID, uuid.New())
	if e1.Error() != e2.Error() {
		t.Fatalf("invisible %q vs absent %q", e1, e2)
	}

	_, err = f.svc.UpdatePost(ctx, bob.ID, pub.ID, ptr("mine now"), nil)
	wantKind(t, err, errs.ErrForbidden)
	_, err = f.svc.UpdatePost(ctx, cy.ID, priv.ID, ptr("mine now"), nil)
	wantKind(t, err, errs.ErrNotFound)
	_, err = f.svc.UpdatePost(ctx, ada.ID, pub.ID, ptr(""), nil)
	wantKind(t, err, errs.ErrInvalid)
	up, err := f.svc.UpdatePost(ctx, ada.ID, pub.ID, nil, ptr("connections"))
	mustOK(t, err)
	if up.Body != "hello" || up.Visibility != post.Connections || !up.UpdatedAt.After(pub.UpdatedAt) || !up.CreatedAt.Equal(pub.CreatedAt) {
		t.Fatalf("updated: %+v", up)
	}
	_, err = f.svc.GetPost(ctx, cy.ID, pub.ID)
	wantKind(t, err, errs.ErrNotFound)

	wantKind(t, f.svc.DeletePost(ctx, bob.ID, pub.ID), errs.ErrForbidden)
	wantKind(t, f.svc.DeletePost(ctx, cy.ID, pub.ID), errs.ErrNotFound)
	mustOK(t, f.svc.DeletePost(ctx, ada.ID, pub.ID))
	wantKind(t, f.svc.DeletePost(ctx, ada.ID, pub.ID), errs.ErrNotFound)

	// Blocked: every post is invisible, both ways.
	mustOK(t, f.svc.Block(ctx, bob.ID, string(ada.Username)))
	_, err = f.svc.GetPost(ctx, bob.ID, priv.ID)
	wantKind(t, err, errs.ErrNotFound)
	own, err := f.svc.CreatePost(ctx, bob.ID, "bob's", nil)
	mustOK(t, err)
	_, err = f.svc.GetPost(ctx, ada.ID, own.ID)
	wantKind(t, err, errs.ErrNotFound)
	wantKind(t, f.svc.DeletePost(ctx, ada.ID, own.ID), errs.ErrNotFound)
}

func TestListsOfPosts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ada, bob, cy := f.user("ada"), f.user("bob"), f.user("cyd")
	f.connect(t, ada, bob)
	for i := 0; i < 3; i++ {
		_, err := f.svc.CreatePost(ctx, ada.ID, fmt.Sprint("pub ", i), nil)
		mustOK(t, err)
		_, err = f.svc.CreatePost(ctx, ada.ID, fmt.Sprint("priv ", i), ptr("connections"))
		mustOK(t, err)
		_, err = f.svc.CreatePost(ctx, cy.ID, fmt.Sprint("cyd ", i), nil)
		mustOK(t, err)
	}
	page := ports.PageRequest{Limit: 100}
	count := func(viewer user.User, username string) int {
		t.Helper()
		p, err := f.svc.UserPosts(ctx, viewer.ID, username, page)
		mustOK(t, err)
		return len(p.Items)
	}
	if n := count(bob, "ADA"); n != 6 {
		t.Fatalf("bob sees %d of ada's posts", n)
	}
	if n := count(cy, "ada"); n != 3 {
		t.Fatalf("cy sees %d of ada's posts", n)
	}
	_, err := f.svc.UserPosts(ctx, cy.ID, "nobody", page)
	wantKind(t, err, errs.ErrNotFound)
	_, err = f.svc.UserPosts(ctx, cy.ID, "bad name!", page)
	wantKind(t, err, errs.ErrNotFound)
	feed, err := f.svc.Feed(ctx, bob.ID, page)
	mustOK(t, err)
	if len(feed.Items) != 6 {
		t.Fatalf("bob's feed: %d", len(feed.Items))
	}
	mustOK(t, f.svc.Block(ctx, ada.ID, string(cy.Username)))
	_, err = f.svc.UserPosts(ctx, cy.ID, "ada", page)
	wantKind(t, err, errs.ErrNotFound)
	_, err = f.svc.UserPosts(ctx, ada.ID, "cyd", page)
	wantKind(t, err, errs.ErrNotFound)
	mustOK(t, f.svc.Block(ctx, bob.ID, string(ada.Username)))
	feed, err = f.svc.Feed(ctx, bob.ID, page)
	mustOK(t, err)
	if len(feed.Items) != 0 {
		t.Fatalf("feed after block: %d", len(feed.Items))
	}
}

func TestRequestsAndConnections(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ada, bob, cy, dee := f.user("ada"), f.user("bob"), f.user("cyd"), f.user("dee")

	_, err := f.svc.SendRequest(ctx, ada.ID, "ada", "")
	wantKind(t, err, errs.ErrInvalid)
	_, err = f.svc.SendRequest(ctx, ada.ID, "no", "")
	wantKind(t, err, errs.ErrInvalid)
	_, err = f.svc.SendRequest(ctx, ada.ID, "nobody", "")
	wantKind(t, err, errs.ErrNotFound)
	_, err = f.svc.SendRequest(ctx, ada.ID, "bob", strings.Repeat("m", 301))
	wantKind(t, err, errs.ErrInvalid)

	r, err := f.svc.SendRequest(ctx, ada.ID, "BOB", "hi")
	mustOK(t, err)
	if r.Status != connection.Pending || r.Message != "hi" || r.From.ID != ada.ID || r.To.ID != bob.ID {
		t.Fatalf("sent: %+v", r)
	}
	_, err = f.svc.SendRequest(ctx, ada.ID, "bob", "")
	wantKind(t, err, errs.ErrConflict)

	in, err := f.svc.PendingRequests(ctx, bob.ID, social.Incoming, ports.PageRequest{Limit: 10})
	mustOK(t, err)
	if len(in.Items) != 1 || in.Items[0].ID != r.ID {
		t.Fatalf("incoming: %+v", in.Items)
	}
	_, err = f.svc.PendingRequests(ctx, bob.ID, "sideways", ports.PageRequest{Limit: 10})
	wantKind(t, err, errs.ErrBadRequest)

	// Only the recipient accepts or declines, only the sender withdraws;
	// anyone else gets not found.
	_, err = f.svc.AcceptRequest(ctx, ada.ID, r.ID)
	wantKind(t, err, errs.ErrNotFound)
	_, err = f.svc.DeclineRequest(ctx, cy.ID, r.ID)
	wantKind(t, err, errs.ErrNotFound)
	wantKind(t, f.svc.WithdrawRequest(ctx, bob.ID, r.ID), errs.ErrNotFound)
	_, err = f.svc.AcceptRequest(ctx, bob.ID, uuid.New())
	wantKind(t, err, errs.ErrNotFound)

	acc, err := f.svc.AcceptRequest(ctx, bob.ID, r.ID)
	mustOK(t, err)
	if acc.Status != connection.Accepted || acc.RespondedAt == nil {
		t.Fatalf("accepted: %+v", acc)
	}
	_, err = f.svc.DeclineRequest(ctx, bob.ID, r.ID)
	wantKind(t, err, errs.ErrConflict)
	wantKind(t, f.svc.WithdrawRequest(ctx, ada.ID, r.ID), errs.ErrConflict)
	_, err = f.svc.SendRequest(ctx, bob.ID, "ada", "")
	wantKind(t, err, errs.ErrConflict)

	// A request to someone who already asked you accepts theirs.
	r2, err := f.svc.SendRequest(ctx, cy.ID, "ada", "")
	mustOK(t, err)
	r3, err := f.svc.SendRequest(ctx, ada.ID, "cyd", "")
	mustOK(t, err)
	if r3.ID != r2.ID || r3.Status != connection.Accepted {
		t.Fatalf("crossing: %+v", r3)
	}
	// Decline and withdraw.
	r4, err := f.svc.SendRequest(ctx, dee.ID, "ada", "")
	mustOK(t, err)
	dec, err := f.svc.DeclineRequest(ctx, ada.ID, r4.ID)
	mustOK(t, err)
	if dec.Status != connection.Declined {
		t.Fatalf("declined: %+v", dec)
	}
	r5, err := f.svc.SendRequest(ctx, dee.ID, "ada", "again")
	mustOK(t, err)
	mustOK(t, f.svc.WithdrawRequest(ctx, dee.ID, r5.ID))
	want := []string{"sent", "accepted", "sent", "accepted", "sent", "declined", "sent", "withdrawn"}
	if fmt.Sprint(f.metrics.outcomes) != fmt.Sprint(want) {
		t.Fatalf("outcomes %v, want %v", f.metrics.outcomes, want)
	}

	// Profiles in all five states, and the counts.
	f.connect(t, bob, cy)
	_, err = f.svc.SendRequest(ctx, dee.ID, "bob", "")
	mustOK(t, err)
	for _, tc := range []struct {
		viewer         user.User
		target         string
		rel            connection.Relation
		count, mutuals int
	}{
		{ada, "ada", connection.Self, 2, 0},
		{ada, "bob", connection.Connected, 2, 1},
		{ada, "dee", connection.None, 0, 0},
		{dee, "bob", connection.PendingOutgoing, 2, 0},
		{bob, "dee", connection.PendingIncoming, 0, 0},
	} {
		p, err := f.svc.Profile(ctx, tc.viewer.ID, tc.target)
		mustOK(t, err)
		if p.Relation != tc.rel || p.ConnectionsCount != tc.count || p.MutualConnectionsCount != tc.mutuals {
			t.Errorf("%s → %s: %+v", tc.viewer.Username, tc.target, p)
		}
	}
	_, err = f.svc.Profile(ctx, ada.ID, "x")
	wantKind(t, err, errs.ErrNotFound)

	conns, err := f.svc.Connections(ctx, ada.ID, ports.PageRequest{Limit: 10})
	mustOK(t, err)
	if len(conns.Items) != 2 || conns.Items[0].User.ID != cy.ID {
		t.Fatalf("ada's connections: %+v", conns.Items)
	}
	theirs, err := f.svc.UserConnections(ctx, dee.ID, "ada", ports.PageRequest{Limit: 10})
	mustOK(t, err)
	if len(theirs.Items) != 2 {
		t.Fatalf("ada's connections seen by dee: %+v", theirs.Items)
	}
	mutual, err := f.svc.MutualConnections(ctx, ada.ID, "bob", ports.PageRequest{Limit: 10})
	mustOK(t, err)
	if len(mutual.Items) != 1 || mutual.Items[0].ID != cy.ID {
		t.Fatalf("mutual: %+v", mutual.Items)
	}
	self, err := f.svc.MutualConnections(ctx, ada.ID, "ada", ports.PageRequest{Limit: 10})
	mustOK(t, err)
	if len(self.Items) != 0 {
		t.Fatalf("mutual with oneself: %+v", self.Items)
	}
	mustOK(t, f.svc.RemoveConnection(ctx, bob.ID, "ada"))
	wantKind(t, f.svc.RemoveConnection(ctx, bob.ID, "ada"), errs.ErrNotFound)
	wantKind(t, f.svc.RemoveConnection(ctx, bob.ID, "nobody"), errs.ErrNotFound)
}

func TestBlocks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ada, bob, cy := f.user("ada"), f.user("bob"), f.user("cyd")
	f.connect(t, ada, bob)
	_, err := f.svc.SendRequest(ctx, cy.ID, "ada", "")
	mustOK(t, err)

	wantKind(t, f.svc.Block(ctx, ada.ID, "ada"), errs.ErrInvalid)
	wantKind(t, f.svc.Unblock(ctx, ada.ID, "ADA"), errs.ErrInvalid)
	wantKind(t, f.svc.Block(ctx, ada.ID, "nobody"), errs.ErrNotFound)
	wantKind(t, f.svc.Unblock(ctx, ada.ID, "nobody"), errs.ErrNotFound)
	mustOK(t, f.svc.Block(ctx, ada.ID, "bob"))
	mustOK(t, f.svc.Block(ctx, ada.ID, "bob"))
	mustOK(t, f.svc.Block(ctx, ada.ID, "cyd"))
	// The blocked can block back, and see nothing of the blocker.
	mustOK(t, f.svc.Block(ctx, bob.ID, "ada"))

	for _, who := range []user.User{ada, bob} {
		other := map[uuid.UUID]string{ada.ID: "bob", bob.ID: "ada"}[who.ID]
		_, err := f.svc.Profile(ctx, who.ID, other)
		wantKind(t, err, errs.ErrNotFound)
		_, err = f.svc.SendRequest(ctx, who.ID, other, "")
		wantKind(t, err, errs.ErrNotFound)
		_, err = f.svc.UserConnections(ctx, who.ID, other, ports.PageRequest{Limit: 10})
		wantKind(t, err, errs.ErrNotFound)
		_, err = f.svc.MutualConnections(ctx, who.ID, other, ports.PageRequest{Limit: 10})
		wantKind(t, err, errs.ErrNotFound)
		wantKind(t, f.svc.RemoveConnection(ctx, who.ID, other), errs.ErrNotFound)
	}
	in, err := f.svc.PendingRequests(ctx, ada.ID, social.Incoming, ports.PageRequest{Limit: 10})
	mustOK(t, err)
	if len(in.Items) != 0 {
		t.Fatalf("pending after block: %+v", in.Items)
	}
	list, err := f.svc.Blocks(ctx, ada.ID, ports.PageRequest{Limit: 10})
	mustOK(t, err)
	if len(list.Items) != 2 || list.Items[0].ID != cy.ID || list.Items[1].ID != bob.ID {
		t.Fatalf("blocks: %+v", list.Items)
	}
	mustOK(t, f.svc.Unblock(ctx, ada.ID, "bob"))
	mustOK(t, f.svc.Unblock(ctx, ada.ID, "bob"))
	_, err = f.svc.Profile(ctx, ada.ID, "bob") // bob still blocks ada
	wantKind(t, err, errs.ErrNotFound)
	mustOK(t, f.svc.Unblock(ctx, bob.ID, "ada"))
	p, err := f.svc.Profile(ctx, ada.ID, "bob")
	mustOK(t, err)
	if p.Relation != connection.None {
		t.Fatalf("connections do not come back: %+v", p)
	}
}

func TestExport(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ada, bob := f.user("ada"), f.user("bob")
	f.connect(t, ada, bob)
	_, err := f.svc.CreatePost(ctx, ada.ID, "hello", nil)
	mustOK(t, err)
	e, err := f.svc.Export(ctx, ada.ID)
	mustOK(t, err)
	if e.Account.ID != ada.ID || len(e.Posts) != 1 || len(e.Requests) != 1 || len(e.Connections) != 1 || e.ExportedAt.IsZero() {
		t.Fatalf("export: %+v", e)
	}
	_, err = f.svc.Export(ctx, uuid.New())
	wantKind(t, err, errs.ErrNotFound)
}

func TestNewNeedsAStore(t *testing.T) {
	t.Parallel()
	if _, err := social.New(social.Deps{}); err == nil {
		t.Fatal("a service without a store was built")
	}
}

// A failing id source (uuid.NewV7 reads the random source) is an error of
// the use case, not a panic, and nothing is stored or counted.
func TestNewIDFailureIsReturned(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ada, bob := f.user("ada"), f.user("bob")
	broken := errors.New("no entropy")
	svc, err := social.New(social.Deps{Store: f.store, Metrics: f.metrics,
		NewID: func() (uuid.UUID, error) { return uuid.Nil, broken }})
	mustOK(t, err)
	if _, err := svc.CreatePost(ctx, ada.ID, "hello", nil); !errors.Is(err, broken) {
		t.Fatalf("CreatePost: %v", err)
	}
	if _, err := svc.SendRequest(ctx, ada.ID, string(bob.Username), ""); !errors.Is(err, broken) {
		t.Fatalf("SendRequest: %v", err)
	}
	feed, err := svc.Feed(ctx, ada.ID, ports.PageRequest{Limit: 10})
	mustOK(t, err)
	if len(feed.Items) != 0 || f.metrics.posts != 0 || len(f.metrics.outcomes) != 0 {
		t.Fatalf("stored or counted: %+v %+v", feed.Items, f.metrics)
	}
}
