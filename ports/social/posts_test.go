package social_test

import (
	"fmt"
	"testing"

	"github.com/google/uuid"

	"agora/domain/errs"
	"agora/domain/errs/errstest"
	"agora/domain/post"
	"agora/domain/user"
	"agora/ports"
)

func TestPosts(t *testing.T) {
	t.Parallel()
	f, ada, bob, cy := withTrio(t)

	pub, err := f.svc.CreatePost(ctx, ada.ID, draft("hello", post.Public))
	errstest.Must(t, err)
	priv, err := f.svc.CreatePost(ctx, ada.ID, draft("friends only", post.Connections))
	errstest.Must(t, err)
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
			errstest.Must(t, err)
		} else {
			errstest.WantKind(t, err, tc.err)
		}
	}
	// Invisible and absent say the same thing.
	_, e1 := f.svc.GetPost(ctx, cy.ID, priv.ID)
	_, e2 := f.svc.GetPost(ctx, cy.ID, uuid.New())
	if e1.Error() != e2.Error() {
		t.Fatalf("invisible %q vs absent %q", e1, e2)
	}

	_, err = f.svc.UpdatePost(ctx, bob.ID, pub.ID, post.Patch{Body: ptr("mine now")})
	errstest.WantKind(t, err, errs.ErrForbidden)
	_, err = f.svc.UpdatePost(ctx, cy.ID, priv.ID, post.Patch{Body: ptr("mine now")})
	errstest.WantKind(t, err, errs.ErrNotFound)
	up, err := f.svc.UpdatePost(ctx, ada.ID, pub.ID, post.Patch{Visibility: ptr(post.Connections)})
	errstest.Must(t, err)
	if up.Body != "hello" || up.Visibility != post.Connections || !up.UpdatedAt.After(pub.UpdatedAt) || !up.CreatedAt.Equal(pub.CreatedAt) {
		t.Fatalf("updated: %+v", up)
	}
	_, err = f.svc.GetPost(ctx, cy.ID, pub.ID)
	errstest.WantKind(t, err, errs.ErrNotFound)

	errstest.WantKind(t, f.svc.DeletePost(ctx, bob.ID, pub.ID), errs.ErrForbidden)
	errstest.WantKind(t, f.svc.DeletePost(ctx, cy.ID, pub.ID), errs.ErrNotFound)
	errstest.Must(t, f.svc.DeletePost(ctx, ada.ID, pub.ID))
	errstest.WantKind(t, f.svc.DeletePost(ctx, ada.ID, pub.ID), errs.ErrNotFound)

	// Blocked: every post is invisible, both ways.
	errstest.Must(t, f.svc.Block(ctx, bob.ID, ada.Username))
	_, err = f.svc.GetPost(ctx, bob.ID, priv.ID)
	errstest.WantKind(t, err, errs.ErrNotFound)
	own, err := f.svc.CreatePost(ctx, bob.ID, draft("bob's", post.Public))
	errstest.Must(t, err)
	_, err = f.svc.GetPost(ctx, ada.ID, own.ID)
	errstest.WantKind(t, err, errs.ErrNotFound)
	errstest.WantKind(t, f.svc.DeletePost(ctx, ada.ID, own.ID), errs.ErrNotFound)
}

func TestListsOfPosts(t *testing.T) {
	t.Parallel()
	f, ada, bob, cy := withTrio(t)
	for i := 0; i < 3; i++ {
		_, err := f.svc.CreatePost(ctx, ada.ID, draft(fmt.Sprint("pub ", i), post.Public))
		errstest.Must(t, err)
		_, err = f.svc.CreatePost(ctx, ada.ID, draft(fmt.Sprint("priv ", i), post.Connections))
		errstest.Must(t, err)
		_, err = f.svc.CreatePost(ctx, cy.ID, draft(fmt.Sprint("cyd ", i), post.Public))
		errstest.Must(t, err)
	}
	page := ports.PageRequest{Limit: 100}
	count := func(viewer user.User, username user.Username) int {
		t.Helper()
		p, err := f.svc.UserPosts(ctx, viewer.ID, username, page)
		errstest.Must(t, err)
		return len(p.Items)
	}
	if n := count(bob, "ADA"); n != 6 {
		t.Fatalf("bob sees %d of ada's posts", n)
	}
	if n := count(cy, "ada"); n != 3 {
		t.Fatalf("cy sees %d of ada's posts", n)
	}
	_, err := f.svc.UserPosts(ctx, cy.ID, "nobody", page)
	errstest.WantKind(t, err, errs.ErrNotFound)
	feed, err := f.svc.Feed(ctx, bob.ID, page)
	errstest.Must(t, err)
	if len(feed.Items) != 6 {
		t.Fatalf("bob's feed: %d", len(feed.Items))
	}
	errstest.Must(t, f.svc.Block(ctx, ada.ID, cy.Username))
	_, err = f.svc.UserPosts(ctx, cy.ID, "ada", page)
	errstest.WantKind(t, err, errs.ErrNotFound)
	_, err = f.svc.UserPosts(ctx, ada.ID, "cyd", page)
	errstest.WantKind(t, err, errs.ErrNotFound)
	errstest.Must(t, f.svc.Block(ctx, bob.ID, ada.Username))
	feed, err = f.svc.Feed(ctx, bob.ID, page)
	errstest.Must(t, err)
	if len(feed.Items) != 0 {
		t.Fatalf("feed after block: %d", len(feed.Items))
	}
}
