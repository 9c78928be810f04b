package postgres

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"agora/ports/social"
)

// Export implements social.ExportStore: every query in one read-only,
// repeatable-read transaction, so the parts agree with one another.
func (s *SocialStore) Export(ctx context.Context, user uuid.UUID) (social.Export, error) {
	var e social.Export
	err := withinTx(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		q := s.q.WithTx(tx)
		a, err := q.ExportAccount(ctx, user)
		if err != nil {
			return err
		}
		e.Account = social.Account{
			ID: a.ID, Username: a.Username, Email: a.Email, EmailVerified: a.EmailVerifiedAt != nil,
			DisplayName: a.DisplayName, Headline: a.Headline, Bio: a.Bio,
			CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC(),
		}
		posts, err := q.ExportPosts(ctx, user)
		if err != nil {
			return err
		}
		e.Posts = make([]social.PostView, 0, len(posts))
		for _, p := range posts {
			e.Posts = append(e.Posts, socialPostRow(p).view())
		}
		reqs, err := q.ExportRequests(ctx, user)
		if err != nil {
			return err
		}
		e.Requests = make([]social.RequestView, 0, len(reqs))
		for _, r := range reqs {
			e.Requests = append(e.Requests, socialRequestRow(r).view())
		}
		conns, err := q.ExportConnections(ctx, user)
		if err != nil {
			return err
		}
		e.Connections = make([]social.Connection, 0, len(conns))
		for _, c := range conns {
			e.Connections = append(e.Connections, socialConnRow(c).connection())
		}
		blocks, err := q.ExportBlocks(ctx, user)
		if err != nil {
			return err
		}
		e.Blocks = make([]social.UserSummary, 0, len(blocks))
		for _, b := range blocks {
			e.Blocks = append(e.Blocks, social.UserSummary{ID: b.BlockedID, Username: b.Username, DisplayName: b.DisplayName})
		}
		sessions, err := q.ExportSessions(ctx, user)
		if err != nil {
			return err
		}
		e.Sessions = make([]social.Session, 0, len(sessions))
		for _, x := range sessions {
			e.Sessions = append(e.Sessions, social.Session{
				ID: x.ID, CreatedAt: x.CreatedAt.UTC(), LastUsedAt: x.LastUsedAt.UTC(),
				ExpiresAt: x.ExpiresAt.UTC(), RevokedAt: socialUTCPtr(x.RevokedAt),
			})
		}
		return nil
	})
	return e, socialErr(err)
}
