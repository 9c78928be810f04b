package socialtest

import (
	"errors"
	"sync"
	"testing"

	"github.com/google/uuid"

	"agora/domain/connection"
	"agora/domain/errs"
	"agora/domain/errs/errstest"
	"agora/domain/user"
	"agora/ports"
	"agora/ports/social"
)

// RunConnectionStore checks requests through their state machine, the
// one-transaction acceptance, concurrent crossing requests, and the lists.
func RunConnectionStore(t *testing.T, open Open) {
	h := open(t)
	s := h.Store

	t.Run("send passes the pair's state and stores the outcome", func(t *testing.T) {
		t.Parallel()
		a, b := account(t, h, "sa"), account(t, h, "sb")
		var seen connection.Pair
		id := newID()
		at := tick()
		v, err := s.SendRequest(ctx, a.ID, b.ID, func(p connection.Pair) (connection.Outcome, error) {
			seen = p
			return connection.Send(id, a.ID, b.ID, "hi there", p, at)
		})
		errstest.Must(t, err)
		if seen.Connected || seen.Blocked || seen.Pending != nil {
			t.Fatalf("pair of strangers: %+v", seen)
		}
		if v.ID != id || v.Status != connection.Pending || v.Message != "hi there" || v.RespondedAt != nil ||
			!v.CreatedAt.Equal(at) || v.From.ID != a.ID || v.To.ID != b.ID || v.From.Username != a.Username || v.To.DisplayName != b.DisplayName {
			t.Fatalf("new request: %+v", v)
		}
		// The same direction again: the decider sees the pending request.
		_, err = s.SendRequest(ctx, a.ID, b.ID, func(p connection.Pair) (connection.Outcome, error) {
			seen = p
			return connection.Send(newID(), a.ID, b.ID, "", p, tick())
		})
		errstest.WantKind(t, err, errs.ErrConflict)
		if seen.Pending == nil || seen.Pending.ID != id || seen.Pending.FromID != a.ID || seen.Pending.Status != connection.Pending {
			t.Fatalf("pending not passed: %+v", seen)
		}
		// The other direction accepts the pending request, connecting both.
		v, err = s.SendRequest(ctx, b.ID, a.ID, func(p connection.Pair) (connection.Outcome, error) {
			return connection.Send(newID(), b.ID, a.ID, "", p, tick())
		})
		errstest.Must(t, err)
		if v.ID != id || v.Status != connection.Accepted || v.RespondedAt == nil || v.From.ID != a.ID {
			t.Fatalf("crossing request: %+v", v)
		}
		_, err = s.SendRequest(ctx, b.ID, a.ID, func(p connection.Pair) (connection.Outcome, error) {
			seen = p
			return connection.Send(newID(), b.ID, a.ID, "", p, tick())
		})
		errstest.WantKind(t, err, errs.ErrConflict)
		if !seen.Connected || seen.Pending != nil {
			t.Fatalf("connected pair: %+v", seen)
		}
		for _, u := range []user.User{a, b} {
			p, err := s.Connections(ctx, u.ID, u.ID, pageOf(10))
			errstest.Must(t, err)
			if len(p.Items) != 1 || !p.Items[0].ConnectedAt.Equal(*v.RespondedAt) {
				t.Fatalf("connections of %s: %+v", u.Username, p.Items)
			}
		}
		// A refusing decider stores nothing.
		c := account(t, h, "sc")
		refuse := errors.New("refused")
		_, err = s.SendRequest(ctx, a.ID, c.ID, func(connection.Pair) (connection.Outcome, error) { return connection.Outcome{}, refuse })
		if !errors.Is(err, refuse) {
			t.Fatalf("refused send: %v", err)
		}
		out, err := s.PendingRequests(ctx, a.ID, connection.Outgoing, pageOf(10))
		errstest.Must(t, err)
		if len(out.Items) != 0 {
			t.Fatalf("refused send stored %+v", out.Items)
		}
		errstest.Must(t, s.Block(ctx, c.ID, a.ID, tick()))
		_, _ = s.SendRequest(ctx, a.ID, c.ID, func(p connection.Pair) (connection.Outcome, error) {
			seen = p
			return connection.Outcome{}, refuse
		})
		if !seen.Blocked {
			t.Fatalf("blocked pair: %+v", seen)
		}
	})

	t.Run("the store refuses what the state machine forbids", func(t *testing.T) {
		t.Parallel()
		a, b, c := account(t, h, "ra"), account(t, h, "rb"), account(t, h, "rc")
		r := send(t, s, a.ID, b.ID)
		// A second pending request for the pair, made without asking the
		// domain (either direction), is refused by the store itself.
		for _, dir := range [][2]uuid.UUID{{a.ID, b.ID}, {b.ID, a.ID}} {
			_, err := s.SendRequest(ctx, dir[0], dir[1], func(connection.Pair) (connection.Outcome, error) {
				return connection.Outcome{Request: connection.Request{ID: newID(), FromID: dir[0], ToID: dir[1], Status: connection.Pending, CreatedAt: tick()}}, nil
			})
			wantAnswer(t, err, connection.ErrPendingExists)
		}
		_, err := s.SendRequest(ctx, c.ID, c.ID, func(connection.Pair) (connection.Outcome, error) {
			return connection.Outcome{Request: connection.Request{ID: newID(), FromID: c.ID, ToID: c.ID, Status: connection.Pending, CreatedAt: tick()}}, nil
		})
		if err == nil {
			t.Fatal("a request to oneself was stored")
		}
		v, err := s.UpdateRequest(ctx, r.ID, func(r connection.Request) (connection.Request, error) { return r.Decline(b.ID, tick()) })
		errstest.Must(t, err)
		if v.Status != connection.Declined || v.RespondedAt == nil {
			t.Fatalf("declined: %+v", v)
		}
		// Moving a settled request, bypassing the domain, fails in the store.
		_, err = s.UpdateRequest(ctx, r.ID, func(r connection.Request) (connection.Request, error) {
			r.Status = connection.Accepted
			return r, nil
		})
		wantAnswer(t, err, connection.ErrNotPending)
		_, err = s.UpdateRequest(ctx, r.ID, func(r connection.Request) (connection.Request, error) { return r.Accept(b.ID, tick()) })
		errstest.WantKind(t, err, errs.ErrConflict)
		_, err = s.UpdateRequest(ctx, uuid.New(), func(r connection.Request) (connection.Request, error) { return r, nil })
		errstest.WantKind(t, err, errs.ErrNotFound)
		p, err := s.Connections(ctx, a.ID, a.ID, pageOf(10))
		errstest.Must(t, err)
		if len(p.Items) != 0 {
			t.Fatalf("declined request connected: %+v", p.Items)
		}
		// Declined, so a new request may be sent; withdraw it.
		r2 := send(t, s, a.ID, b.ID)
		v, err = s.UpdateRequest(ctx, r2.ID, func(r connection.Request) (connection.Request, error) { return r.Withdraw(a.ID, tick()) })
		errstest.Must(t, err)
		if v.Status != connection.Withdrawn {
			t.Fatalf("withdrawn: %+v", v)
		}
	})

	t.Run("crossing requests sent at the same instant connect once", func(t *testing.T) {
		t.Parallel()
		const pairs = 12
		users := make([][2]user.User, pairs)
		for i := range users {
			users[i] = [2]user.User{account(t, h, "x"), account(t, h, "y")}
		}
		var wg sync.WaitGroup
		errc := make(chan error, 2*pairs)
		start := make(chan struct{})
		for _, p := range users {
			for _, dir := range [][2]uuid.UUID{{p[0].ID, p[1].ID}, {p[1].ID, p[0].ID}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, err := s.SendRequest(ctx, dir[0], dir[1], func(pair connection.Pair) (connection.Outcome, error) {
						return connection.Send(newID(), dir[0], dir[1], "", pair, tick())
					})
					errc <- err
				}()
			}
		}
		close(start)
		wg.Wait()
		close(errc)
		for err := range errc {
			errstest.Must(t, err)
		}
		for _, p := range users {
			for _, u := range p {
				c, err := s.Connections(ctx, u.ID, u.ID, pageOf(10))
				errstest.Must(t, err)
				if len(c.Items) != 1 {
					t.Fatalf("%s has %d connections", u.Username, len(c.Items))
				}
				for _, dir := range []connection.Direction{connection.Incoming, connection.Outgoing} {
					r, err := s.PendingRequests(ctx, u.ID, dir, pageOf(10))
					errstest.Must(t, err)
					if len(r.Items) != 0 {
						t.Fatalf("%s still has pending %s requests: %+v", u.Username, dir, r.Items)
					}
				}
			}
			e, err := s.Export(ctx, p[0].ID)
			errstest.Must(t, err)
			if len(e.Requests) != 1 || e.Requests[0].Status != connection.Accepted {
				t.Fatalf("requests between the pair: %+v", e.Requests)
			}
		}
	})

	t.Run("pending requests by direction, paged", func(t *testing.T) {
		t.Parallel()
		me := account(t, h, "pr")
		var in, out []uuid.UUID
		for i := 0; i < 5; i++ {
			in = append([]uuid.UUID{send(t, s, account(t, h, "in").ID, me.ID).ID}, in...)
			out = append([]uuid.UUID{send(t, s, me.ID, account(t, h, "out").ID).ID}, out...)
		}
		settled := send(t, s, account(t, h, "in").ID, me.ID)
		_, err := s.UpdateRequest(ctx, settled.ID, func(r connection.Request) (connection.Request, error) { return r.Decline(me.ID, tick()) })
		errstest.Must(t, err)
		for _, tc := range []struct {
			dir  connection.Direction
			want []uuid.UUID
		}{{connection.Incoming, in}, {connection.Outgoing, out}} {
			got := collect(t, 2, func(p ports.PageRequest) (ports.Page[social.RequestView], error) {
				return s.PendingRequests(ctx, me.ID, tc.dir, p)
			})
			sameIDs(t, string(tc.dir), ids(got, requestID), tc.want)
		}
	})

	t.Run("connections, mutual connections and removal", func(t *testing.T) {
		t.Parallel()
		me, other := account(t, h, "cm"), account(t, h, "co")
		var mine, mutual []uuid.UUID
		for i := 0; i < 5; i++ {
			f := account(t, h, "cf")
			connect(t, s, me.ID, f.ID)
			mine = append([]uuid.UUID{f.ID}, mine...)
			if i%2 == 0 {
				connect(t, s, f.ID, other.ID)
				mutual = append([]uuid.UUID{f.ID}, mutual...)
			}
		}
		got := collect(t, 2, func(p ports.PageRequest) (ports.Page[social.Connection], error) {
			return s.Connections(ctx, me.ID, me.ID, p)
		})
		sameIDs(t, "connections", ids(got, connUser), mine)
		gotMutual := collect(t, 2, func(p ports.PageRequest) (ports.Page[social.Connection], error) {
			return s.MutualConnections(ctx, me.ID, other.ID, p)
		})
		sameIDs(t, "mutual", ids(gotMutual, connUser), mutual)

		// Another user's list leaves out people with a block to or from the viewer.
		viewer := account(t, h, "cv")
		errstest.Must(t, s.Block(ctx, viewer.ID, mine[0], tick()))
		errstest.Must(t, s.Block(ctx, mine[1], viewer.ID, tick()))
		got = collect(t, 10, func(p ports.PageRequest) (ports.Page[social.Connection], error) {
			return s.Connections(ctx, viewer.ID, me.ID, p)
		})
		sameIDs(t, "connections seen by a blocked viewer", ids(got, connUser), mine[2:])

		errstest.Must(t, s.RemoveConnection(ctx, mine[2], me.ID))
		errstest.WantKind(t, s.RemoveConnection(ctx, me.ID, mine[2]), errs.ErrNotFound)
		errstest.WantKind(t, s.RemoveConnection(ctx, me.ID, other.ID), errs.ErrNotFound)
		got = collect(t, 10, func(p ports.PageRequest) (ports.Page[social.Connection], error) {
			return s.Connections(ctx, me.ID, me.ID, p)
		})
		want := append([]uuid.UUID{}, mine[:2]...)
		sameIDs(t, "after removal", ids(got, connUser), append(want, mine[3:]...))
		theirs, err := s.Connections(ctx, mine[2], mine[2], pageOf(10))
		errstest.Must(t, err)
		for _, c := range theirs.Items {
			if c.User.ID == me.ID {
				t.Fatalf("removed on one side only: %+v", theirs.Items)
			}
		}
	})
}

// wantAnswer fails unless err tells the caller what sentinel does, kind and
// text: a clash the store finds itself reads like the domain's own answer.
func wantAnswer(t *testing.T, err, sentinel error) {
	t.Helper()
	var want *errs.Error
	if !errors.As(sentinel, &want) {
		t.Fatalf("%v is not a domain error", sentinel)
	}
	errstest.WantKind(t, err, want.Kind)
	if got := errs.MessageOf(err); got != want.Message {
		t.Fatalf("message %q, want %q", got, want.Message)
	}
}
