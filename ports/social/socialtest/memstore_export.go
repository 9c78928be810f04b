package socialtest

import (
	"context"
	"slices"

	"github.com/google/uuid"

	"agora/domain/session"
	"agora/domain/user"
	"agora/ports/social"
)

// Export implements social.ExportStore.
func (m *MemStore) Export(_ context.Context, userID uuid.UUID) (social.Export, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	acc, ok := m.users[userID]
	if !ok {
		return social.Export{}, errNotFound
	}
	acc.PasswordHash = "" // as the database's export: no secret
	e := social.Export{Account: acc, Posts: []social.PostView{}, Requests: []social.RequestView{},
		Connections: []social.Connection{}, Blocks: []user.Summary{}, Sessions: []session.Session{}}
	for _, p := range m.posts {
		if p.AuthorID == userID {
			e.Posts = append(e.Posts, m.postView(p))
		}
	}
	slices.SortFunc(e.Posts, func(a, b social.PostView) int { return cmpNewest(a.CreatedAt, a.ID, b.CreatedAt, b.ID) })
	for _, r := range m.requests {
		if r.FromID == userID || r.ToID == userID {
			e.Requests = append(e.Requests, m.requestView(r))
		}
	}
	slices.SortFunc(e.Requests, func(a, b social.RequestView) int { return cmpNewest(a.CreatedAt, a.ID, b.CreatedAt, b.ID) })
	for k, at := range m.connections {
		if k[0] == userID {
			e.Connections = append(e.Connections, social.Connection{User: m.summary(k[1]), ConnectedAt: at})
		}
	}
	slices.SortFunc(e.Connections, func(a, b social.Connection) int {
		return cmpNewest(a.ConnectedAt, a.User.ID, b.ConnectedAt, b.User.ID)
	})
	var blocks []social.Blocked
	for k, at := range m.blocks {
		if k[0] == userID {
			blocks = append(blocks, social.Blocked{User: m.summary(k[1]), BlockedAt: at})
		}
	}
	slices.SortFunc(blocks, func(a, b social.Blocked) int { return cmpNewest(a.BlockedAt, a.User.ID, b.BlockedAt, b.User.ID) })
	for _, b := range blocks {
		e.Blocks = append(e.Blocks, b.User)
	}
	e.Sessions = append(e.Sessions, m.sessions[userID]...)
	slices.SortFunc(e.Sessions, func(a, b session.Session) int { return cmpNewest(a.CreatedAt, a.ID, b.CreatedAt, b.ID) })
	return e, nil
}
