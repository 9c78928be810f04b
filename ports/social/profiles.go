package social

import (
	"context"

	"github.com/google/uuid"

	"agora/domain/connection"
	"agora/domain/user"
)

// Profile shows a user as the viewer sees them.
func (s *Service) Profile(ctx context.Context, viewer uuid.UUID, username user.Username) (Profile, error) {
	r, err := s.profiles.Profile(ctx, viewer, username)
	if err != nil {
		return Profile{}, userErr(err)
	}
	p := Profile{PublicProfile: r.PublicProfile, Relation: connection.RelationOf(viewer, r.User.ID, r.Facts)}
	if !connection.ShowsMutual(viewer, r.User.ID) {
		p.MutualConnectionsCount = 0
	}
	return p, nil
}
