// Package block holds the rule of blocking: a user may block anyone but
// themselves, and a block makes each side invisible to the other.
package block

import (
	"github.com/google/uuid"

	"agora/domain/connection"
)

// Check says whether blocker may block (or unblock) blocked.
func Check(blocker, blocked uuid.UUID) error {
	if blocker == blocked {
		return connection.ErrToSelf
	}
	return nil
}
