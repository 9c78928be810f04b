package identitytest

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"agora/domain/errs"
	"agora/domain/session"
	"agora/ports/identity"
)

// CreateSession implements identity.SessionStore.
func (m *MemStore) CreateSession(_ context.Context, s session.Session, rt session.RefreshToken) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if rt.SessionID != s.ID {
		return fmt.Errorf("identitytest: refresh token of session %s filed with session %s", rt.SessionID, s.ID)
	}
	if _, ok := m.users[s.UserID]; !ok {
		return notFound()
	}
	if _, ok := m.sessions[s.ID]; ok {
		return errs.New(errs.ErrConflict, "already exists")
	}
	m.sessions[s.ID] = s
	m.refresh[rt.Hash] = rt
	return nil
}

// Refresh implements identity.SessionStore.
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

// RevokeSessionOf implements identity.SessionStore.
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

// SessionLive implements identity.SessionStore.
func (m *MemStore) SessionLive(_ context.Context, sessionID, userID uuid.UUID, now time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[sessionID]
	return ok && s.UserID == userID && s.Live(now), nil
}
