package socialfake_test

import (
	"testing"

	"github.com/google/uuid"

	"agora/domain/session"
	"agora/domain/user"
	"agora/ports/social/socialfake"
	"agora/ports/social/socialtest"
)

// The fake passes the same contract as the PostgreSQL store.
func TestContract(t *testing.T) {
	t.Parallel()
	socialtest.RunAll(t, func(t *testing.T) socialtest.Harness {
		s := socialfake.New()
		return socialtest.Harness{
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
