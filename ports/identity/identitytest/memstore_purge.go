package identitytest

import (
	"context"
	"time"
)

// PurgeExpired implements identity.PurgeStore.
func (m *MemStore) PurgeExpired(_ context.Context, now, sessionsBefore time.Time) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var n int64
	for id, s := range m.sessions {
		if s.ExpiresAt.Before(sessionsBefore) || (s.RevokedAt != nil && s.RevokedAt.Before(sessionsBefore)) {
			m.deleteSessionLocked(id)
			n++
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
