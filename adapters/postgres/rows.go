package postgres

import (
	"github.com/google/uuid"

	"agora/domain/user"
)

// toSummary is a user as lists show them, from the three columns every
// query that names a user selects (id, username, display_name).
func toSummary(id uuid.UUID, username, displayName string) user.Summary {
	return user.Summary{ID: id, Username: user.Username(username), DisplayName: displayName}
}
