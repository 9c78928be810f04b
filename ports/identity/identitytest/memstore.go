// Package identitytest holds test doubles of the identity ports: MemStore,
// an in-memory identity.Store that the service tests use, and the contract
// of every store interface (RunStoreContract runs them all), run against
// this fake and against the PostgreSQL adapter so that the fake cannot lie.
// Both come in one file per store interface.
package identitytest

import (
	"sync"
	"time"

	"github.com/google/uuid"

	"agora/domain/errs"
	"agora/domain/session"
	"agora/domain/user"
	"agora/ports/identity"
)

// MemStore is an in-memory identity.Store. Blocks are recorded with Block.
// One mutex guards everything, so each method is atomic as the
// PostgreSQL transactions are.
type MemStore struct {
	mu       sync.Mutex
	users    map[uuid.UUID]user.User
	sessions map[uuid.UUID]session.Session
	refresh  map[session.Hash]session.RefreshToken
	oneTime  map[session.Hash]session.OneTimeToken
	blocks   map[[2]uuid.UUID]bool
}

var _ identity.Store = (*MemStore)(nil)

// NewMemStore returns an empty store.
func NewMemStore() *MemStore {
	return &MemStore{
		users:    map[uuid.UUID]user.User{},
		sessions: map[uuid.UUID]session.Session{},
		refresh:  map[session.Hash]session.RefreshToken{},
		oneTime:  map[session.Hash]session.OneTimeToken{},
		blocks:   map[[2]uuid.UUID]bool{},
	}
}

// Block records that blocker blocks blocked (the social area's table).
func (m *MemStore) Block(blocker, blocked uuid.UUID) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.blocks[[2]uuid.UUID{blocker, blocked}] = true
}

func notFound() error { return errs.New(errs.ErrNotFound, "not found") }

// setHashLocked replaces a user's password hash.
func (m *MemStore) setHashLocked(id uuid.UUID, hash string, now time.Time) error {
	u, ok := m.users[id]
	if !ok {
		return user.ErrNotFound
	}
	u.PasswordHash, u.UpdatedAt = hash, now.UTC()
	m.users[id] = u
	return nil
}

// revokeUserLocked revokes every live session of a user but keep.
func (m *MemStore) revokeUserLocked(id, keep uuid.UUID, now time.Time) {
	for sid, s := range m.sessions {
		if s.UserID == id && sid != keep && s.RevokedAt == nil {
			t := now.UTC()
			s.RevokedAt = &t
			m.sessions[sid] = s
		}
	}
}

// spendTokensLocked marks every outstanding emailed token of a user used.
func (m *MemStore) spendTokensLocked(id uuid.UUID, now time.Time) {
	for h, t := range m.oneTime {
		if t.UserID == id && t.UsedAt == nil {
			n := now.UTC()
			t.UsedAt = &n
			m.oneTime[h] = t
		}
	}
}

// deleteSessionLocked deletes a session and its refresh tokens.
func (m *MemStore) deleteSessionLocked(id uuid.UUID) {
	delete(m.sessions, id)
	for h, rt := range m.refresh {
		if rt.SessionID == id {
			delete(m.refresh, h)
		}
	}
}
