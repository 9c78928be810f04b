package identitytest

import (
	"testing"
	"time"

	"agora/domain/errs"
	"agora/domain/errs/errstest"
	"agora/domain/session"
)

// RunTokenStore checks the behaviour every identity.TokenStore must have.
func RunTokenStore(t *testing.T, open Open) {
	run(t, open, "a reset token works once and revokes every session", func(f *fixture) {
		u, s1, _ := f.register("radia")
		s2, _ := f.login(u, base)
		_, h := newSecret(f.t)
		if err := f.s.CreateOneTimeToken(f.ctx, session.NewOneTimeToken(h, u.ID, session.PasswordReset, base)); err != nil {
			f.t.Fatal(err)
		}
		errstest.WantKind(f.t, f.s.VerifyEmail(f.ctx, h, base), errs.ErrNotFound)
		now := base.Add(10 * time.Minute)
		if err := f.s.ResetPassword(f.ctx, h, "reset-hash", now); err != nil {
			f.t.Fatal(err)
		}
		if f.live(s1, now) || f.live(s2, now) {
			f.t.Fatal("a reset must revoke every session")
		}
		if got, _ := f.s.UserByID(f.ctx, u.ID); got.PasswordHash != "reset-hash" {
			f.t.Fatal("hash not replaced")
		}
		errstest.WantKind(f.t, f.s.ResetPassword(f.ctx, h, "again", now), errs.ErrNotFound)
		_, expired := newSecret(f.t)
		if err := f.s.CreateOneTimeToken(f.ctx, session.NewOneTimeToken(expired, u.ID, session.PasswordReset, base)); err != nil {
			f.t.Fatal(err)
		}
		errstest.WantKind(f.t, f.s.ResetPassword(f.ctx, expired, "late", base.Add(31*time.Minute)), errs.ErrNotFound)
		_, unknown := newSecret(f.t)
		errstest.WantKind(f.t, f.s.ResetPassword(f.ctx, unknown, "x", base), errs.ErrNotFound)
	})

	run(t, open, "a reset spends every other emailed token of the user", func(f *fixture) {
		u, _, _ := f.register("grace")
		other, _, _ := f.register("hopper")
		t1, t2, v := f.token(u, session.PasswordReset), f.token(u, session.PasswordReset), f.token(u, session.EmailVerification)
		theirs := f.token(other, session.PasswordReset)
		now := base.Add(time.Minute)
		if err := f.s.ResetPassword(f.ctx, t1, "first", now); err != nil {
			f.t.Fatal(err)
		}
		errstest.WantKind(f.t, f.s.ResetPassword(f.ctx, t2, "second", now), errs.ErrNotFound)
		errstest.WantKind(f.t, f.s.VerifyEmail(f.ctx, v, now), errs.ErrNotFound)
		if got, _ := f.s.UserByID(f.ctx, u.ID); got.PasswordHash != "first" {
			f.t.Fatalf("hash %q", got.PasswordHash)
		}
		if err := f.s.ResetPassword(f.ctx, theirs, "theirs", now); err != nil {
			f.t.Fatalf("another user's token must stay usable: %v", err)
		}
	})

	run(t, open, "a verification token verifies the address once", func(f *fixture) {
		u, _, _ := f.register("frances")
		_, h := newSecret(f.t)
		if err := f.s.CreateOneTimeToken(f.ctx, session.NewOneTimeToken(h, u.ID, session.EmailVerification, base)); err != nil {
			f.t.Fatal(err)
		}
		errstest.WantKind(f.t, f.s.ResetPassword(f.ctx, h, "x", base), errs.ErrNotFound)
		now := base.Add(time.Hour)
		if err := f.s.VerifyEmail(f.ctx, h, now); err != nil {
			f.t.Fatal(err)
		}
		got, _ := f.s.UserByID(f.ctx, u.ID)
		if !got.EmailVerified() || !got.EmailVerifiedAt.Equal(now) {
			f.t.Fatalf("not verified: %+v", got)
		}
		errstest.WantKind(f.t, f.s.VerifyEmail(f.ctx, h, now), errs.ErrNotFound)
	})
}
