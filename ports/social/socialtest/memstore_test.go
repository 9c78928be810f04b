package socialtest

import (
	"testing"

	"github.com/google/uuid"

	"agora/domain/session"
	"agora/domain/user"
)

// The fake passes the same contract as the PostgreSQL store.
func TestMemStoreKeepsTheContract(t *testing.T) {
	t.Parallel()
	RunStoreContract(t, func(*testing.T) Harness {
		s := NewMemStore()
		return Harness{
			Store: s,
			AddUser: func(_ *testing.T, a user.User) user.User {
				s.AddUser(a)
				return a
			},
			AddSession: func(_ *testing.T, ses session.Session) { s.AddSession(ses) },
			DeleteUser: func(_ *testing.T, id uuid.UUID) { s.DeleteUser(id) },
		}
	})
}
