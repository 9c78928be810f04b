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

// FindUser implements social.ProfileStore.
func (s *SocialStore) FindUser(ctx context.Context, username user.Username) (user.Summary, error) {
	r, err := s.q.FindUserSummary(ctx, string(username))
	if err != nil {
		return user.Summary{}, socialErr(err)
	}
	return toSummary(r.ID, r.Username, r.DisplayName), nil
}

// FindVisibleUser implements social.ProfileStore.
func (s *SocialStore) FindVisibleUser(ctx context.Context, viewer uuid.UUID, username user.Username) (user.Summary, error) {
	r, err := s.q.FindVisibleUserSummary(ctx, db.FindVisibleUserSummaryParams{Viewer: viewer, Username: string(username)})
	if err != nil {
		return user.Summary{}, socialErr(err)
	}
	return toSummary(r.ID, r.Username, r.DisplayName), nil
}

// Block implements social.BlockStore: under the pair lock, so that no
// request or acceptance between the two can slip in beside it.
func (s *SocialStore) Block(ctx context.Context, blocker, blocked uuid.UUID, at time.Time) error {
	return socialErr(inTx(ctx, s.pool, s.q, func(q *db.Queries) error {
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
	return readPage(ctx, s.reads, page, func(q *db.Queries, after ports.Cursor, n int32) ([]db.ListBlocksRow, error) {
		return q.ListBlocks(ctx, db.ListBlocksParams{Blocker: blocker, BeforeTime: after.Time, BeforeID: after.ID, MaxRows: n})
	}, func(r db.ListBlocksRow) social.Blocked {
		return social.Blocked{
			User:      toSummary(r.BlockedID, r.Username, r.DisplayName),
			BlockedAt: r.CreatedAt.UTC(),
		}
	}, func(b social.Blocked) ports.Cursor { return ports.Cursor{Time: b.BlockedAt, ID: b.User.ID} })
}
