package identitytest

import (
	"context"
	"sort"
	"strings"

	"github.com/google/uuid"

	"agora/domain/user"
	"agora/ports"
)

// SearchUsers implements identity.DirectoryStore.
func (m *MemStore) SearchUsers(_ context.Context, caller uuid.UUID, prefix string, page ports.PageRequest) (ports.Page[user.Summary], error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := strings.ToLower(prefix)
	var rows []user.Summary
	for _, u := range m.users {
		if !strings.HasPrefix(u.Username.Key(), p) && !strings.HasPrefix(strings.ToLower(u.DisplayName), p) {
			continue
		}
		if m.blocks[[2]uuid.UUID{caller, u.ID}] || m.blocks[[2]uuid.UUID{u.ID, caller}] {
			continue
		}
		if page.After != nil && u.Username.Key() <= page.After.Key {
			continue
		}
		rows = append(rows, u.Summary())
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Username.Key() < rows[j].Username.Key() })
	if len(rows) > page.Size()+1 {
		rows = rows[:page.Size()+1]
	}
	return ports.PageOf(rows, page.Size(), func(s user.Summary) ports.Cursor {
		return ports.Cursor{Key: s.Username.Key(), ID: s.ID}
	}), nil
}
