package social_test

import (
	"testing"

	"github.com/google/uuid"

	"agora/domain/connection"
	"agora/domain/errs"
	"agora/domain/errs/errstest"
	"agora/domain/user"
	"agora/ports"
)

func TestBlocks(t *testing.T) {
	t.Parallel()
	f, ada, bob, cy := withTrio(t)
	_, err := f.svc.SendRequest(ctx, cy.ID, "ada", "")
	errstest.Must(t, err)

	errstest.WantKind(t, f.svc.Block(ctx, ada.ID, "ada"), errs.ErrInvalid)
	errstest.WantKind(t, f.svc.Unblock(ctx, ada.ID, "ADA"), errs.ErrInvalid)
	errstest.WantKind(t, f.svc.Block(ctx, ada.ID, "nobody"), errs.ErrNotFound)
	errstest.WantKind(t, f.svc.Unblock(ctx, ada.ID, "nobody"), errs.ErrNotFound)
	errstest.Must(t, f.svc.Block(ctx, ada.ID, "bob"))
	errstest.Must(t, f.svc.Block(ctx, ada.ID, "bob"))
	errstest.Must(t, f.svc.Block(ctx, ada.ID, "cyd"))
	// The blocked can block back, and see nothing of the blocker.
	errstest.Must(t, f.svc.Block(ctx, bob.ID, "ada"))

	for _, who := range []user.User{ada, bob} {
		other := map[uuid.UUID]user.Username{ada.ID: "bob", bob.ID: "ada"}[who.ID]
		_, err := f.svc.Profile(ctx, who.ID, other)
		errstest.WantKind(t, err, errs.ErrNotFound)
		_, err = f.svc.SendRequest(ctx, who.ID, other, "")
		errstest.WantKind(t, err, errs.ErrNotFound)
		_, err = f.svc.UserConnections(ctx, who.ID, other, ports.PageRequest{Limit: 10})
		errstest.WantKind(t, err, errs.ErrNotFound)
		_, err = f.svc.MutualConnections(ctx, who.ID, other, ports.PageRequest{Limit: 10})
		errstest.WantKind(t, err, errs.ErrNotFound)
		errstest.WantKind(t, f.svc.RemoveConnection(ctx, who.ID, other), errs.ErrNotFound)
	}
	in, err := f.svc.PendingRequests(ctx, ada.ID, connection.Incoming, ports.PageRequest{Limit: 10})
	errstest.Must(t, err)
	if len(in.Items) != 0 {
		t.Fatalf("pending after block: %+v", in.Items)
	}
	list, err := f.svc.Blocks(ctx, ada.ID, ports.PageRequest{Limit: 10})
	errstest.Must(t, err)
	if len(list.Items) != 2 || list.Items[0].ID != cy.ID || list.Items[1].ID != bob.ID {
		t.Fatalf("blocks: %+v", list.Items)
	}
	errstest.Must(t, f.svc.Unblock(ctx, ada.ID, "bob"))
	errstest.Must(t, f.svc.Unblock(ctx, ada.ID, "bob"))
	_, err = f.svc.Profile(ctx, ada.ID, "bob") // bob still blocks ada
	errstest.WantKind(t, err, errs.ErrNotFound)
	errstest.Must(t, f.svc.Unblock(ctx, bob.ID, "ada"))
	p, err := f.svc.Profile(ctx, ada.ID, "bob")
	errstest.Must(t, err)
	if p.Relation != connection.None {
		t.Fatalf("connections do not come back: %+v", p)
	}
}
