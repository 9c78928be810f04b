package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// PurgeExpired implements identity.Purger.
func (s *IdentityStore) PurgeExpired(ctx context.Context, now, sessionsBefore time.Time) (int64, error) {
	var total int64
	err := withinTx(ctx, s.pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		q := s.q.WithTx(tx)
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
