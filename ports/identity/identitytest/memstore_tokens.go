package identitytest

import (
	"context"
	"time"

	"github.com/google/uuid"

	"agora/domain/session"
)

// CreateOneTimeToken implements identity.TokenStore.
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

// ResetPassword implements identity.TokenStore.
func (m *MemStore) ResetPassword(_ context.Context, presented session.Hash, hash string, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	id, err := m.redeemLocked(presented, session.PasswordReset, now)
	if err != nil {
		return err
	}
	if err := m.setHashLocked(id, hash, now); err != nil {
		return err
	}
	m.spendTokensLocked(id, now)
	m.revokeUserLocked(id, uuid.Nil, now)
	return nil
}

// VerifyEmail implements identity.TokenStore.
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
