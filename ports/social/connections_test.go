package social_test

import (
	"fmt"
	"testing"

	"github.com/google/uuid"

	"agora/domain/connection"
	"agora/domain/errs"
	"agora/domain/errs/errstest"
	"agora/domain/user"
	"agora/ports"
)

func TestRequestsAndConnections(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ada, bob, cy, dee := f.user("ada"), f.user("bob"), f.user("cyd"), f.user("dee")

	_, err := f.svc.SendRequest(ctx, ada.ID, "ada", "")
	errstest.WantKind(t, err, errs.ErrInvalid)
	_, err = f.svc.SendRequest(ctx, ada.ID, "nobody", "")
	errstest.WantKind(t, err, errs.ErrNotFound)

	r, err := f.svc.SendRequest(ctx, ada.ID, "BOB", "hi")
	errstest.Must(t, err)
	if r.Status != connection.Pending || r.Message != "hi" || r.From.ID != ada.ID || r.To.ID != bob.ID {
		t.Fatalf("sent: %+v", r)
	}
	_, err = f.svc.SendRequest(ctx, ada.ID, "bob", "")
	errstest.WantKind(t, err, errs.ErrConflict)

	in, err := f.svc.PendingRequests(ctx, bob.ID, connection.Incoming, ports.PageRequest{Limit: 10})
	errstest.Must(t, err)
	if len(in.Items) != 1 || in.Items[0].ID != r.ID {
		t.Fatalf("incoming: %+v", in.Items)
	}

	// Only the recipient accepts or declines, only the sender withdraws;
	// anyone else gets not found.
	_, err = f.svc.AcceptRequest(ctx, ada.ID, r.ID)
	errstest.WantKind(t, err, errs.ErrNotFound)
	_, err = f.svc.DeclineRequest(ctx, cy.ID, r.ID)
	errstest.WantKind(t, err, errs.ErrNotFound)
	errstest.WantKind(t, f.svc.WithdrawRequest(ctx, bob.ID, r.ID), errs.ErrNotFound)
	_, err = f.svc.AcceptRequest(ctx, bob.ID, uuid.New())
	errstest.WantKind(t, err, errs.ErrNotFound)

	acc, err := f.svc.AcceptRequest(ctx, bob.ID, r.ID)
	errstest.Must(t, err)
	if acc.Status != connection.Accepted || acc.RespondedAt == nil {
		t.Fatalf("accepted: %+v", acc)
	}
	_, err = f.svc.DeclineRequest(ctx, bob.ID, r.ID)
	errstest.WantKind(t, err, errs.ErrConflict)
	errstest.WantKind(t, f.svc.WithdrawRequest(ctx, ada.ID, r.ID), errs.ErrConflict)
	_, err = f.svc.SendRequest(ctx, bob.ID, "ada", "")
	errstest.WantKind(t, err, errs.ErrConflict)

	// A request to someone who already asked you accepts theirs.
	r2, err := f.svc.SendRequest(ctx, cy.ID, "ada", "")
	errstest.Must(t, err)
	r3, err := f.svc.SendRequest(ctx, ada.ID, "cyd", "")
	errstest.Must(t, err)
	if r3.ID != r2.ID || r3.Status != connection.Accepted {
		t.Fatalf("crossing: %+v", r3)
	}
	// Decline and withdraw.
	r4, err := f.svc.SendRequest(ctx, dee.ID, "ada", "")
	errstest.Must(t, err)
	dec, err := f.svc.DeclineRequest(ctx, ada.ID, r4.ID)
	errstest.Must(t, err)
	if dec.Status != connection.Declined {
		t.Fatalf("declined: %+v", dec)
	}
	r5, err := f.svc.SendRequest(ctx, dee.ID, "ada", "again")
	errstest.Must(t, err)
	errstest.Must(t, f.svc.WithdrawRequest(ctx, dee.ID, r5.ID))
	want := []string{"sent", "accepted", "sent", "accepted", "sent", "declined", "sent", "withdrawn"}
	if fmt.Sprint(f.metrics.outcomes) != fmt.Sprint(want) {
		t.Fatalf("outcomes %v, want %v", f.metrics.outcomes, want)
	}

	// Profiles in all five states, and the counts.
	f.connect(t, bob, cy)
	_, err = f.svc.SendRequest(ctx, dee.ID, "bob", "")
	errstest.Must(t, err)
	for _, tc := range []struct {
		viewer         user.User
		target         user.Username
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
		errstest.Must(t, err)
		if p.Relation != tc.rel || p.ConnectionsCount != tc.count || p.MutualConnectionsCount != tc.mutuals {
			t.Errorf("%s → %s: %+v", tc.viewer.Username, tc.target, p)
		}
	}
	_, err = f.svc.Profile(ctx, ada.ID, "x")
	errstest.WantKind(t, err, errs.ErrNotFound)

	conns, err := f.svc.Connections(ctx, ada.ID, ports.PageRequest{Limit: 10})
	errstest.Must(t, err)
	if len(conns.Items) != 2 || conns.Items[0].User.ID != cy.ID {
		t.Fatalf("ada's connections: %+v", conns.Items)
	}
	theirs, err := f.svc.UserConnections(ctx, dee.ID, "ada", ports.PageRequest{Limit: 10})
	errstest.Must(t, err)
	if len(theirs.Items) != 2 {
		t.Fatalf("ada's connections seen by dee: %+v", theirs.Items)
	}
	mutual, err := f.svc.MutualConnections(ctx, ada.ID, "bob", ports.PageRequest{Limit: 10})
	errstest.Must(t, err)
	if len(mutual.Items) != 1 || mutual.Items[0].ID != cy.ID {
		t.Fatalf("mutual: %+v", mutual.Items)
	}
	self, err := f.svc.MutualConnections(ctx, ada.ID, "ada", ports.PageRequest{Limit: 10})
	errstest.Must(t, err)
	if len(self.Items) != 0 {
		t.Fatalf("mutual with oneself: %+v", self.Items)
	}
	errstest.Must(t, f.svc.RemoveConnection(ctx, bob.ID, "ada"))
	errstest.WantKind(t, f.svc.RemoveConnection(ctx, bob.ID, "ada"), errs.ErrNotFound)
	errstest.WantKind(t, f.svc.RemoveConnection(ctx, bob.ID, "nobody"), errs.ErrNotFound)
}
