package postgres

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"agora/domain/session"
	"agora/domain/user"
	"agora/ports/social"
)

// Export implements social.ExportStore: every query in one read-only,
// repeatable-read transaction, so the parts agree with one another.
func (s *SocialStore) Export(ctx context.Context, userID uuid.UUID) (social.Export, error) {
	var e social.Export
	err := withinTx(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		q := s.q.WithTx(tx)
		a, err := q.ExportAccount(ctx, userID)
		if err != nil {
			return err
		}
		e.Account = user.User{
			ID: a.ID, Username: user.Username(a.Username), Email: user.Email(a.Email), EmailVerifiedAt: utcPtr(a.EmailVerifiedAt),
			DisplayName: a.DisplayName, Headline: a.Headline, Bio: a.Bio,
			CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC(),
		}
		posts, err := q.ExportPosts(ctx, userID)
		if err != nil {
			return err
		}
		e.Posts = make([]social.PostView, 0, len(posts))
		for _, p := range posts {
			e.Posts = append(e.Posts, socialPostRow(p).view())
		}
		reqs, err := q.ExportRequests(ctx, userID)
		if err != nil {
			return err
		}
		e.Requests = make([]social.RequestView, 0, len(reqs))
		for _, r := range reqs {
			e.Requests = append(e.Requests, socialRequestRow(r).view())
		}
		conns, err := q.ExportConnections(ctx, userID)
		if err != nil {
			return err
		}
		e.Connections = make([]social.Connection, 0, len(conns))
		for _, c := range conns {
			e.Connections = append(e.Connections, socialConnRow(c).connection())
		}
		blocks, err := q.ExportBlocks(ctx, userID)
		if err != nil {
			return err
		}
		e.Blocks = make([]user.Summary, 0, len(blocks))
		for _, b := range blocks {
			e.Blocks = append(e.Blocks, user.Summary{ID: b.BlockedID, Username: user.Username(b.Username), DisplayName: b.DisplayName})
		}
		sessions, err := q.ExportSessions(ctx, userID)
		if err != nil {
			return err
		}
		e.Sessions = make([]session.Session, 0, len(sessions))
		for _, x := range sessions {
			e.Sessions = append(e.Sessions, session.Session{
				ID: x.ID, UserID: userID, CreatedAt: x.CreatedAt.UTC(), LastUsedAt: x.LastUsedAt.UTC(),
				ExpiresAt: x.ExpiresAt.UTC(), RevokedAt: socialUTCPtr(x.RevokedAt),
			})
		}
		return nil
	})
	return e, socialErr(err)
}
