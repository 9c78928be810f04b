// Package connection holds the rules of mutual (LinkedIn-style) connections:
// the connection-request state machine, what sending a request does given
// the state of the pair, and the relation one user has to another. Every
// time passed in is the use case's clock reading, already cut to the
// database's precision (timestamp.Of); nothing here cuts it again.
package connection

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"agora/domain/errs"
	"agora/domain/text"
	"agora/domain/user"
)

// MaxMessageChars is the longest note a request may carry.
const MaxMessageChars = 300

// Status is where a request is in its life. pending is the only state a
// request can leave, and only once:
//
//	pending ──accept (recipient)──▶ accepted
//	        ──decline (recipient)─▶ declined
//	        ──withdraw (sender)───▶ withdrawn
type Status string

// The states.
const (
	Pending   Status = "pending"
	Accepted  Status = "accepted"
	Declined  Status = "declined"
	Withdrawn Status = "withdrawn"
)

// transitions is the whole state machine.
var transitions = map[Status][]Status{
	Pending: {Accepted, Declined, Withdrawn},
}

// CanMove reports whether a request may go from one status to the other.
func CanMove(from, to Status) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Request is a connection request from one user to another.
type Request struct {
	ID          uuid.UUID
	FromID      uuid.UUID
	ToID        uuid.UUID
	Message     string
	Status      Status
	CreatedAt   time.Time
	RespondedAt *time.Time
}

// The errors of the state machine and of sending. Acting on a request that
// is not yours to act on looks exactly like acting on one that does not
// exist. A store that finds the same clash itself (a constraint) answers
// with the same sentinel, its cause attached (errs.WithCause).
var (
	ErrNotFound   = errs.New(errs.ErrNotFound, "The connection request does not exist.")
	ErrNotPending = errs.New(errs.ErrConflict, "The connection request is no longer pending.")
	// ErrAlreadyConnected: a request to, or an acceptance of, someone one is connected with.
	ErrAlreadyConnected = errs.New(errs.ErrConflict, "You are already connected.")
	// ErrAlreadyRequested: a second request to the same user while the first is pending.
	ErrAlreadyRequested = errs.New(errs.ErrConflict, "You already have a pending request to this user.")
	// ErrPendingExists: a new request while one between the pair, either
	// way, is pending (the store's answer when a race beats Send's check).
	ErrPendingExists = errs.New(errs.ErrConflict, "A pending request between these users exists.")
)

// Accept is the recipient's yes; the two become connected.
func (r Request) Accept(actor uuid.UUID, now time.Time) (Request, error) {
	if actor != r.ToID {
		return r, ErrNotFound
	}
	return r.move(Accepted, now)
}

// Decline is the recipient's no.
func (r Request) Decline(actor uuid.UUID, now time.Time) (Request, error) {
	if actor != r.ToID {
		return r, ErrNotFound
	}
	return r.move(Declined, now)
}

// Withdraw is the sender taking the request back.
func (r Request) Withdraw(actor uuid.UUID, now time.Time) (Request, error) {
	if actor != r.FromID {
		return r, ErrNotFound
	}
	return r.move(Withdrawn, now)
}

func (r Request) move(to Status, now time.Time) (Request, error) {
	if !CanMove(r.Status, to) {
		return r, ErrNotPending
	}
	at := now
	if at.Before(r.CreatedAt) {
		at = r.CreatedAt
	}
	r.Status, r.RespondedAt = to, &at
	return r, nil
}

// Message is a request's note as parsed by ParseMessage ("" for none).
type Message string

// ParseMessage checks a request's note: optional, up to 300 characters on
// one line with no control character, and when given it shows something.
// The error text takes the limit from MaxMessageChars, so the two cannot drift.
func ParseMessage(msg string) (Message, error) {
	var fe errs.Fields
	if p := text.Problem(msg, text.SingleLine); p != "" {
		fe.Add("message", p)
	} else if utf8.RuneCountInString(msg) > MaxMessageChars {
		fe.Add("message", fmt.Sprintf("must be at most %d characters", MaxMessageChars))
	}
	if err := fe.Err(); err != nil {
		return "", err
	}
	return Message(msg), nil
}

// ErrToSelf is the answer to a request (or block) aimed at oneself.
var ErrToSelf = errs.Invalid(errs.FieldError{Field: "username", Message: "must not be yourself"})

// Pair is what is stored between a sender and a recipient when a request is
// sent: read and acted on in one transaction.
type Pair struct {
	Connected bool
	Blocked   bool     // either has blocked the other
	Pending   *Request // the pending request between the two, either direction
}

// Outcome is what sending a request does.
type Outcome struct {
	Request Request
	// AcceptedExisting: the recipient had already asked the sender, so that
	// request was accepted instead of a new one being made.
	AcceptedExisting bool
}

// Send decides what a request from one user to another does, given the
// pair's state: a new pending request; or, when the recipient already asked
// the sender, the acceptance of that request.
func Send(id, from, to uuid.UUID, message Message, pair Pair, now time.Time) (Outcome, error) {
	if from == to {
		return Outcome{}, ErrToSelf
	}
	if pair.Blocked {
		return Outcome{}, user.ErrNotFound
	}
	if pair.Connected {
		return Outcome{}, ErrAlreadyConnected
	}
	if p := pair.Pending; p != nil {
		if p.FromID == from {
			return Outcome{}, ErrAlreadyRequested
		}
		accepted, err := p.Accept(from, now)
		if err != nil {
			return Outcome{}, err
		}
		return Outcome{Request: accepted, AcceptedExisting: true}, nil
	}
	return Outcome{Request: Request{
		ID: id, FromID: from, ToID: to, Message: string(message), Status: Pending, CreatedAt: now,
	}}, nil
}

// Direction picks incoming or outgoing requests.
type Direction string

// The directions.
const (
	Incoming Direction = "incoming"
	Outgoing Direction = "outgoing"
)

// ParseDirection accepts exactly "incoming" or "outgoing". It is a query
// parameter, so anything else is a bad request.
func ParseDirection(s string) (Direction, error) {
	if d := Direction(s); d == Incoming || d == Outgoing {
		return d, nil
	}
	return "", errs.BadParameter("direction", `must be "incoming" or "outgoing"`, "")
}

// ShowsMutual reports whether viewer's view of other shows mutual
// connections (the list and its count). On one's own profile it does not:
// everyone connected to you would be "mutual" with yourself, which says
// nothing.
func ShowsMutual(viewer, other uuid.UUID) bool { return viewer != other }

// Relation is the viewer's relation to another user, as Profile shows it.
type Relation string

// The five relations.
const (
	Self            Relation = "self"
	None            Relation = "none"
	PendingOutgoing Relation = "pending_outgoing"
	PendingIncoming Relation = "pending_incoming"
	Connected       Relation = "connected"
)

// Facts are what the store knows about two users.
type Facts struct {
	Connected       bool
	PendingOutgoing bool // the viewer asked the other
	PendingIncoming bool // the other asked the viewer
}

// RelationOf names the viewer's relation to other.
func RelationOf(viewer, other uuid.UUID, f Facts) Relation {
	switch {
	case viewer == other:
		return Self
	case f.Connected:
		return Connected
	case f.PendingOutgoing:
		return PendingOutgoing
	case f.PendingIncoming:
		return PendingIncoming
	}
	return None
}
