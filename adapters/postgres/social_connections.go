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

// socialRequestRow is the shape every request query returns.
type socialRequestRow struct {
	ID              uuid.UUID
	FromID          uuid.UUID
	ToID            uuid.UUID
	Message         string
	Status          string
	CreatedAt       time.Time
	RespondedAt     *time.Time
	FromUsername    string
	FromDisplayName string
	ToUsername      string
	ToDisplayName   string
}

func (r socialRequestRow) view() social.RequestView {
	return social.RequestView{
		Request: connection.Request{
			ID: r.ID, FromID: r.FromID, ToID: r.ToID, Message: r.Message, Status: connection.Status(r.Status),
			CreatedAt: r.CreatedAt.UTC(), RespondedAt: socialUTCPtr(r.RespondedAt),
		},
		From: user.Summary{ID: r.FromID, Username: user.Username(r.FromUsername), DisplayName: r.FromDisplayName},
		To:   user.Summary{ID: r.ToID, Username: user.Username(r.ToUsername), DisplayName: r.ToDisplayName},
	}
}

func socialRequest(r db.ConnectionRequest) connection.Request {
	return connection.Request{
		ID: r.ID, FromID: r.FromID, ToID: r.ToID, Message: r.Message, Status: connection.Status(r.Status),
		CreatedAt: r.CreatedAt.UTC(), RespondedAt: socialUTCPtr(r.RespondedAt),
	}
}

// socialConnRow is the shape of connection lists.
type socialConnRow struct {
	OtherID     uuid.UUID
	CreatedAt   time.Time
	Username    string
	DisplayName string
}

func (r socialConnRow) connection() social.Connection {
	return social.Connection{
		User:        user.Summary{ID: r.OtherID, Username: user.Username(r.Username), DisplayName: r.DisplayName},
		ConnectedAt: r.CreatedAt.UTC(),
	}
}

func socialConnCursor(c social.Connection) ports.Cursor {
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
	return socialRequestRow(r).view(), nil
}

// SendRequest implements social.ConnectionStore. The pair lock makes two
// users who ask each other at the same instant run one after the other: the
// second sees the first's pending request and accepts it.
func (s *SocialStore) SendRequest(ctx context.Context, from, to uuid.UUID, decide func(connection.Pair) (connection.Outcome, error)) (social.RequestView, error) {
	var v social.RequestView
	err := socialTx(ctx, s, func(q *db.Queries) error {
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
			r := socialRequest(pending[0])
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
	err := socialTx(ctx, s, func(q *db.Queries) error {
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
		moved, err := change(socialRequest(row))
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

// PendingRequests implements social.ConnectionStore.
func (s *SocialStore) PendingRequests(ctx context.Context, userID uuid.UUID, dir social.Direction, page ports.PageRequest) (ports.Page[social.RequestView], error) {
	t, id := socialPosition(page)
	var rows []socialRequestRow
	switch dir {
	case social.Incoming:
		rs, err := s.q.ListIncomingRequests(ctx, db.ListIncomingRequestsParams{UserID: userID, BeforeTime: t, BeforeID: id, MaxRows: socialMaxRows(page)})
		if err != nil {
			return ports.Page[social.RequestView]{}, socialErr(err)
		}
		for _, r := range rs {
			rows = append(rows, socialRequestRow(r))
		}
	case social.Outgoing:
		rs, err := s.q.ListOutgoingRequests(ctx, db.ListOutgoingRequestsParams{UserID: userID, BeforeTime: t, BeforeID: id, MaxRows: socialMaxRows(page)})
		if err != nil {
			return ports.Page[social.RequestView]{}, socialErr(err)
		}
		for _, r := range rs {
			rows = append(rows, socialRequestRow(r))
		}
	default:
		return ports.Page[social.RequestView]{}, errs.New(errs.ErrBadRequest, "unknown direction")
	}
	views := make([]social.RequestView, 0, len(rows))
	for _, r := range rows {
		views = append(views, r.view())
	}
	return ports.PageOf(views, page.Size(), func(v social.RequestView) ports.Cursor {
		return ports.Cursor{Time: v.CreatedAt, ID: v.ID}
	}), nil
}

// Connections implements social.ConnectionStore.
func (s *SocialStore) Connections(ctx context.Context, viewer, userID uuid.UUID, page ports.PageRequest) (ports.Page[social.Connection], error) {
	return readPage(ctx, s, page, func(q *db.Queries, t time.Time, id uuid.UUID, n int32) ([]db.ListConnectionsRow, error) {
		return q.ListConnections(ctx, db.ListConnectionsParams{UserID: userID, Viewer: viewer, BeforeTime: t, BeforeID: id, MaxRows: n})
	}, func(r db.ListConnectionsRow) social.Connection { return socialConnRow(r).connection() }, socialConnCursor)
}

// MutualConnections implements social.ConnectionStore.
func (s *SocialStore) MutualConnections(ctx context.Context, viewer, userID uuid.UUID, page ports.PageRequest) (ports.Page[social.Connection], error) {
	return readPage(ctx, s, page, func(q *db.Queries, t time.Time, id uuid.UUID, n int32) ([]db.ListMutualConnectionsRow, error) {
		return q.ListMutualConnections(ctx, db.ListMutualConnectionsParams{UserID: userID, Viewer: viewer, BeforeTime: t, BeforeID: id, MaxRows: n})
	}, func(r db.ListMutualConnectionsRow) social.Connection { return socialConnRow(r).connection() }, socialConnCursor)
}

// RemoveConnection implements social.ConnectionStore.
func (s *SocialStore) RemoveConnection(ctx context.Context, a, b uuid.UUID) error {
	return socialErr(socialTx(ctx, s, func(q *db.Queries) error {
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

// Profile implements social.UserStore.
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
		User:     user.Summary{ID: r.ID, Username: user.Username(r.Username), DisplayName: r.DisplayName},
		Headline: r.Headline, Bio: r.Bio, CreatedAt: r.CreatedAt.UTC(),
		ConnectionsCount: int(r.ConnectionsCount), MutualConnectionsCount: int(r.MutualCount),
		Facts: connection.Facts{Connected: r.Connected, PendingOutgoing: r.PendingOutgoing, PendingIncoming: r.PendingIncoming},
	}, nil
}
