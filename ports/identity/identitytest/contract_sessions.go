package identitytest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"agora/domain/errs"
	"agora/domain/errs/errstest"
	"agora/domain/session"
	"agora/ports/identity"
)

// RunSessionStore checks the behaviour every identity.SessionStore must have.
func RunSessionStore(t *testing.T, open Open) {
	run(t, open, "a session needs its user, an id of its own and its own refresh token", func(f *fixture) {
		u, s1, _ := f.register("ruth")
		_, h := newSecret(f.t)
		stranger := session.New(uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7()), base, time.Hour)
		errstest.WantKind(f.t, f.s.CreateSession(f.ctx, stranger, session.NewRefreshToken(h, stranger, base)), errs.ErrNotFound)
		again := session.New(s1.ID, u.ID, base, time.Hour)
		errstest.WantKind(f.t, f.s.CreateSession(f.ctx, again, session.NewRefreshToken(h, again, base)), errs.ErrConflict)
		other := session.New(uuid.Must(uuid.NewV7()), u.ID, base, time.Hour)
		if err := f.s.CreateSession(f.ctx, other, session.NewRefreshToken(h, s1, base)); err == nil {
			f.t.Fatal("a refresh token of another session was filed with a new one")
		}
		if f.live(other, base.Add(time.Minute)) {
			f.t.Fatal("a refused session is live")
		}
	})
	run(t, open, "sessions are live until revoked or expired", func(f *fixture) {
		u, s1, _ := f.register("alan")
		if !f.live(s1, base.Add(time.Hour)) {
			f.t.Fatal("a new session is not live")
		}
		if f.live(s1, base.Add(25*time.Hour)) {
			f.t.Fatal("an expired session is live")
		}
		other := s1
		other.UserID = uuid.Must(uuid.NewV7())
		if f.live(other, base) {
			f.t.Fatal("a session is live for another user id")
		}
		if ok, err := f.s.SessionLive(f.ctx, uuid.Must(uuid.NewV7()), u.ID, base); ok || err != nil {
			f.t.Fatalf("unknown session: %v %v", ok, err)
		}
		s2, h2 := f.login(u, base.Add(time.Minute))
		if err := f.s.RevokeSessionOf(f.ctx, h2, base.Add(2*time.Minute)); err != nil {
			f.t.Fatal(err)
		}
		if f.live(s2, base.Add(3*time.Minute)) || !f.live(s1, base.Add(3*time.Minute)) {
			f.t.Fatal("revoking one session must revoke exactly that one")
		}
		_, unknown := newSecret(f.t)
		errstest.WantKind(f.t, f.s.RevokeSessionOf(f.ctx, unknown, base), errs.ErrNotFound)
	})

	run(t, open, "refresh applies the plan: rotate, or revoke and refuse", func(f *fixture) {
		_, sess, h1 := f.register("barbara")
		_, unknown := newSecret(f.t)
		_, err := f.s.Refresh(f.ctx, unknown, func(session.RefreshToken, session.Session) (identity.RefreshPlan, error) {
			f.t.Fatal("decide called for an unknown token")
			return identity.RefreshPlan{}, nil
		})
		errstest.WantKind(f.t, err, errs.ErrNotFound)

		_, h2 := newSecret(f.t)
		now := base.Add(time.Minute)
		got, err := f.s.Refresh(f.ctx, h1, func(rt session.RefreshToken, s session.Session) (identity.RefreshPlan, error) {
			if rt.Hash != h1 || rt.SessionID != sess.ID || rt.UsedAt != nil || s.ID != sess.ID || s.RevokedAt != nil {
				f.t.Fatalf("decide saw %+v %+v", rt, s)
			}
			next := session.NewRefreshToken(h2, s, now)
			return identity.RefreshPlan{Next: &next, Now: now}, nil
		})
		if err != nil || got.ID != sess.ID || got.UserID != sess.UserID {
			f.t.Fatalf("rotate: %+v %v", got, err)
		}
		// The spent token is still known, marked used; the new one is fresh.
		reused := errors.New("reused")
		_, err = f.s.Refresh(f.ctx, h1, func(rt session.RefreshToken, s session.Session) (identity.RefreshPlan, error) {
			if rt.UsedAt == nil || !rt.UsedAt.Equal(now) || !s.LastUsedAt.Equal(now) {
				f.t.Fatalf("after rotation decide saw %+v %+v", rt, s)
			}
			return identity.RefreshPlan{Revoke: true, Now: now.Add(time.Second)}, reused
		})
		if !errors.Is(err, reused) {
			f.t.Fatalf("decide's error must come back: %v", err)
		}
		if f.live(sess, now.Add(2*time.Second)) {
			f.t.Fatal("a plan to revoke was not applied")
		}
		_, err = f.s.Refresh(f.ctx, h2, func(rt session.RefreshToken, s session.Session) (identity.RefreshPlan, error) {
			if rt.UsedAt != nil || s.RevokedAt == nil {
				f.t.Fatalf("the new token after revocation: %+v %+v", rt, s)
			}
			return identity.RefreshPlan{Now: now}, reused
		})
		if !errors.Is(err, reused) {
			f.t.Fatalf("refusal: %v", err)
		}
	})
}
