package identitytest

import (
	"testing"

	"github.com/google/uuid"
)

func TestMemStoreKeepsTheContract(t *testing.T) {
	t.Parallel()
	RunStoreContract(t, func(*testing.T) Harness {
		m := NewMemStore()
		return Harness{Store: m, Block: func(_ *testing.T, blocker, blocked uuid.UUID) { m.Block(blocker, blocked) }}
	})
}
