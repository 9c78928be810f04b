package social_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"agora/domain/errs"
	"agora/domain/errs/errstest"
	"agora/domain/post"
	"agora/domain/user"
	"agora/ports"
	"agora/ports/social"
	"agora/ports/social/socialtest"
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
	store   *socialtest.MemStore
	metrics *metrics
	now     time.Time
	n       int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{store: socialtest.NewMemStore(), metrics: &metrics{}, now: time.Date(2025, 5, 1, 8, 0, 0, 0, time.UTC)}
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
	errstest.Must(t, err)
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
	r, err := f.svc.SendRequest(ctx, a.ID, b.Username, "")
	errstest.Must(t, err)
	_, err = f.svc.AcceptRequest(ctx, b.ID, r.ID)
	errstest.Must(t, err)
}

// withTrio is the fixture many cases start from: ada and bob connected,
// cyd a stranger to both.
func withTrio(t *testing.T) (f *fixture, ada, bob, cy user.User) {
	t.Helper()
	f = newFixture(t)
	ada, bob, cy = f.user("ada"), f.user("bob"), f.user("cyd")
	f.connect(t, ada, bob)
	return f, ada, bob, cy
}

func ptr[T any](v T) *T { return &v }

// draft is a post as the HTTP adapter hands it over, already parsed.
func draft(body string, vis post.Visibility) post.Draft {
	return post.Draft{Body: body, Visibility: vis}
}

func TestExport(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ada, bob := f.user("ada"), f.user("bob")
	f.connect(t, ada, bob)
	_, err := f.svc.CreatePost(ctx, ada.ID, draft("hello", post.Public))
	errstest.Must(t, err)
	e, err := f.svc.Export(ctx, ada.ID)
	errstest.Must(t, err)
	if e.Account.ID != ada.ID || len(e.Posts) != 1 || len(e.Requests) != 1 || len(e.Connections) != 1 || e.ExportedAt.IsZero() {
		t.Fatalf("export: %+v", e)
	}
	_, err = f.svc.Export(ctx, uuid.New())
	errstest.WantKind(t, err, errs.ErrNotFound)
}

// hashingExports is a store whose export carries the stored password hash,
// as a careless adapter's would.
type hashingExports struct{ *socialtest.MemStore }

func (h hashingExports) Export(ctx context.Context, id uuid.UUID) (social.Export, error) {
	e, err := h.MemStore.Export(ctx, id)
	e.Account.PasswordHash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"
	return e, err
}

// The export never carries the password hash, whatever the store reads: the
// use case blanks it.
func TestExportLeavesThePasswordHashOut(t *testing.T) {
	t.Parallel()
	store := socialtest.NewMemStore()
	ada := user.User{ID: uuid.Must(uuid.NewV7()), Username: "ada", Email: "ada@x.org", DisplayName: "Ada", PasswordHash: "$argon2id$stored"}
	store.AddUser(ada)
	svc, err := social.New(social.Deps{Store: hashingExports{store}})
	errstest.Must(t, err)
	e, err := svc.Export(ctx, ada.ID)
	errstest.Must(t, err)
	if e.Account.ID != ada.ID || e.Account.PasswordHash != "" {
		t.Fatalf("account: %+v", e.Account)
	}
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
	errstest.Must(t, err)
	if _, err := svc.CreatePost(ctx, ada.ID, draft("hello", post.Public)); !errors.Is(err, broken) {
		t.Fatalf("CreatePost: %v", err)
	}
	if _, err := svc.SendRequest(ctx, ada.ID, bob.Username, ""); !errors.Is(err, broken) {
		t.Fatalf("SendRequest: %v", err)
	}
	feed, err := svc.Feed(ctx, ada.ID, ports.PageRequest{Limit: 10})
	errstest.Must(t, err)
	if len(feed.Items) != 0 || f.metrics.posts != 0 || len(f.metrics.outcomes) != 0 {
		t.Fatalf("stored or counted: %+v %+v", feed.Items, f.metrics)
	}
}

// The use cases cut the clock to the database's precision, once: the domain
// takes the times it is given, so a post, an edit, a request and its answer
// all carry UTC microseconds however fine the clock reads.
func TestUseCasesCutTheClock(t *testing.T) {
	t.Parallel()
	store := socialtest.NewMemStore()
	zone := time.FixedZone("x", 3600)
	raw := time.Date(2025, 5, 1, 8, 0, 0, 1234567, zone)
	var mu sync.Mutex
	svc, err := social.New(social.Deps{Store: store, Clock: func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		raw = raw.Add(time.Second)
		return raw
	}})
	errstest.Must(t, err)
	cut := func(what string, at time.Time) {
		t.Helper()
		if at.Location() != time.UTC || at.Nanosecond() != 1234000 {
			t.Errorf("%s: %v is not cut to UTC microseconds", what, at)
		}
	}
	ada := user.User{ID: uuid.Must(uuid.NewV7()), Username: "ada", Email: "ada@x.org", DisplayName: "Ada"}
	bob := user.User{ID: uuid.Must(uuid.NewV7()), Username: "bob", Email: "bob@x.org", DisplayName: "Bob"}
	store.AddUser(ada)
	store.AddUser(bob)

	p, err := svc.CreatePost(ctx, ada.ID, draft("hello", post.Public))
	errstest.Must(t, err)
	cut("post created", p.CreatedAt)
	body := "edited"
	p, err = svc.UpdatePost(ctx, ada.ID, p.ID, post.Patch{Body: &body})
	errstest.Must(t, err)
	cut("post updated", p.UpdatedAt)
	r, err := svc.SendRequest(ctx, ada.ID, bob.Username, "")
	errstest.Must(t, err)
	cut("request created", r.CreatedAt)
	r, err = svc.AcceptRequest(ctx, bob.ID, r.ID)
	errstest.Must(t, err)
	cut("request answered", *r.RespondedAt)
}
