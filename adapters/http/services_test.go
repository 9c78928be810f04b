package http

import (
	"context"
	"testing"
	"time"

	"agora/adapters/jwt/jwttest"
	"agora/domain/user"
	"agora/ports/identity"
	"agora/ports/identity/identitytest"
	"agora/ports/social"
	"agora/ports/social/socialtest"
)

// plainHasher keeps tests fast: the hashing itself is not under test here.
type plainHasher struct{}

func (plainHasher) Hash(_ context.Context, pw user.Password) (string, error) {
	return "plain:" + pw.Reveal(), nil
}

func (plainHasher) Verify(_ context.Context, pw user.Password, enc string) (bool, bool, error) {
	return enc == "plain:"+pw.Reveal(), false, nil
}

type dropMailer struct{}

func (dropMailer) Send(context.Context, identity.Message) error { return nil }

// memServices are the real identity and social use cases over the in-memory
// fakes of their stores (identitytest, socialtest), with a real token issuer.
// The social fake knows only the users added to it (socialStore.AddUser).
type memServices struct {
	identity    IdentityDeps
	social      SocialDeps
	socialStore *socialtest.MemStore
}

// newMemServices builds them; the caller closes the identity service.
func newMemServices() (memServices, error) {
	issuer, err := jwttest.NewIssuer()
	if err != nil {
		return memServices{}, err
	}
	ids, err := identity.New(identity.Config{AccessTTL: time.Hour, RefreshTTL: 24 * time.Hour, PublicBaseURL: "http://x"},
		identity.Deps{Store: identitytest.NewMemStore(), Hasher: plainHasher{}, Tokens: issuer, Mailer: dropMailer{}})
	if err != nil {
		return memServices{}, err
	}
	store := socialtest.NewMemStore()
	soc, err := social.New(social.Deps{Store: store})
	if err != nil {
		_ = ids.Close(context.Background())
		return memServices{}, err
	}
	return memServices{
		identity:    IdentityDeps{Service: ids, JWKS: issuer.JWKS()},
		social:      SocialDeps{Service: soc},
		socialStore: store,
	}, nil
}

// newServer is New for tests whose subject is the adapter, not a use case:
// the services New requires come from newMemServices unless opts has them.
func newServer(tb testing.TB, opts Options) *Server {
	tb.Helper()
	if opts.Identity.Service == nil || opts.Social.Service == nil {
		m, err := newMemServices()
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { _ = m.identity.Service.Close(context.Background()) })
		if opts.Identity.Service == nil {
			opts.Identity = m.identity
		}
		if opts.Social.Service == nil {
			opts.Social = m.social
		}
	}
	s, err := New(opts)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// New refuses to build a server without the services every route of the
// contract needs, as the use cases' New refuses a missing store.
func TestNewRequiresItsServices(t *testing.T) {
	t.Parallel()
	m, err := newMemServices()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.identity.Service.Close(context.Background()) })
	for name, opts := range map[string]Options{
		"none":        {},
		"no identity": {Social: m.social},
		"no social":   {Identity: m.identity},
	} {
		if s, err := New(opts); err == nil || s != nil {
			t.Errorf("%s: built a server (%v)", name, err)
		}
	}
	if _, err := New(Options{Identity: m.identity, Social: m.social}); err != nil {
		t.Fatalf("both services: %v", err)
	}
}
