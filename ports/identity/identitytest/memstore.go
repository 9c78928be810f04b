// Package identitytest holds test doubles of the identity ports: an
// in-memory Store that the service tests use, and the contract every Store
// must keep (RunStoreContract), run against this fake and against the
// PostgreSQL adapter so that the fake cannot lie.
package identitytest

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"agora/domain/errs"
	"agora/domain/session"
	"agora/domain/user"
	"agora/ports"
	"agora/ports/identity"
)

// MemStore is an in-memory identity.Store. Blocks are recorded with Block.
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

// CreateUser implements identity.Store.
func (m *MemStore) CreateUser(_ context.Context, u user.User, s session.Session, rt session.RefreshToken) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, o := range m.users {
		if o.Username.Key() == u.Username.Key() {
			return identity.ErrUsernameTaken
		}
	}
	for _, o := range m.users {
		if o.Email.Key() == u.Email.Key() {
			return identity.ErrEmailTaken
		}
	}
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	m.users[u.ID] = u
	m.sessions[s.ID] = s
	m.refresh[rt.Hash] = rt
	return nil
}

// UserByID implements identity.Store.
func (m *MemStore) UserByID(_ context.Context, id uuid.UUID) (user.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.users[id]
	if !ok {
		return user.User{}, notFound()
	}
	return u, nil
}

func (m *MemStore) find(match func(user.User) bool) (user.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, u := range m.users {
		if match(u) {
			return u, nil
		}
	}
	return user.User{}, notFound()
}

// UserByUsername implements identity.Store.
func (m *MemStore) UserByUsername(_ context.Context, username string) (user.User, error) {
	k := strings.ToLower(username)
	return m.find(func(u user.User) bool { return u.Username.Key() == k })
}

// UserByEmail implements identity.Store.
func (m *MemStore) UserByEmail(_ context.Context, email string) (user.User, error) {
	k := strings.ToLower(email)
	return m.find(func(u user.User) bool { return u.Email.Key() == k })
}

// UpdateProfile implements identity.Store.
func (m *MemStore) UpdateProfile(_ context.Context, id uuid.UUID, c user.ProfileChanges, now time.Time) (user.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.users[id]
	if !ok {
		return user.User{}, notFound()
	}
	u = c.Apply(u, now.UTC())
	m.users[id] = u
	return u, nil
}

// SetPasswordHash implements identity.Store.
func (m *MemStore) SetPasswordHash(_ context.Context, id uuid.UUID, hash string, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.users[id]
	if !ok {
		return notFound()
	}
	u.PasswordHash, u.UpdatedAt = hash, now.UTC()
	m.users[id] = u
	return nil
}

// ChangePassword implements identity.Store.
func (m *MemStore) ChangePassword(_ context.Context, id uuid.UUID, hash string, keep uuid.UUID, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.users[id]
	if !ok {
		return notFound()
	}
	u.PasswordHash, u.UpdatedAt = hash, now.UTC()
	m.users[id] = u
	m.spendTokensLocked(id, now)
	m.revokeUserLocked(id, keep, now)
	return nil
}

func (m *MemStore) revokeUserLocked(id, keep uuid.UUID, now time.Time) {
	for sid, s := range m.sessions {
		if s.UserID == id && sid != keep && s.RevokedAt == nil {
			t := now.UTC()
			s.RevokedAt = &t
			m.sessions[sid] = s
		}
	}
}

// DeleteUser implements identity.Store.
func (m *MemStore) DeleteUser(_ context.Context, id uuid.UUID) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.users[id]; !ok {
		return notFound()
	}
	delete(m.users, id)
	for sid, s := range m.sessions {
		if s.UserID == id {
			delete(m.sessions, sid)
			for h, rt := range m.refresh {
				if rt.SessionID == sid {
					delete(m.refresh, h)
				}
			}
		}
	}
	for h, t := range m.oneTime {
		if t.UserID == id {
			delete(m.oneTime, h)
		}
	}
	for k := range m.blocks {
		if k[0] == id || k[1] == id {
			delete(m.blocks, k)
		}
	}
	return nil
}

// SearchUsers implements identity.Store.
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
	if len(rows) > page.Limit+1 {
		rows = rows[:page.Limit+1]
	}
	return ports.PageOf(rows, page.Limit, func(s user.Summary) ports.Cursor {
		return ports.Cursor{Key: s.Username.Key(), ID: s.ID}
	}), nil
}

