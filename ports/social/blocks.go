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
	u, err := s.findAny(ctx, username)
	if err != nil {
		return err
	}
	if err := block.Check(viewer, u.ID); err != nil {
		return err
	}
	return s.d.Store.Block(ctx, viewer, u.ID, s.now())
}

// Unblock lifts a block; lifting one that does not exist is fine.
func (s *Service) Unblock(ctx context.Context, viewer uuid.UUID, username user.Username) error {
	u, err := s.findAny(ctx, username)
	if err != nil {
		return err
	}
	if err := block.Check(viewer, u.ID); err != nil {
		return err
	}
	return s.d.Store.Unblock(ctx, viewer, u.ID)
}

// Blocks lists the users the viewer blocks.
func (s *Service) Blocks(ctx context.Context, viewer uuid.UUID, page ports.PageRequest) (ports.Page[user.Summary], error) {
	p, err := s.d.Store.Blocks(ctx, viewer, page)
	if err != nil {
		return ports.Page[user.Summary]{}, err
	}
	out := ports.Page[user.Summary]{Items: make([]user.Summary, 0, len(p.Items)), Next: p.Next}
	for _, b := range p.Items {
		out.Items = append(out.Items, b.User)
	}
	return out, nil
}
