package identitytest

import (
	"testing"
	"time"

	"agora/domain/errs"
	"agora/domain/errs/errstest"
	"agora/domain/session"
)

// RunPurgeStore checks the behaviour every identity.PurgeStore must have.
func RunPurgeStore(t *testing.T, open Open) {
	run(t, open, "purge removes exactly the sessions ended before the cut-off and the expired tokens", func(f *fixture) {
		now := base.Add(40 * 24 * time.Hour)
		cut := now.Add(-30 * 24 * time.Hour)
		long := 60 * 24 * time.Hour // outlives now: only a revocation ends it

		// Purged (3 rows): a session expired before the cut-off (its refresh
		// token goes with it, uncounted), a session revoked before it, and
		// the refresh token of a session that expired after the cut-off but
		// before now (the session itself stays).
		u, expiredOld, hExpiredOld := f.register("purged") // made at base, lives 24h
		_, hRevokedOld := f.loginFor(u, cut.Add(-2*time.Hour), long)
		errstest.Must(f.t, f.s.RevokeSessionOf(f.ctx, hRevokedOld, cut.Add(-time.Hour)))
		expiredRecent, hExpiredRecent := f.loginFor(u, cut.Add(-12*time.Hour), 24*time.Hour)
		// Kept: a session revoked after the cut-off and its unexpired refresh
		// token, and a live session.
		_, hRevokedRecent := f.loginFor(u, cut.Add(-2*time.Hour), long)
		errstest.Must(f.t, f.s.RevokeSessionOf(f.ctx, hRevokedRecent, cut.Add(time.Hour)))
		live, hLive := f.loginFor(u, now.Add(-time.Hour), 24*time.Hour)
		// Purged (2 rows): emailed tokens that expired before now. Kept: the
		// ones still usable at now.
		f.token(u, session.PasswordReset)
		f.token(u, session.EmailVerification)
		verify := f.tokenAt(u, session.EmailVerification, now.Add(-23*time.Hour))
		reset := f.tokenAt(u, session.PasswordReset, now.Add(-time.Minute))

		n, err := f.s.PurgeExpired(f.ctx, now, cut)
		errstest.Must(f.t, err)
		if n != 5 {
			f.t.Fatalf("purged %d rows, want 5", n)
		}
		if n, err := f.s.PurgeExpired(f.ctx, now, cut); err != nil || n != 0 {
			f.t.Fatalf("second purge: %d, %v", n, err)
		}

		// SessionLive at a time the session was live tells whether its row
		// is still there; RevokeSessionOf whether a refresh token is.
		if f.live(expiredOld, base) {
			f.t.Fatal("the session expired before the cut-off was kept")
		}
		errstest.WantKind(f.t, f.s.RevokeSessionOf(f.ctx, hExpiredOld, now), errs.ErrNotFound)
		// Revoked or not, the token lives past now: only its session's
		// deletion takes it.
		errstest.WantKind(f.t, f.s.RevokeSessionOf(f.ctx, hRevokedOld, now), errs.ErrNotFound)
		if !f.live(expiredRecent, cut) {
			f.t.Fatal("the session expired after the cut-off was purged")
		}
		errstest.WantKind(f.t, f.s.RevokeSessionOf(f.ctx, hExpiredRecent, now), errs.ErrNotFound)
		errstest.Must(f.t, f.s.RevokeSessionOf(f.ctx, hRevokedRecent, now))
		if !f.live(live, now) {
			f.t.Fatal("the live session was purged")
		}
		errstest.Must(f.t, f.s.RevokeSessionOf(f.ctx, hLive, now))
		errstest.Must(f.t, f.s.VerifyEmail(f.ctx, verify, now))
		errstest.Must(f.t, f.s.ResetPassword(f.ctx, reset, "new hash", now))
	})
}
