package postgres

import (
	"context"
	"time"

	"agora/adapters/postgres/internal/db"
)

// PurgeExpired implements identity.PurgeStore.
func (s *IdentityStore) PurgeExpired(ctx context.Context, now, sessionsBefore time.Time) (int64, error) {
	var total int64
	err := inTx(ctx, s.pool, s.q, func(q *db.Queries) error {
		for _, purge := range []func() (int64, error){
			func() (int64, error) { return q.PurgeSessions(ctx, sessionsBefore) },
			func() (int64, error) { return q.PurgeRefreshTokens(ctx, now) },
			func() (int64, error) { return q.PurgeUserTokens(ctx, now) },
		} {
			n, err := purge()
			if err != nil {
				return err
			}
			total += n
		}
		return nil
	})
	return total, err
}
