package socialtest

import (
	"context"
	"time"

	"github.com/google/uuid"

	"agora/domain/connection"
	"agora/domain/errs"
	"agora/ports"
	"agora/ports/social"
)

func (m *MemStore) requestView(r connection.Request) social.RequestView {
	return social.RequestView{Request: r, From: m.summary(r.FromID), To: m.summary(r.ToID)}
}

func (m *MemStore) pendingBetween(a, b uuid.UUID) *connection.Request {
	for _, r := range m.requests {
		if r.Status == connection.Pending && (r.FromID == a && r.ToID == b || r.FromID == b && r.ToID == a) {
			return &r
		}
	}
	return nil
}

func (m *MemStore) connect(a, b uuid.UUID, at time.Time) error {
	if a == b {
		return errs.New(errs.ErrInvalid, "no connection to oneself")
	}
	if m.connected(a, b) {
		return connection.ErrAlreadyConnected
	}
	m.connections[[2]uuid.UUID{a, b}] = at
	m.connections[[2]uuid.UUID{b, a}] = at
	return nil
}

// SendRequest implements social.ConnectionStore.
func (m *MemStore) SendRequest(_ context.Context, from, to uuid.UUID, decide func(connection.Pair) (connection.Outcome, error)) (social.RequestView, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.users[to]; !ok {
		return social.RequestView{}, errNotFound
	}
	pair := connection.Pair{Connected: m.connected(from, to), Blocked: m.blockedEitherWay(from, to), Pending: m.pendingBetween(from, to)}
	out, err := decide(pair)
	if err != nil {
		return social.RequestView{}, err
	}
	r := out.Request
	if out.AcceptedExisting {
		if err := m.store(r); err != nil {
			return social.RequestView{}, err
		}
		return m.requestView(r), nil
	}
	if r.FromID == r.ToID {
		return social.RequestView{}, errs.New(errs.ErrInvalid, "a request to oneself")
	}
	if pair.Pending != nil {
		return social.RequestView{}, connection.ErrPendingExists
	}
	m.requests[r.ID] = r
	return m.requestView(r), nil
}

// store writes a moved request, and the connection when accepted, with the
// checks the database's trigger makes.
func (m *MemStore) store(r connection.Request) error {
	old, ok := m.requests[r.ID]
	if !ok {
		return errNotFound
	}
	if !connection.CanMove(old.Status, r.Status) || old.FromID != r.FromID || old.ToID != r.ToID {
		return connection.ErrNotPending
	}
	if r.Status == connection.Accepted {
		if err := m.connect(r.FromID, r.ToID, *r.RespondedAt); err != nil {
			return err
		}
	}
	old.Status, old.RespondedAt = r.Status, r.RespondedAt
	m.requests[r.ID] = old
	return nil
}

// UpdateRequest implements social.ConnectionStore.
func (m *MemStore) UpdateRequest(_ context.Context, id uuid.UUID, change func(connection.Request) (connection.Request, error)) (social.RequestView, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.requests[id]
	if !ok {
		return social.RequestView{}, errNotFound
	}
	moved, err := change(r)
	if err != nil {
		return social.RequestView{}, err
	}
	if err := m.store(moved); err != nil {
		return social.RequestView{}, err
	}
	return m.requestView(m.requests[id]), nil
}

// PendingRequests implements social.ConnectionStore.
func (m *MemStore) PendingRequests(_ context.Context, userID uuid.UUID, dir connection.Direction, page ports.PageRequest) (ports.Page[social.RequestView], error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []social.RequestView
	for _, r := range m.requests {
		if r.Status == connection.Pending && (dir == connection.Incoming && r.ToID == userID || dir == connection.Outgoing && r.FromID == userID) {
			out = append(out, m.requestView(r))
		}
	}
	return newestFirst(out, func(v social.RequestView) (time.Time, uuid.UUID) { return v.CreatedAt, v.ID }, page), nil
}

func connKey(c social.Connection) (time.Time, uuid.UUID) { return c.ConnectedAt, c.User.ID }

// Connections implements social.ConnectionStore.
func (m *MemStore) Connections(_ context.Context, viewer, userID uuid.UUID, page ports.PageRequest) (ports.Page[social.Connection], error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []social.Connection
	for k, at := range m.connections {
		if k[0] == userID && !m.blockedEitherWay(viewer, k[1]) {
			out = append(out, social.Connection{User: m.summary(k[1]), ConnectedAt: at})
		}
	}
	return newestFirst(out, connKey, page), nil
}

// MutualConnections implements social.ConnectionStore.
func (m *MemStore) MutualConnections(_ context.Context, viewer, userID uuid.UUID, page ports.PageRequest) (ports.Page[social.Connection], error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []social.Connection
	for k, at := range m.connections {
		if k[0] == viewer && m.connected(userID, k[1]) {
			out = append(out, social.Connection{User: m.summary(k[1]), ConnectedAt: at})
		}
	}
	return newestFirst(out, connKey, page), nil
}

// RemoveConnection implements social.ConnectionStore.
func (m *MemStore) RemoveConnection(_ context.Context, a, b uuid.UUID) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.connected(a, b) {
		return errNotFound
	}
	delete(m.connections, [2]uuid.UUID{a, b})
	delete(m.connections, [2]uuid.UUID{b, a})
	return nil
}
