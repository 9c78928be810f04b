package socialtest

import (
	"context"
	"time"

	"github.com/google/uuid"

	"agora/domain/errs"
	"agora/ports"
	"agora/ports/social"
)

// Block implements social.BlockStore.
func (m *MemStore) Block(_ context.Context, blocker, blocked uuid.UUID, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.users[blocked]; !ok {
		return errNotFound
	}
	if blocker == blocked {
		return errs.New(errs.ErrInvalid, "no block of oneself")
	}
	k := [2]uuid.UUID{blocker, blocked}
	if _, ok := m.blocks[k]; !ok {
		m.blocks[k] = at
	}
	delete(m.connections, [2]uuid.UUID{blocker, blocked})
	delete(m.connections, [2]uuid.UUID{blocked, blocker})
	if r := m.pendingBetween(blocker, blocked); r != nil {
		delete(m.requests, r.ID)
	}
	return nil
}

// Unblock implements social.BlockStore.
func (m *MemStore) Unblock(_ context.Context, blocker, blocked uuid.UUID) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.blocks, [2]uuid.UUID{blocker, blocked})
	return nil
}

// Blocks implements social.BlockStore.
func (m *MemStore) Blocks(_ context.Context, blocker uuid.UUID, page ports.PageRequest) (ports.Page[social.Blocked], error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []social.Blocked
	for k, at := range m.blocks {
		if k[0] == blocker {
			out = append(out, social.Blocked{User: m.summary(k[1]), BlockedAt: at})
		}
	}
	return newestFirst(out, func(b social.Blocked) (time.Time, uuid.UUID) { return b.BlockedAt, b.User.ID }, page), nil
}
