package connection

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"agora/domain/errs"
)

var t0 = time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)

func pending(from, to uuid.UUID) Request {
	return Request{ID: uuid.New(), FromID: from, ToID: to, Status: Pending, CreatedAt: t0}
}

func TestStateMachine(t *testing.T) {
	t.Parallel()
	all := []Status{Pending, Accepted, Declined, Withdrawn}
	for _, from := range all {
		for _, to := range all {
			want := from == Pending && to != Pending
			if got := CanMove(from, to); got != want {
				t.Errorf("CanMove(%s, %s) = %v, want %v", from, to, got, want)
			}
		}
	}
}

func TestTransitions(t *testing.T) {
	t.Parallel()
	alice, bob, carol := uuid.New(), uuid.New(), uuid.New()
	type action func(Request, uuid.UUID, time.Time) (Request, error)
	accept, decline, withdraw := Request.Accept, Request.Decline, Request.Withdraw
	cases := []struct {
		name  string
		do    action
		actor uuid.UUID
		start Status
		want  Status
		errIs error
	}{
		{"recipient accepts", accept, bob, Pending, Accepted, nil},
		{"recipient declines", decline, bob, Pending, Declined, nil},
		{"sender withdraws", withdraw, alice, Pending, Withdrawn, nil},
		{"sender cannot accept", accept, alice, Pending, Pending, errs.ErrNotFound},
		{"sender cannot decline", decline, alice, Pending, Pending, errs.ErrNotFound},
		{"recipient cannot withdraw", withdraw, bob, Pending, Pending, errs.ErrNotFound},
		{"stranger cannot accept", accept, carol, Pending, Pending, errs.ErrNotFound},
		{"stranger cannot withdraw", withdraw, carol, Pending, Pending, errs.ErrNotFound},
		{"accept twice", accept, bob, Accepted, Accepted, errs.ErrConflict},
		{"decline an accepted one", decline, bob, Accepted, Accepted, errs.ErrConflict},
		{"withdraw a declined one", withdraw, alice, Declined, Declined, errs.ErrConflict},
		{"accept a withdrawn one", accept, bob, Withdrawn, Withdrawn, errs.ErrConflict},
		{"stranger on a settled one is still not found", accept, carol, Accepted, Accepted, errs.ErrNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := pending(alice, bob)
			r.Status = tc.start
			got, err := tc.do(r, tc.actor, t0.Add(time.Minute))
			if tc.errIs != nil {
				if !errors.Is(err, tc.errIs) || got.Status != tc.start {
					t.Fatalf("got %v %v, want %v", got.Status, err, tc.errIs)
				}
				return
			}
			if err != nil || got.Status != tc.want || got.RespondedAt == nil || !got.RespondedAt.Equal(t0.Add(time.Minute)) {
				t.Fatalf("got %+v %v", got, err)
			}
		})
	}
}

func TestRespondedAtNeverBeforeCreatedAt(t *testing.T) {
	t.Parallel()
	r := pending(uuid.New(), uuid.New())
	got, err := r.Accept(r.ToID, t0.Add(-time.Hour))
	if err != nil || !got.RespondedAt.Equal(t0) {
		t.Fatalf("got %+v %v", got, err)
	}
}

