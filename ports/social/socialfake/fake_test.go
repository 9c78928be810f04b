package socialfake_test

import (
	"testing"

	"github.com/google/uuid"

	"agora/ports/social"
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
			AddUser: func(_ *testing.T, a social.Account) social.Account {
				s.AddUser(a)
				return a
			},
			AddSession: func(_ *testing.T, user uuid.UUID, ses social.Session) { s.AddSession(user, ses) },
			DeleteUser: func(_ *testing.T, id uuid.UUID) { s.DeleteUser(id) },
		}
	})
}
