package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"

	"agora/adapters/postgres/internal/db"
	"agora/domain/user"
	"agora/ports"
	"agora/ports/social"
)

// FindUser implements social.UserStore.
func (s *SocialStore) FindUser(ctx context.Context, username user.Username) (user.Summary, error) {
	r, err := s.q.FindUserSummary(ctx, string(username))
	if err != nil {
		return user.Summary{}, socialErr(err)
	}
	return user.Summary{ID: r.ID, Username: user.Username(r.Username), DisplayName: r.DisplayName}, nil
}

// FindVisibleUser implements social.UserStore.
func (s *SocialStore) FindVisibleUser(ctx context.Context, viewer uuid.UUID, username user.Username) (user.Summary, error) {
	r, err := s.q.FindVisibleUserSummary(ctx, db.FindVisibleUserSummaryParams{Viewer: viewer, Username: string(username)})
	if err != nil {
		return user.Summary{}, socialErr(err)
	}
	return user.Summary{ID: r.ID, Username: user.Username(r.Username), DisplayName: r.DisplayName}, nil
}

// Block implements social.BlockStore: under the pair lock, so that no
// request or acceptance between the two can slip in beside it.
func (s *SocialStore) Block(ctx context.Context, blocker, blocked uuid.UUID, at time.Time) error {
	return socialErr(socialTx(ctx, s, func(q *db.Queries) error {
		if err := lockPair(ctx, q, blocker, blocked); err != nil {
			return err
		}
		if err := q.InsertBlock(ctx, db.InsertBlockParams{BlockerID: blocker, BlockedID: blocked, CreatedAt: at}); err != nil {
			return err
		}
		if _, err := q.DeleteConnectionPair(ctx, db.DeleteConnectionPairParams{A: blocker, B: blocked}); err != nil {
			return err
		}
		return q.DeletePendingRequestsBetween(ctx, db.DeletePendingRequestsBetweenParams{A: blocker, B: blocked})
	}))
}

// Unblock implements social.BlockStore.
func (s *SocialStore) Unblock(ctx context.Context, blocker, blocked uuid.UUID) error {
	return socialErr(s.q.DeleteBlock(ctx, db.DeleteBlockParams{BlockerID: blocker, BlockedID: blocked}))
}

// Blocks implements social.BlockStore.
func (s *SocialStore) Blocks(ctx context.Context, blocker uuid.UUID, page ports.PageRequest) (ports.Page[social.Blocked], error) {
	t, id := socialPosition(page)
	var rows []db.ListBlocksRow
	err := s.reads.run(ctx, func(q *db.Queries) (err error) {
		rows, err = q.ListBlocks(ctx, db.ListBlocksParams{Blocker: blocker, BeforeTime: t, BeforeID: id, MaxRows: socialMaxRows(page)})
		return err
	})
	if err != nil {
		return ports.Page[social.Blocked]{}, socialErr(err)
	}
	out := make([]social.Blocked, 0, len(rows))
	for _, r := range rows {
		out = append(out, social.Blocked{
			User:      user.Summary{ID: r.BlockedID, Username: user.Username(r.Username), DisplayName: r.DisplayName},
			BlockedAt: r.CreatedAt.UTC(),
		})
	}
	return ports.PageOf(out, page.Size(), func(b social.Blocked) ports.Cursor {
		return ports.Cursor{Time: b.BlockedAt, ID: b.User.ID}
	}), nil
}
