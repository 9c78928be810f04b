package social

import (
	"context"

	"github.com/google/uuid"
)

// Export returns everything stored about the viewer, but no secret: the
// password hash is blanked here, whatever the store read.
func (s *Service) Export(ctx context.Context, viewer uuid.UUID) (Export, error) {
	e, err := s.exports.Export(ctx, viewer)
	if err != nil {
		return Export{}, err
	}
	e.Account.PasswordHash = ""
	e.ExportedAt = s.now()
	return e, nil
}
