package socialtest

import (
	"testing"

	"github.com/google/uuid"

	"agora/domain/connection"
	"agora/domain/errs/errstest"
	"agora/domain/user"
	"agora/ports"
	"agora/ports/social"
)

// RunBlockStore checks that a block removes what is between the two, is
// idempotent, and is listed.
func RunBlockStore(t *testing.T, open Open) {
	h := open(t)
	s := h.Store

	t.Run("a block removes the connection and pending requests", func(t *testing.T) {
		t.Parallel()
		a, b, c := account(t, h, "ba"), account(t, h, "bb"), account(t, h, "bc")
		connect(t, s, a.ID, b.ID)
		r := send(t, s, c.ID, a.ID)
		settled := send(t, s, a.ID, c.ID) // accepts c's request instead
		if settled.ID != r.ID || settled.Status != connection.Accepted {
			t.Fatalf("crossing: %+v", settled)
		}
		errstest.Must(t, s.RemoveConnection(ctx, a.ID, c.ID))
		pending := send(t, s, c.ID, a.ID)
		keep := send(t, s, c.ID, b.ID)

		errstest.Must(t, s.Block(ctx, a.ID, b.ID, tick()))
		errstest.Must(t, s.Block(ctx, a.ID, c.ID, tick()))
		for _, u := range []user.User{a, b, c} {
			p, err := s.Connections(ctx, u.ID, u.ID, pageOf(10))
			errstest.Must(t, err)
			if len(p.Items) != 0 {
				t.Fatalf("%s still connected: %+v", u.Username, p.Items)
			}
		}
		in, err := s.PendingRequests(ctx, a.ID, connection.Incoming, pageOf(10))
		errstest.Must(t, err)
		if len(in.Items) != 0 {
			t.Fatalf("pending request %v survived the block: %+v", pending.ID, in.Items)
		}
		out, err := s.PendingRequests(ctx, c.ID, connection.Outgoing, pageOf(10))
		errstest.Must(t, err)
		sameIDs(t, "c's other request", ids(out.Items, requestID), []uuid.UUID{keep.ID})
	})

	t.Run("idempotent, listed newest first, unblock", func(t *testing.T) {
		t.Parallel()
		me := account(t, h, "bm")
		var want []uuid.UUID
		for i := 0; i < 5; i++ {
			u := account(t, h, "bx")
			errstest.Must(t, s.Block(ctx, me.ID, u.ID, tick()))
			want = append([]uuid.UUID{u.ID}, want...)
		}
		// Blocking again keeps the original time, so the order stays.
		errstest.Must(t, s.Block(ctx, me.ID, want[4], tick()))
		got := collect(t, 2, func(p ports.PageRequest) (ports.Page[social.Blocked], error) { return s.Blocks(ctx, me.ID, p) })
		sameIDs(t, "blocks", ids(got, blockedUser), want)
		errstest.Must(t, s.Unblock(ctx, me.ID, want[0]))
		errstest.Must(t, s.Unblock(ctx, me.ID, want[0]))
		errstest.Must(t, s.Unblock(ctx, me.ID, me.ID))
		got = collect(t, 10, func(p ports.PageRequest) (ports.Page[social.Blocked], error) { return s.Blocks(ctx, me.ID, p) })
		sameIDs(t, "after unblock", ids(got, blockedUser), want[1:])
		theirs, err := s.Blocks(ctx, want[1], pageOf(10))
		errstest.Must(t, err)
		if len(theirs.Items) != 0 {
			t.Fatalf("blocks are one-way: %+v", theirs.Items)
		}
	})
}
