package socialtest

import (
	"strings"
	"testing"

	"agora/domain/connection"
	"agora/domain/errs"
	"agora/domain/errs/errstest"
	"agora/domain/user"
)

// RunProfileStore checks lookups, profiles in every relation state, and that
// deleting an account keeps everyone else's counts right.
func RunProfileStore(t *testing.T, open Open) {
	h := open(t)
	s := h.Store

	t.Run("find is case-insensitive and blocks hide", func(t *testing.T) {
		t.Parallel()
		a, b := account(t, h, "Find"), account(t, h, "find")
		got, err := s.FindUser(ctx, user.Username(strings.ToUpper(string(a.Username))))
		errstest.Must(t, err)
		if got.ID != a.ID || got.Username != a.Username || got.DisplayName != a.DisplayName {
			t.Fatalf("FindUser = %+v, want %+v", got, a)
		}
		_, err = s.FindUser(ctx, "nobody_here")
		errstest.WantKind(t, err, errs.ErrNotFound)
		_, err = s.FindVisibleUser(ctx, a.ID, user.Username(strings.ToLower(string(b.Username))))
		errstest.Must(t, err)
		errstest.Must(t, s.Block(ctx, b.ID, a.ID, tick()))
		wantHiddenBothWays(t, a, b, func(viewer, target user.User) error {
			_, err := s.FindVisibleUser(ctx, viewer.ID, target.Username)
			return err
		})
		_, err = s.FindUser(ctx, b.Username)
		errstest.Must(t, err)
	})

	t.Run("profile in all five relation states", func(t *testing.T) {
		t.Parallel()
		me, other := account(t, h, "me"), account(t, h, "other")
		// Shared friends make the mutual count 2; other has 3 connections.
		f1, f2, lone := account(t, h, "f"), account(t, h, "f"), account(t, h, "lone")
		connect(t, s, me.ID, f1.ID)
		connectAll(t, s, f2.ID, me.ID, other.ID)
		connectAll(t, s, other.ID, f1.ID, lone.ID)

		check := func(name string, viewer, target user.User, conns, mutual int, facts string) {
			t.Helper()
			r, err := s.Profile(ctx, viewer.ID, user.Username(strings.ToUpper(string(target.Username))))
			errstest.Must(t, err)
			gotFacts := ""
			if r.Facts.Connected {
				gotFacts += "C"
			}
			if r.Facts.PendingOutgoing {
				gotFacts += "O"
			}
			if r.Facts.PendingIncoming {
				gotFacts += "I"
			}
			if r.User.ID != target.ID || r.Headline != target.Headline || r.Bio != target.Bio ||
				!r.CreatedAt.Equal(target.CreatedAt) || r.ConnectionsCount != conns ||
				(mutual >= 0 && r.MutualConnectionsCount != mutual) || gotFacts != facts {
				t.Fatalf("%s: %+v (facts %q), want conns %d mutual %d facts %q", name, r, gotFacts, conns, mutual, facts)
			}
		}
		check("none", me, other, 3, 2, "")
		check("self", me, me, 2, -1, "") // the service decides what "mutual" means on one's own profile
		req := send(t, s, me.ID, other.ID)
		check("pending_outgoing", me, other, 3, 2, "O")
		check("pending_incoming", other, me, 2, 2, "I")
		_, err := s.UpdateRequest(ctx, req.ID, func(r connection.Request) (connection.Request, error) { return r.Accept(other.ID, tick()) })
		errstest.Must(t, err)
		check("connected", me, other, 4, 2, "C")
		check("connected, other side", other, me, 3, 2, "C")

		errstest.Must(t, s.Block(ctx, other.ID, me.ID, tick()))
		wantHiddenBothWays(t, me, other, func(viewer, target user.User) error {
			_, err := s.Profile(ctx, viewer.ID, target.Username)
			return err
		})
		check("the block removed the connection", lone, other, 3, 0, "C")
	})

	t.Run("connections_count is the length of the list the same viewer sees", func(t *testing.T) {
		t.Parallel()
		viewer, target := account(t, h, "cnt"), account(t, h, "cnt")
		hidden1, hidden2, shown := account(t, h, "cnt"), account(t, h, "cnt"), account(t, h, "cnt")
		connectAll(t, s, target.ID, hidden1.ID, hidden2.ID, shown.ID)
		errstest.Must(t, s.Block(ctx, hidden1.ID, viewer.ID, tick())) // they blocked the viewer
		errstest.Must(t, s.Block(ctx, viewer.ID, hidden2.ID, tick())) // the viewer blocked them
		for _, who := range []user.User{viewer, shown} {
			r, err := s.Profile(ctx, who.ID, target.Username)
			errstest.Must(t, err)
			list, err := s.Connections(ctx, who.ID, target.ID, pageOf(100))
			errstest.Must(t, err)
			if r.ConnectionsCount != len(list.Items) {
				t.Fatalf("viewer %s: count %d, list of %d", who.Username, r.ConnectionsCount, len(list.Items))
			}
		}
		r, err := s.Profile(ctx, viewer.ID, target.Username)
		errstest.Must(t, err)
		if r.ConnectionsCount != 1 {
			t.Fatalf("blocked people counted: %d, want 1", r.ConnectionsCount)
		}
	})

	t.Run("deleting an account keeps the others' counts right", func(t *testing.T) {
		t.Parallel()
		a, b, c := account(t, h, "del"), account(t, h, "del"), account(t, h, "del")
		connectAll(t, s, a.ID, b.ID, c.ID)
		connect(t, s, b.ID, c.ID)
		gone := account(t, h, "gone")
		connectAll(t, s, gone.ID, a.ID, b.ID)
		send(t, s, gone.ID, c.ID)
		p := writePost(t, s, gone.ID, "public", tick())

		h.DeleteUser(t, gone.ID)
		r, err := s.Profile(ctx, a.ID, b.Username)
		errstest.Must(t, err)
		if r.ConnectionsCount != 2 || r.MutualConnectionsCount != 1 {
			t.Fatalf("after delete: %+v", r)
		}
		in, err := s.PendingRequests(ctx, c.ID, connection.Incoming, pageOf(10))
		errstest.Must(t, err)
		if len(in.Items) != 0 {
			t.Fatalf("requests of a deleted user: %+v", in.Items)
		}
		_, _, err = s.GetPost(ctx, a.ID, p.ID)
		errstest.WantKind(t, err, errs.ErrNotFound)
		_, err = s.FindUser(ctx, gone.Username)
		errstest.WantKind(t, err, errs.ErrNotFound)
	})
}
