package social

import (
	"context"
	"time"

	"github.com/google/uuid"

	"agora/domain/connection"
	"agora/domain/user"
	"agora/ports"
)

// SendRequest asks a user to connect, or accepts their pending request to
// the viewer.
func (s *Service) SendRequest(ctx context.Context, viewer uuid.UUID, username user.Username, message connection.Message) (RequestView, error) {
	to, err := s.findVisible(ctx, viewer, username)
	if err != nil {
		return RequestView{}, err
	}
	// A request to oneself is refused by connection.Send, inside the store's
	// transaction.
	id, err := s.newID()
	if err != nil {
		return RequestView{}, err
	}
	accepted := false
	v, err := s.connections.SendRequest(ctx, viewer, to.ID, func(p connection.Pair) (connection.Outcome, error) {
		out, err := connection.Send(id, viewer, to.ID, message, p, s.now())
		accepted = out.AcceptedExisting
		return out, err
	})
	if err != nil {
		return RequestView{}, err
	}
	if accepted {
		s.d.Metrics.ConnectionRequest(OutcomeAccepted)
	} else {
		s.d.Metrics.ConnectionRequest(OutcomeSent)
	}
	return v, nil
}

// AcceptRequest is the recipient's yes.
func (s *Service) AcceptRequest(ctx context.Context, viewer, id uuid.UUID) (RequestView, error) {
	return s.respond(ctx, viewer, id, connection.Request.Accept, OutcomeAccepted)
}

// DeclineRequest is the recipient's no.
func (s *Service) DeclineRequest(ctx context.Context, viewer, id uuid.UUID) (RequestView, error) {
	return s.respond(ctx, viewer, id, connection.Request.Decline, OutcomeDeclined)
}

// WithdrawRequest is the sender taking a request back.
func (s *Service) WithdrawRequest(ctx context.Context, viewer, id uuid.UUID) error {
	_, err := s.respond(ctx, viewer, id, connection.Request.Withdraw, OutcomeWithdrawn)
	return err
}

func (s *Service) respond(ctx context.Context, viewer, id uuid.UUID,
	move func(connection.Request, uuid.UUID, time.Time) (connection.Request, error), outcome string,
) (RequestView, error) {
	v, err := s.connections.UpdateRequest(ctx, id, func(r connection.Request) (connection.Request, error) {
		return move(r, viewer, s.now())
	})
	if err != nil {
		return RequestView{}, requestErr(err)
	}
	s.d.Metrics.ConnectionRequest(outcome)
	return v, nil
}

// PendingRequests lists the viewer's pending requests in one direction.
func (s *Service) PendingRequests(ctx context.Context, viewer uuid.UUID, dir connection.Direction, page ports.PageRequest) (ports.Page[RequestView], error) {
	return s.connections.PendingRequests(ctx, viewer, dir, page)
}

// Connections lists the viewer's own connections.
func (s *Service) Connections(ctx context.Context, viewer uuid.UUID, page ports.PageRequest) (ports.Page[Connection], error) {
	return s.connections.Connections(ctx, viewer, viewer, page)
}

// UserConnections lists another user's connections.
func (s *Service) UserConnections(ctx context.Context, viewer uuid.UUID, username user.Username, page ports.PageRequest) (ports.Page[Connection], error) {
	u, err := s.findVisible(ctx, viewer, username)
	if err != nil {
		return ports.Page[Connection]{}, err
	}
	return s.connections.Connections(ctx, viewer, u.ID, page)
}

// MutualConnections lists the people connected to both the viewer and a
// user; empty where connection.ShowsMutual says so, like the profile's count.
func (s *Service) MutualConnections(ctx context.Context, viewer uuid.UUID, username user.Username, page ports.PageRequest) (ports.Page[user.Summary], error) {
	u, err := s.findVisible(ctx, viewer, username)
	if err != nil || !connection.ShowsMutual(viewer, u.ID) {
		return ports.Page[user.Summary]{}, err
	}
	p, err := s.connections.MutualConnections(ctx, viewer, u.ID, page)
	return ports.MapPage(p, func(c Connection) user.Summary { return c.User }), err
}

// RemoveConnection disconnects the viewer from a user (either side may).
func (s *Service) RemoveConnection(ctx context.Context, viewer uuid.UUID, username user.Username) error {
	u, err := s.findVisible(ctx, viewer, username)
	if err != nil {
		return err
	}
	return notConnected(s.connections.RemoveConnection(ctx, viewer, u.ID))
}
