package identitytest

import (
	"context"
	"time"

	"github.com/google/uuid"

	"agora/domain/session"
	"agora/domain/user"
	"agora/ports/identity"
)

// CreateUser implements identity.UserStore.
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

// UserByID implements identity.UserStore.
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

// UserByUsername implements identity.UserStore.
func (m *MemStore) UserByUsername(_ context.Context, username user.Username) (user.User, error) {
	k := username.Key()
	return m.find(func(u user.User) bool { return u.Username.Key() == k })
}

// UserByEmail implements identity.UserStore.
func (m *MemStore) UserByEmail(_ context.Context, email user.Email) (user.User, error) {
	k := email.Key()
	return m.find(func(u user.User) bool { return u.Email.Key() == k })
}

// UpdateProfile implements identity.UserStore.
func (m *MemStore) UpdateProfile(_ context.Context, id uuid.UUID, update func(user.User) (user.User, error)) (user.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.users[id]
	if !ok {
		return user.User{}, notFound()
	}
	changed, err := update(u)
	if err != nil {
		return user.User{}, err
	}
	// Only the profile and updated_at are written, as in the real store.
	u.DisplayName, u.Headline, u.Bio, u.UpdatedAt = changed.DisplayName, changed.Headline, changed.Bio, changed.UpdatedAt.UTC()
	m.users[id] = u
	return u, nil
}

// SetPasswordHash implements identity.UserStore.
func (m *MemStore) SetPasswordHash(_ context.Context, id uuid.UUID, hash string, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.setHashLocked(id, hash, now)
}

// ChangePassword implements identity.UserStore.
func (m *MemStore) ChangePassword(_ context.Context, id uuid.UUID, hash string, keep uuid.UUID, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.setHashLocked(id, hash, now); err != nil {
		return err
	}
	m.spendTokensLocked(id, now)
	m.revokeUserLocked(id, keep, now)
	return nil
}

// DeleteUser implements identity.UserStore.
func (m *MemStore) DeleteUser(_ context.Context, id uuid.UUID) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.users[id]; !ok {
		return user.ErrNotFound
	}
	delete(m.users, id)
	for sid, s := range m.sessions {
		if s.UserID == id {
			m.deleteSessionLocked(sid)
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
