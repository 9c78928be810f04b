package identitytest

import (
	"testing"

	"github.com/google/uuid"

	"agora/ports/identity"
)

func TestMemStoreKeepsTheContract(t *testing.T) {
	t.Parallel()
	RunStoreContract(t, Harness{
		New: func(*testing.T) identity.Store { return NewMemStore() },
		Block: func(_ *testing.T, s identity.Store, blocker, blocked uuid.UUID) {
			s.(*MemStore).Block(blocker, blocked)
		},
	})
}
