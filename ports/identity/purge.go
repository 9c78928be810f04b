package identity

import (
	"context"
	"time"
)

// EndedSessionRetention is how long a session stays listed (in the export)
// after it expired or was revoked, before the purge deletes it.
const EndedSessionRetention = 30 * 24 * time.Hour

// PurgeExpired deletes sessions that ended more than EndedSessionRetention
// ago and tokens that can no longer be used, so the tables do not grow
// without end. It is safe to run from every replica at once.
func (s *Service) PurgeExpired(ctx context.Context) (int64, error) {
	now := s.now()
	return s.purge.PurgeExpired(ctx, now, now.Add(-EndedSessionRetention))
}
