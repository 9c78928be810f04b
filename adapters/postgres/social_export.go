package postgres

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"agora/adapters/postgres/internal/db"
	"agora/domain/user"
	"agora/ports/social"
)

// Export implements social.ExportStore: every query in one read-only,
// repeatable-read transaction, so the parts agree with one another.
func (s *SocialStore) Export(ctx context.Context, userID uuid.UUID) (social.Export, error) {
	var e social.Export
	err := withinTx(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		q := s.q.WithTx(tx)
		a, err := q.GetUserByID(ctx, userID)
		if err != nil {
			return err
		}
		e.Account = toUser(a)
		e.Account.PasswordHash = "" // a secret: the export carries none
		posts, err := q.ExportPosts(ctx, userID)
		if err != nil {
			return err
		}
		e.Posts = mapRows(posts, func(r db.ExportPostsRow) social.PostView { return postRow(r).view() })
		reqs, err := q.ExportRequests(ctx, userID)
		if err != nil {
			return err
		}
		e.Requests = mapRows(reqs, func(r db.ExportRequestsRow) social.RequestView { return requestRow(r).view() })
		conns, err := q.ExportConnections(ctx, userID)
		if err != nil {
			return err
		}
		e.Connections = mapRows(conns, func(r db.ExportConnectionsRow) social.Connection { return connRow(r).connection() })
		blocks, err := q.ExportBlocks(ctx, userID)
		if err != nil {
			return err
		}
		e.Blocks = mapRows(blocks, func(r db.ExportBlocksRow) user.Summary {
			return toSummary(r.BlockedID, r.Username, r.DisplayName)
		})
		sessions, err := q.ExportSessions(ctx, userID)
		if err != nil {
			return err
		}
		e.Sessions = mapRows(sessions, toSession)
		return nil
	})
	return e, socialErr(err)
}
