package social

import (
	"context"

	"github.com/google/uuid"

	"agora/domain/block"
	"agora/domain/user"
	"agora/ports"
)

// Block blocks a user. The user is looked up regardless of blocks, so that
// someone who was blocked can still block back and a blocker can always
// undo; usernames are public anyway (registration reveals them).
func (s *Service) Block(ctx context.Context, viewer uuid.UUID, username user.Username) error {
	id, err := s.blockable(ctx, viewer, username)
	if err != nil {
		return err
	}
	return s.blocks.Block(ctx, viewer, id, s.now())
}

// Unblock lifts a block; lifting one that does not exist is fine.
func (s *Service) Unblock(ctx context.Context, viewer uuid.UUID, username user.Username) error {
	id, err := s.blockable(ctx, viewer, username)
	if err != nil {
		return err
	}
	return s.blocks.Unblock(ctx, viewer, id)
}

// blockable finds the user the viewer may block or unblock (anyone but
// themselves).
func (s *Service) blockable(ctx context.Context, viewer uuid.UUID, username user.Username) (uuid.UUID, error) {
	u, err := s.findAny(ctx, username)
	if err != nil {
		return uuid.Nil, err
	}
	return u.ID, block.Check(viewer, u.ID)
}

// Blocks lists the users the viewer blocks.
func (s *Service) Blocks(ctx context.Context, viewer uuid.UUID, page ports.PageRequest) (ports.Page[user.Summary], error) {
	p, err := s.blocks.Blocks(ctx, viewer, page)
	return ports.MapPage(p, func(b Blocked) user.Summary { return b.User }), err
}
