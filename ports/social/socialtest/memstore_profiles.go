package socialtest

import (
	"context"

	"github.com/google/uuid"

	"agora/domain/connection"
	"agora/domain/user"
	"agora/ports/social"
)

// FindUser implements social.ProfileStore.
func (m *MemStore) FindUser(_ context.Context, username user.Username) (user.Summary, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.findVisible(uuid.Nil, username)
}

// FindVisibleUser implements social.ProfileStore.
func (m *MemStore) FindVisibleUser(_ context.Context, viewer uuid.UUID, username user.Username) (user.Summary, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.findVisible(viewer, username)
}

// findVisible is the summary of the account named username unless it and
// viewer block each other, either way; uuid.Nil blocks nobody. The caller
// holds m.mu.
func (m *MemStore) findVisible(viewer uuid.UUID, username user.Username) (user.Summary, error) {
	u, ok := m.byName(username)
	if !ok || m.blockedEitherWay(viewer, u.ID) {
		return user.Summary{}, errNotFound
	}
	return m.summary(u.ID), nil
}

// Profile implements social.ProfileStore.
func (m *MemStore) Profile(_ context.Context, viewer uuid.UUID, username user.Username) (social.ProfileRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.byName(username)
	if !ok || m.blockedEitherWay(viewer, u.ID) {
		return social.ProfileRecord{}, errNotFound
	}
	r := social.ProfileRecord{PublicProfile: social.PublicProfile{User: m.summary(u.ID), Headline: u.Headline, Bio: u.Bio, CreatedAt: u.CreatedAt}}
	for k := range m.connections {
		if k[0] == u.ID && !m.blockedEitherWay(viewer, k[1]) {
			r.ConnectionsCount++
			if m.connected(viewer, k[1]) {
				r.MutualConnectionsCount++
			}
		}
	}
	r.Facts.Connected = m.connected(viewer, u.ID)
	for _, q := range m.requests {
		if q.Status != connection.Pending {
			continue
		}
		r.Facts.PendingOutgoing = r.Facts.PendingOutgoing || q.FromID == viewer && q.ToID == u.ID
		r.Facts.PendingIncoming = r.Facts.PendingIncoming || q.FromID == u.ID && q.ToID == viewer
	}
	return r, nil
}