func TestSend(t *testing.T) {
	t.Parallel()
	alice, bob := uuid.New(), uuid.New()
	id := uuid.New()
	reverse := pending(bob, alice)
	same := pending(alice, bob)
	cases := []struct {
		name     string
		from, to uuid.UUID
		msg      string
		pair     Pair
		errIs    error
		accepted bool
	}{
		{"new request", alice, bob, "hi", Pair{}, nil, false},
		{"to yourself", alice, alice, "", Pair{}, errs.ErrInvalid, false},
		{"blocked", alice, bob, "", Pair{Blocked: true}, errs.ErrNotFound, false},
		{"already connected", alice, bob, "", Pair{Connected: true}, errs.ErrConflict, false},
		{"pending in the same direction", alice, bob, "", Pair{Pending: &same}, errs.ErrConflict, false},
		{"pending the other way accepts it", alice, bob, "", Pair{Pending: &reverse}, nil, true},
		{"message of 300 characters", alice, bob, strings.Repeat("ü", 300), Pair{}, nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, err := Send(id, tc.from, tc.to, Message(tc.msg), tc.pair, t0)
			if tc.errIs != nil {
				if !errors.Is(err, tc.errIs) {
					t.Fatalf("err = %v, want %v", err, tc.errIs)
				}
				return
			}
			if err != nil || out.AcceptedExisting != tc.accepted {
				t.Fatalf("out = %+v, %v", out, err)
			}
			if tc.accepted {
				if out.Request.ID != reverse.ID || out.Request.Status != Accepted || out.Request.FromID != bob {
					t.Fatalf("accepted: %+v", out.Request)
				}
				return
			}
			r := out.Request
			if r.ID != id || r.FromID != alice || r.ToID != bob || r.Status != Pending || r.RespondedAt != nil || r.Message != tc.msg {
				t.Fatalf("new: %+v", r)
			}
		})
	}
	if _, err := ParseMessage("a\x00"); !errors.Is(err, errs.ErrInvalid) {
		t.Fatalf("NUL message: %v", err)
	}
	if _, err := ParseMessage(strings.Repeat("x", 301)); !errors.Is(err, errs.ErrInvalid) {
		t.Fatalf("message too long: %v", err)
	}
	if m, err := ParseMessage(strings.Repeat("ü", 300)); err != nil || m != Message(strings.Repeat("ü", 300)) {
		t.Fatalf("message of 300 characters: %q %v", m, err)
	}
}

func TestRelationOf(t *testing.T) {
	t.Parallel()
	me, you := uuid.New(), uuid.New()
	cases := []struct {
		other uuid.UUID
		f     Facts
		want  Relation
	}{
		{me, Facts{Connected: true}, Self},
		{you, Facts{}, None},
		{you, Facts{PendingOutgoing: true}, PendingOutgoing},
		{you, Facts{PendingIncoming: true}, PendingIncoming},
		{you, Facts{Connected: true}, Connected},
	}
	for _, tc := range cases {
		if got := RelationOf(me, tc.other, tc.f); got != tc.want {
			t.Errorf("RelationOf(%+v) = %s, want %s", tc.f, got, tc.want)
		}
	}
}

func TestParseMessageTextRules(t *testing.T) {
	t.Parallel()
	for msg, ok := range map[string]bool{
		"": true, "We met at the meetup": true, "Zoë 👋": true,
		"a\x00b": false, "a\nb": false, "\x1b[2J": false, "\u200b": false, "   ": false, "\xff": false,
	} {
		if _, err := ParseMessage(msg); ok != (err == nil) {
			t.Errorf("ParseMessage(%q) = %v", msg, err)
		}
	}
}

// Direction is parsed where it arrives (a query parameter): exactly the two
// names, anything else a bad request naming the field.
func TestParseDirection(t *testing.T) {
	for _, s := range []string{"incoming", "outgoing"} {
		if d, err := ParseDirection(s); err != nil || string(d) != s {
			t.Fatalf("%q: %q %v", s, d, err)
		}
	}
	for _, s := range []string{"", "sideways", "Incoming", "in\x00coming"} {
		_, err := ParseDirection(s)
		if !errors.Is(err, errs.ErrBadRequest) {
			t.Fatalf("%q: %v", s, err)
		}
		if f := errs.FieldsOf(err); len(f) != 1 || f[0].Field != "direction" || errs.MessageOf(err) != `direction must be "incoming" or "outgoing".` {
			t.Fatalf("%q: %v", s, err)
		}
	}
}

// One's own profile shows no mutual connections; anyone else's does.
func TestShowsMutual(t *testing.T) {
	a, b := uuid.New(), uuid.New()
	if ShowsMutual(a, a) || !ShowsMutual(a, b) {
		t.Fatal("mutual connections: hidden on one's own profile only")
	}
}
