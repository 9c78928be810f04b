package identitytest

import (
	"testing"
	"time"
)

// RunPurgeStore checks the behaviour every identity.PurgeStore must have.
func RunPurgeStore(t *testing.T, open Open) {
	run(t, open, "purge removes ended sessions and expired tokens, and nothing live", func(f *fixture) {
		u, old, _ := f.register("purged") // created at base, lives 24h
		later := base.Add(48 * time.Hour)
		live, _ := f.login(u, later)
		n, err := f.s.PurgeExpired(f.ctx, later, later.Add(-time.Hour))
		if err != nil {
			f.t.Fatalf("PurgeExpired: %v", err)
		}
		if n < 1 { // the old session (its refresh tokens go with it)
			f.t.Fatalf("purged %d rows, want at least 1", n)
		}
		// At base the old session was live: not live now means its row is gone.
		if f.live(old, base) {
			f.t.Fatal("the ended session was not purged")
		}
		if !f.live(live, later) {
			f.t.Fatal("the live session was purged")
		}
		if n, err := f.s.PurgeExpired(f.ctx, later, later.Add(-time.Hour)); err != nil || n != 0 {
			f.t.Fatalf("second purge: %d, %v", n, err)
		}
	})
}
