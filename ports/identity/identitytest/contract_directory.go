package identitytest

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"agora/domain/errs/errstest"
	"agora/domain/session"
	"agora/domain/user"
	"agora/ports"
)

// RunDirectoryStore checks the behaviour every identity.DirectoryStore must have, using
// Harness.Block to record blocks.
func RunDirectoryStore(t *testing.T, open Open) {
	run(t, open, "search: prefix of username or display name, by username, without blocks", func(f *fixture) {
		me, _, _ := f.register("zed")
		mk := func(name, display string) user.User {
			u := NewUser(name, base)
			u.DisplayName = display
			s := session.New(uuid.Must(uuid.NewV7()), u.ID, base, time.Hour)
			_, h := newSecret(f.t)
			if err := f.s.CreateUser(f.ctx, u, s, session.NewRefreshToken(h, s, base)); err != nil {
				f.t.Fatal(err)
			}
			return u
		}
		mk("Adam", "Adam Smith")
		mk("bob", "Ada Bobson")
		mk("ada_x", "X")
		mk("adaxy", "Y")
		blocked := mk("ada_blocked", "B")
		blocker := mk("ada_blocker", "C")
		mk("carol", "Carol 100%")
		f.h.Block(f.t, me.ID, blocked.ID)
		f.h.Block(f.t, blocker.ID, me.ID)

		names := func(q string, limit int, after *ports.Cursor) ([]string, *ports.Cursor) {
			p, err := f.s.SearchUsers(f.ctx, me.ID, q, ports.PageRequest{Limit: limit, After: after})
			errstest.Must(f.t, err)
			var out []string
			for _, s := range p.Items {
				out = append(out, string(s.Username))
			}
			return out, p.Next
		}
		same := func(got, want []string) bool { return fmt.Sprint(got) == fmt.Sprint(want) }
		if got, next := names("ADA", 10, nil); !same(got, []string{"ada_x", "Adam", "adaxy", "bob"}) || next != nil {
			f.t.Fatalf("q=ADA: %v next=%v", got, next)
		}
		// "_" and "%" are literal characters, not patterns.
		if got, _ := names("ada_", 10, nil); !same(got, []string{"ada_x"}) {
			f.t.Fatalf("q=ada_: %v", got)
		}
		if got, _ := names("carol 100%", 10, nil); !same(got, []string{"carol"}) {
			f.t.Fatalf("q=carol 100%%: %v", got)
		}
		if got, _ := names("carol 1%", 10, nil); len(got) != 0 {
			f.t.Fatalf("q=carol 1%%: %v", got)
		}
		// Empty lists everyone visible, the caller included, in pages.
		first, next := names("", 3, nil)
		if !same(first, []string{"ada_x", "Adam", "adaxy"}) || next == nil {
			f.t.Fatalf("page 1: %v %v", first, next)
		}
		second, next := names("", 3, next)
		if !same(second, []string{"bob", "carol", "zed"}) || next != nil {
			f.t.Fatalf("page 2: %v %v", second, next)
		}
	})
}
