package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"

	"agora/adapters/postgres/internal/db"
	"agora/domain/connection"
	"agora/domain/errs"
	"agora/domain/user"
	"agora/ports"
	"agora/ports/social"
)

// requestRow is what every request view query returns: the request
// (sqlc.embed) and both parties' names.
type requestRow struct {
	ConnectionRequest db.ConnectionRequest
	FromUsername      string
	FromDisplayName   string
	ToUsername        string
	ToDisplayName     string
}

func (r requestRow) view() social.RequestView {
	q := toRequest(r.ConnectionRequest)
	return social.RequestView{
		Request: q,
		From:    toSummary(q.FromID, r.FromUsername, r.FromDisplayName),
		To:      toSummary(q.ToID, r.ToUsername, r.ToDisplayName),
	}
}

func requestCursor(v social.RequestView) ports.Cursor {
	return ports.Cursor{Time: v.CreatedAt, ID: v.ID}
}

func toRequest(r db.ConnectionRequest) connection.Request {
	return connection.Request{
		ID: r.ID, FromID: r.FromID, ToID: r.ToID, Message: r.Message, Status: connection.Status(r.Status),
		CreatedAt: r.CreatedAt.UTC(), RespondedAt: utcPtr(r.RespondedAt),
	}
}

// connRow is the shape of connection lists.
type connRow struct {
	OtherID     uuid.UUID
	CreatedAt   time.Time
	Username    string
	DisplayName string
}

func (r connRow) connection() social.Connection {
	return social.Connection{
		User:        toSummary(r.OtherID, r.Username, r.DisplayName),
		ConnectedAt: r.CreatedAt.UTC(),
	}
}

func connCursor(c social.Connection) ports.Cursor {
	return ports.Cursor{Time: c.ConnectedAt, ID: c.User.ID}
}

func lockPair(ctx context.Context, q *db.Queries, a, b uuid.UUID) error {
	return q.LockPair(ctx, db.LockPairParams{A: a, B: b})
}

// storeMove writes a request's new state; an accepted request connects its
// two users in the same transaction.
func storeMove(ctx context.Context, q *db.Queries, r connection.Request) error {
	if err := q.SetRequestStatus(ctx, db.SetRequestStatusParams{ID: r.ID, Status: string(r.Status), RespondedAt: r.RespondedAt}); err != nil {
		return err
	}
	if r.Status != connection.Accepted {
		return nil
	}
	if r.RespondedAt == nil {
		return errs.New(errs.ErrInvalid, "an accepted request needs its time")
	}
	return q.InsertConnectionPair(ctx, db.InsertConnectionPairParams{A: r.FromID, B: r.ToID, At: *r.RespondedAt})
}

func requestView(ctx context.Context, q *db.Queries, id uuid.UUID) (social.RequestView, error) {
	r, err := q.GetRequestView(ctx, id)
	if err != nil {
		return social.RequestView{}, err
	}
	return requestRow(r).view(), nil
}

// SendRequest implements social.ConnectionStore. The pair lock makes two
// users who ask each other at the same instant run one after the other: the
// second sees the first's pending request and accepts it.
func (s *SocialStore) SendRequest(ctx context.Context, from, to uuid.UUID, decide func(connection.Pair) (connection.Outcome, error)) (social.RequestView, error) {
	var v social.RequestView
	err := inTx(ctx, s.pool, s.q, func(q *db.Queries) error {
		if err := lockPair(ctx, q, from, to); err != nil {
			return err
		}
		facts, err := q.PairFacts(ctx, db.PairFactsParams{A: from, B: to})
		if err != nil {
			return err
		}
		pair := connection.Pair{Connected: facts.Connected, Blocked: facts.Blocked}
		pending, err := q.PendingRequestBetween(ctx, db.PendingRequestBetweenParams{A: from, B: to})
		if err != nil {
			return err
		}
		if len(pending) > 0 {
			r := toRequest(pending[0])
			pair.Pending = &r
		}
		out, err := decide(pair)
		if err != nil {
			return err
		}
		r := out.Request
		if out.AcceptedExisting {
			err = storeMove(ctx, q, r)
		} else {
			err = q.InsertRequest(ctx, db.InsertRequestParams{
				ID: r.ID, FromID: r.FromID, ToID: r.ToID, Message: r.Message, Status: string(r.Status),
				CreatedAt: r.CreatedAt, RespondedAt: r.RespondedAt,
			})
		}
		if err != nil {
			return err
		}
		v, err = requestView(ctx, q, r.ID)
		return err
	})
	return v, socialErr(err)
}

