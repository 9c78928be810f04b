package identity_test

import (
	"testing"
	"time"

	"agora/domain/errs/errstest"
)

// An ended session stays identity.EndedSessionRetention (30 days) for the
// export to list, then the purge takes it: 29 days after it expired it is
// there, 31 it is gone. SessionLive at a time the session was live tells
// whether its row is still stored.
func TestPurgeKeepsEndedSessionsForTheRetention(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	start := e.clock.Now()
	out := e.register(t, "purgee", "correct horse")
	claims, err := fakeTokens{}.Verify(out.AccessToken)
	errstest.Must(t, err)
	stored := func() bool {
		t.Helper()
		ok, err := e.store.SessionLive(ctx, claims.SessionID, claims.UserID, start)
		errstest.Must(t, err)
		return ok
	}
	purge := func(after time.Duration) {
		t.Helper()
		e.clock.Advance(after)
		_, err := e.svc.PurgeExpired(ctx)
		errstest.Must(t, err)
	}

	purge(720*time.Hour + 29*24*time.Hour) // the session's RefreshTTL, then 29 days
	if !stored() {
		t.Fatal("a session ended 29 days ago was purged")
	}
	purge(2 * 24 * time.Hour)
	if stored() {
		t.Fatal("a session ended 31 days ago was kept")
	}
}