// CreateSession implements identity.Store.
func (m *MemStore) CreateSession(_ context.Context, s session.Session, rt session.RefreshToken) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.users[s.UserID]; !ok {
		return notFound()
	}
	m.sessions[s.ID] = s
	m.refresh[rt.Hash] = rt
	return nil
}

// Refresh implements identity.Store.
func (m *MemStore) Refresh(_ context.Context, presented session.Hash, decide func(session.RefreshToken, session.Session) (identity.RefreshPlan, error)) (session.Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rt, ok := m.refresh[presented]
	if !ok {
		return session.Session{}, notFound()
	}
	s := m.sessions[rt.SessionID]
	plan, derr := decide(rt, s)
	now := plan.Now.UTC()
	if plan.Revoke && s.RevokedAt == nil {
		s.RevokedAt = &now
		m.sessions[s.ID] = s
	}
	if plan.Next != nil {
		rt.UsedAt = &now
		m.refresh[presented] = rt
		m.refresh[plan.Next.Hash] = *plan.Next
		s.LastUsedAt = now
		m.sessions[s.ID] = s
	}
	return s, derr
}

// RevokeSessionOf implements identity.Store.
func (m *MemStore) RevokeSessionOf(_ context.Context, presented session.Hash, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	rt, ok := m.refresh[presented]
	if !ok {
		return notFound()
	}
	s := m.sessions[rt.SessionID]
	if s.RevokedAt == nil {
		t := now.UTC()
		s.RevokedAt = &t
		m.sessions[s.ID] = s
	}
	return nil
}

// SessionLive implements identity.Store.
func (m *MemStore) SessionLive(_ context.Context, sessionID, userID uuid.UUID, now time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[sessionID]
	return ok && s.UserID == userID && s.Live(now), nil
}

// CreateOneTimeToken implements identity.Store.
func (m *MemStore) CreateOneTimeToken(_ context.Context, t session.OneTimeToken) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.users[t.UserID]; !ok {
		return notFound()
	}
	m.oneTime[t.Hash] = t
	return nil
}

func (m *MemStore) redeemLocked(h session.Hash, p session.Purpose, now time.Time) (uuid.UUID, error) {
	t, ok := m.oneTime[h]
	if !ok || !t.Usable(p, now) {
		return uuid.Nil, notFound()
	}
	n := now.UTC()
	t.UsedAt = &n
	m.oneTime[h] = t
	return t.UserID, nil
}

// ResetPassword implements identity.Store.
func (m *MemStore) ResetPassword(_ context.Context, presented session.Hash, hash string, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	id, err := m.redeemLocked(presented, session.PasswordReset, now)
	if err != nil {
		return err
	}
	u := m.users[id]
	u.PasswordHash, u.UpdatedAt = hash, now.UTC()
	m.users[id] = u
	m.spendTokensLocked(id, now)
	m.revokeUserLocked(id, uuid.Nil, now)
	return nil
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

// VerifyEmail implements identity.Store.
func (m *MemStore) VerifyEmail(_ context.Context, presented session.Hash, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	id, err := m.redeemLocked(presented, session.EmailVerification, now)
	if err != nil {
		return err
	}
	u := m.users[id]
	if u.EmailVerifiedAt == nil {
		n := now.UTC()
		u.EmailVerifiedAt = &n
		u.UpdatedAt = n
	}
	m.users[id] = u
	return nil
}

// PurgeExpired implements identity.Store.
func (m *MemStore) PurgeExpired(_ context.Context, now, sessionsBefore time.Time) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var n int64
	for id, s := range m.sessions {
		if s.ExpiresAt.Before(sessionsBefore) || (s.RevokedAt != nil && s.RevokedAt.Before(sessionsBefore)) {
			delete(m.sessions, id)
			n++
			for h, rt := range m.refresh {
				if rt.SessionID == id {
					delete(m.refresh, h)
				}
			}
		}
	}
	for h, rt := range m.refresh {
		if rt.ExpiresAt.Before(now) {
			delete(m.refresh, h)
			n++
		}
	}
	for h, t := range m.oneTime {
		if t.ExpiresAt.Before(now) {
			delete(m.oneTime, h)
			n++
		}
	}
	return n, nil
}