// UpdateRequest implements social.ConnectionStore.
func (s *SocialStore) UpdateRequest(ctx context.Context, id uuid.UUID, change func(connection.Request) (connection.Request, error)) (social.RequestView, error) {
	var v social.RequestView
	err := inTx(ctx, s.pool, s.q, func(q *db.Queries) error {
		first, err := q.GetRequest(ctx, id)
		if err != nil {
			return err
		}
		if err := lockPair(ctx, q, first.FromID, first.ToID); err != nil {
			return err
		}
		row, err := q.LockRequest(ctx, id) // read again under the lock
		if err != nil {
			return err
		}
		moved, err := change(toRequest(row))
		if err != nil {
			return err
		}
		if moved.ID != id {
			return errs.New(errs.ErrInvalid, "a change may not replace the request")
		}
		if err := storeMove(ctx, q, moved); err != nil {
			return err
		}
		v, err = requestView(ctx, q, id)
		return err
	})
	return v, socialErr(err)
}

// PendingRequests implements social.ConnectionStore. They are read on the
// primary: this is the list a user acts on (accept, decline, withdraw), so
// it must not lag behind what they just did.
func (s *SocialStore) PendingRequests(ctx context.Context, userID uuid.UUID, dir connection.Direction, page ports.PageRequest) (ports.Page[social.RequestView], error) {
	primary := reads{primary: s.q}
	switch dir {
	case connection.Incoming:
		return readPage(ctx, primary, page, func(q *db.Queries, after ports.Cursor, n int32) ([]db.ListIncomingRequestsRow, error) {
			return q.ListIncomingRequests(ctx, db.ListIncomingRequestsParams{UserID: userID, BeforeTime: after.Time, BeforeID: after.ID, MaxRows: n})
		}, func(r db.ListIncomingRequestsRow) social.RequestView { return requestRow(r).view() }, requestCursor)
	case connection.Outgoing:
		return readPage(ctx, primary, page, func(q *db.Queries, after ports.Cursor, n int32) ([]db.ListOutgoingRequestsRow, error) {
			return q.ListOutgoingRequests(ctx, db.ListOutgoingRequestsParams{UserID: userID, BeforeTime: after.Time, BeforeID: after.ID, MaxRows: n})
		}, func(r db.ListOutgoingRequestsRow) social.RequestView { return requestRow(r).view() }, requestCursor)
	}
	return ports.Page[social.RequestView]{}, errs.New(errs.ErrBadRequest, "unknown direction")
}

// Connections implements social.ConnectionStore.
func (s *SocialStore) Connections(ctx context.Context, viewer, userID uuid.UUID, page ports.PageRequest) (ports.Page[social.Connection], error) {
	return readPage(ctx, s.reads, page, func(q *db.Queries, after ports.Cursor, n int32) ([]db.ListConnectionsRow, error) {
		return q.ListConnections(ctx, db.ListConnectionsParams{UserID: userID, Viewer: viewer, BeforeTime: after.Time, BeforeID: after.ID, MaxRows: n})
	}, func(r db.ListConnectionsRow) social.Connection { return connRow(r).connection() }, connCursor)
}

// MutualConnections implements social.ConnectionStore.
func (s *SocialStore) MutualConnections(ctx context.Context, viewer, userID uuid.UUID, page ports.PageRequest) (ports.Page[social.Connection], error) {
	return readPage(ctx, s.reads, page, func(q *db.Queries, after ports.Cursor, n int32) ([]db.ListMutualConnectionsRow, error) {
		return q.ListMutualConnections(ctx, db.ListMutualConnectionsParams{UserID: userID, Viewer: viewer, BeforeTime: after.Time, BeforeID: after.ID, MaxRows: n})
	}, func(r db.ListMutualConnectionsRow) social.Connection { return connRow(r).connection() }, connCursor)
}

// RemoveConnection implements social.ConnectionStore.
func (s *SocialStore) RemoveConnection(ctx context.Context, a, b uuid.UUID) error {
	return socialErr(inTx(ctx, s.pool, s.q, func(q *db.Queries) error {
		if err := lockPair(ctx, q, a, b); err != nil {
			return err
		}
		n, err := q.DeleteConnectionPair(ctx, db.DeleteConnectionPairParams{A: a, B: b})
		if err == nil && n == 0 {
			return errs.New(errs.ErrNotFound, "not connected")
		}
		return err
	}))
}

// Profile implements social.ProfileStore.
func (s *SocialStore) Profile(ctx context.Context, viewer uuid.UUID, username user.Username) (social.ProfileRecord, error) {
	var r db.GetProfileRow
	err := s.reads.run(ctx, func(q *db.Queries) (err error) {
		r, err = q.GetProfile(ctx, db.GetProfileParams{Viewer: viewer, Username: string(username)})
		return err
	})
	if err != nil {
		return social.ProfileRecord{}, socialErr(err)
	}
	return social.ProfileRecord{
		PublicProfile: social.PublicProfile{
			User:     toSummary(r.ID, r.Username, r.DisplayName),
			Headline: r.Headline, Bio: r.Bio, CreatedAt: r.CreatedAt.UTC(),
			ConnectionsCount: int(r.ConnectionsCount), MutualConnectionsCount: int(r.MutualCount),
		},
		Facts: connection.Facts{Connected: r.Connected, PendingOutgoing: r.PendingOutgoing, PendingIncoming: r.PendingIncoming},
	}, nil
}
