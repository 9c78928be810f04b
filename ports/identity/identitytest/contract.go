package identitytest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"agora/domain/errs"
	"agora/domain/session"
	"agora/domain/user"
	"agora/ports"
	"agora/ports/identity"
)

// Harness gives the contract a fresh, empty store per subtest and a way to
// record a block (blocks belong to another area's tables).
type Harness struct {
	New   func(t *testing.T) identity.Store
	Block func(t *testing.T, s identity.Store, blocker, blocked uuid.UUID)
}

// base is a fixed instant at microsecond precision, as PostgreSQL keeps it.
var base = time.Date(2025, 1, 15, 9, 30, 0, 0, time.UTC)

func newSecret(t *testing.T) (session.Secret, session.Hash) {
	t.Helper()
	s, h, err := session.NewSecret(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return s, h
}

// NewUser makes a valid user named name (email name@example.com).
func NewUser(name string, now time.Time) user.User {
	return user.User{ //nolint:gosec // a well-formed fake hash, no credential
		ID: uuid.Must(uuid.NewV7()), Username: user.Username(name), Email: user.Email(name + "@example.com"),
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
		DisplayName:  "Display " + name, CreatedAt: now, UpdatedAt: now,
	}
}

type fixture struct {
	t   *testing.T
	s   identity.Store
	ctx context.Context
}

func (f *fixture) register(name string) (user.User, session.Session, session.Hash) {
	f.t.Helper()
	u := NewUser(name, base)
	sess := session.New(uuid.Must(uuid.NewV7()), u.ID, base, 24*time.Hour)
	_, h := newSecret(f.t)
	if err := f.s.CreateUser(f.ctx, u, sess, session.NewRefreshToken(h, sess, base)); err != nil {
		f.t.Fatalf("CreateUser %s: %v", name, err)
	}
	return u, sess, h
}

func (f *fixture) login(u user.User, now time.Time) (session.Session, session.Hash) {
	f.t.Helper()
	sess := session.New(uuid.Must(uuid.NewV7()), u.ID, now, 24*time.Hour)
	_, h := newSecret(f.t)
	if err := f.s.CreateSession(f.ctx, sess, session.NewRefreshToken(h, sess, now)); err != nil {
		f.t.Fatalf("CreateSession: %v", err)
	}
	return sess, h
}

// token stores a new emailed token of the user, made at base.
func (f *fixture) token(owner user.User, p session.Purpose) session.Hash {
	f.t.Helper()
	_, h := newSecret(f.t)
	if err := f.s.CreateOneTimeToken(f.ctx, session.NewOneTimeToken(h, owner.ID, p, base)); err != nil {
		f.t.Fatal(err)
	}
	return h
}

func (f *fixture) live(sess session.Session, now time.Time) bool {
	f.t.Helper()
	ok, err := f.s.SessionLive(f.ctx, sess.ID, sess.UserID, now)
	if err != nil {
		f.t.Fatalf("SessionLive: %v", err)
	}
	return ok
}

func wantKind(t *testing.T, err, kind error, what string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("%s: got %v, want kind %v", what, err, kind)
	}
}

// RunStoreContract checks the behaviour every identity.Store must have.
func RunStoreContract(t *testing.T, h Harness) {
	run := func(name string, fn func(f *fixture)) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(&fixture{t: t, s: h.New(t), ctx: context.Background()})
		})
	}

	run("users round-trip and are found case-insensitively", func(f *fixture) {
		u, _, _ := f.register("Ada_Lovelace")
		for name, get := range map[string]func() (user.User, error){
			"id":       func() (user.User, error) { return f.s.UserByID(f.ctx, u.ID) },
			"username": func() (user.User, error) { return f.s.UserByUsername(f.ctx, "ada_LOVELACE") },
			"email":    func() (user.User, error) { return f.s.UserByEmail(f.ctx, "ADA_lovelace@EXAMPLE.com") },
		} {
			got, err := get()
			if err != nil {
				f.t.Fatalf("by %s: %v", name, err)
			}
			if got.ID != u.ID || got.Username != u.Username || got.Email != u.Email || got.PasswordHash != u.PasswordHash ||
				got.DisplayName != u.DisplayName || got.Headline != "" || got.Bio != "" || got.EmailVerified() ||
				!got.CreatedAt.Equal(base) || !got.UpdatedAt.Equal(base) || got.CreatedAt.Location() != time.UTC {
				f.t.Fatalf("by %s: got %+v, want %+v", name, got, u)
			}
		}
	})

	run("purge removes ended sessions and expired tokens, and nothing live", func(f *fixture) {
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

	run("absent users are not found", func(f *fixture) {
		_, err := f.s.UserByID(f.ctx, uuid.Must(uuid.NewV7()))
		wantKind(f.t, err, errs.ErrNotFound, "UserByID")
		_, err = f.s.UserByUsername(f.ctx, "nobody")
		wantKind(f.t, err, errs.ErrNotFound, "UserByUsername")
		_, err = f.s.UserByEmail(f.ctx, "nobody@example.com")
		wantKind(f.t, err, errs.ErrNotFound, "UserByEmail")
	})

	run("taken username and email are conflicts, whatever the case", func(f *fixture) {
		f.register("grace")
		dup := NewUser("GRACE", base)
		dup.Email = "other@example.com"
		s := session.New(uuid.Must(uuid.NewV7()), dup.ID, base, time.Hour)
		_, h := newSecret(f.t)
		err := f.s.CreateUser(f.ctx, dup, s, session.NewRefreshToken(h, s, base))
		if !errors.Is(err, identity.ErrUsernameTaken) || !errors.Is(err, errs.ErrConflict) {
			f.t.Fatalf("same username: %v", err)
		}
		dup = NewUser("grace2", base)
		dup.Email = "Grace@Example.COM"
		s = session.New(uuid.Must(uuid.NewV7()), dup.ID, base, time.Hour)
		err = f.s.CreateUser(f.ctx, dup, s, session.NewRefreshToken(h, s, base))
		if !errors.Is(err, identity.ErrEmailTaken) || !errors.Is(err, errs.ErrConflict) {
			f.t.Fatalf("same email: %v", err)
		}
		if live, _ := f.s.SessionLive(f.ctx, s.ID, dup.ID, base); live {
			f.t.Fatal("a refused registration left a session behind")
		}
	})

	run("profile updates change only what they name", func(f *fixture) {
		u, _, _ := f.register("hedy")
		later := base.Add(time.Minute)
		head := "Inventor"
		got, err := f.s.UpdateProfile(f.ctx, u.ID, user.ProfileChanges{Headline: &head}, later)
		if err != nil {
			f.t.Fatal(err)
		}
		if got.Headline != head || got.DisplayName != u.DisplayName || got.Bio != "" || !got.UpdatedAt.Equal(later) {
			f.t.Fatalf("after update: %+v", got)
		}
		empty, name := "", "Hedy L."
		got, err = f.s.UpdateProfile(f.ctx, u.ID, user.ProfileChanges{DisplayName: &name, Headline: &empty}, later)
		if err != nil || got.DisplayName != name || got.Headline != "" {
			f.t.Fatalf("second update: %+v %v", got, err)
		}
		_, err = f.s.UpdateProfile(f.ctx, uuid.Must(uuid.NewV7()), user.ProfileChanges{Headline: &head}, later)
		wantKind(f.t, err, errs.ErrNotFound, "UpdateProfile of nobody")
	})

	run("sessions are live until revoked or expired", func(f *fixture) {
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
		wantKind(f.t, f.s.RevokeSessionOf(f.ctx, unknown, base), errs.ErrNotFound, "RevokeSessionOf unknown")
	})

	run("refresh applies the plan: rotate, or revoke and refuse", func(f *fixture) {
		_, sess, h1 := f.register("barbara")
		_, unknown := newSecret(f.t)
		_, err := f.s.Refresh(f.ctx, unknown, func(session.RefreshToken, session.Session) (identity.RefreshPlan, error) {
			f.t.Fatal("decide called for an unknown token")
			return identity.RefreshPlan{}, nil
		})
		wantKind(f.t, err, errs.ErrNotFound, "Refresh unknown")

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

	run("a password change revokes every other session", func(f *fixture) {
		u, s1, _ := f.register("edsger")
		s2, _ := f.login(u, base)
		s3, _ := f.login(u, base)
		later := base.Add(time.Minute)
		if err := f.s.ChangePassword(f.ctx, u.ID, "new-hash", s2.ID, later); err != nil {
			f.t.Fatal(err)
		}
		if f.live(s1, later) || !f.live(s2, later) || f.live(s3, later) {
			f.t.Fatal("wrong sessions revoked")
		}
		got, _ := f.s.UserByID(f.ctx, u.ID)
		if got.PasswordHash != "new-hash" {
			f.t.Fatal("hash not replaced")
		}
		if err := f.s.SetPasswordHash(f.ctx, u.ID, "rehashed", later); err != nil {
			f.t.Fatal(err)
		}
		if got, _ := f.s.UserByID(f.ctx, u.ID); got.PasswordHash != "rehashed" || !f.live(s2, later) {
			f.t.Fatal("SetPasswordHash must replace the hash and revoke nothing")
		}
	})

	run("deleting a user removes them and their sessions", func(f *fixture) {
		u, s1, h1 := f.register("ken")
		if err := f.s.DeleteUser(f.ctx, u.ID); err != nil {
			f.t.Fatal(err)
		}
		_, err := f.s.UserByID(f.ctx, u.ID)
		wantKind(f.t, err, errs.ErrNotFound, "UserByID after delete")
		if f.live(s1, base) {
			f.t.Fatal("session of a deleted user is live")
		}
		wantKind(f.t, f.s.RevokeSessionOf(f.ctx, h1, base), errs.ErrNotFound, "refresh token of a deleted user")
		wantKind(f.t, f.s.DeleteUser(f.ctx, u.ID), errs.ErrNotFound, "second delete")
		// The name is free again.
		f.register("ken")
	})

	run("one-time tokens: reset once, revoke every session", func(f *fixture) {
		u, s1, _ := f.register("radia")
		s2, _ := f.login(u, base)
		_, h := newSecret(f.t)
		if err := f.s.CreateOneTimeToken(f.ctx, session.NewOneTimeToken(h, u.ID, session.PasswordReset, base)); err != nil {
			f.t.Fatal(err)
		}
		wantKind(f.t, f.s.VerifyEmail(f.ctx, h, base), errs.ErrNotFound, "a reset token used to verify")
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
		wantKind(f.t, f.s.ResetPassword(f.ctx, h, "again", now), errs.ErrNotFound, "second use")
		_, expired := newSecret(f.t)
		if err := f.s.CreateOneTimeToken(f.ctx, session.NewOneTimeToken(expired, u.ID, session.PasswordReset, base)); err != nil {
			f.t.Fatal(err)
		}
		wantKind(f.t, f.s.ResetPassword(f.ctx, expired, "late", base.Add(31*time.Minute)), errs.ErrNotFound, "expired")
		_, unknown := newSecret(f.t)
		wantKind(f.t, f.s.ResetPassword(f.ctx, unknown, "x", base), errs.ErrNotFound, "unknown")
	})

	run("one-time tokens: a reset spends every other emailed token of the user", func(f *fixture) {
		u, _, _ := f.register("grace")
		other, _, _ := f.register("hopper")
		t1, t2, v := f.token(u, session.PasswordReset), f.token(u, session.PasswordReset), f.token(u, session.EmailVerification)
		theirs := f.token(other, session.PasswordReset)
		now := base.Add(time.Minute)
		if err := f.s.ResetPassword(f.ctx, t1, "first", now); err != nil {
			f.t.Fatal(err)
		}
		wantKind(f.t, f.s.ResetPassword(f.ctx, t2, "second", now), errs.ErrNotFound, "the second reset token after the first was used")
		wantKind(f.t, f.s.VerifyEmail(f.ctx, v, now), errs.ErrNotFound, "a verification token after a reset")
		if got, _ := f.s.UserByID(f.ctx, u.ID); got.PasswordHash != "first" {
			f.t.Fatalf("hash %q", got.PasswordHash)
		}
		if err := f.s.ResetPassword(f.ctx, theirs, "theirs", now); err != nil {
			f.t.Fatalf("another user's token must stay usable: %v", err)
		}
	})

	run("one-time tokens: a password change spends every emailed token of the user", func(f *fixture) {
		u, s1, _ := f.register("lamport")
		reset, verify := f.token(u, session.PasswordReset), f.token(u, session.EmailVerification)
		now := base.Add(time.Minute)
		if err := f.s.ChangePassword(f.ctx, u.ID, "changed", s1.ID, now); err != nil {
			f.t.Fatal(err)
		}
		wantKind(f.t, f.s.ResetPassword(f.ctx, reset, "x", now), errs.ErrNotFound, "a reset token after a password change")
		wantKind(f.t, f.s.VerifyEmail(f.ctx, verify, now), errs.ErrNotFound, "a verification token after a password change")
		// A token asked for after the change works.
		fresh := f.token(u, session.PasswordReset)
		if err := f.s.ResetPassword(f.ctx, fresh, "reset", now.Add(time.Minute)); err != nil {
			f.t.Fatal(err)
		}
	})

	run("one-time tokens: deleting a user spends them all", func(f *fixture) {
		u, _, _ := f.register("liskov")
		reset, verify := f.token(u, session.PasswordReset), f.token(u, session.EmailVerification)
		if err := f.s.DeleteUser(f.ctx, u.ID); err != nil {
			f.t.Fatal(err)
		}
		wantKind(f.t, f.s.ResetPassword(f.ctx, reset, "x", base), errs.ErrNotFound, "a reset token after deletion")
		wantKind(f.t, f.s.VerifyEmail(f.ctx, verify, base), errs.ErrNotFound, "a verification token after deletion")
	})

	run("one-time tokens: verify an email once", func(f *fixture) {
		u, _, _ := f.register("frances")
		_, h := newSecret(f.t)
		if err := f.s.CreateOneTimeToken(f.ctx, session.NewOneTimeToken(h, u.ID, session.EmailVerification, base)); err != nil {
			f.t.Fatal(err)
		}
		wantKind(f.t, f.s.ResetPassword(f.ctx, h, "x", base), errs.ErrNotFound, "a verification token used to reset")
		now := base.Add(time.Hour)
		if err := f.s.VerifyEmail(f.ctx, h, now); err != nil {
			f.t.Fatal(err)
		}
		got, _ := f.s.UserByID(f.ctx, u.ID)
		if !got.EmailVerified() || !got.EmailVerifiedAt.Equal(now) {
			f.t.Fatalf("not verified: %+v", got)
		}
		wantKind(f.t, f.s.VerifyEmail(f.ctx, h, now), errs.ErrNotFound, "second use")
	})

	run("search: prefix of username or display name, by username, without blocks", func(f *fixture) {
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
		h.Block(f.t, f.s, me.ID, blocked.ID)
		h.Block(f.t, f.s, blocker.ID, me.ID)

		names := func(q string, limit int, after *ports.Cursor) ([]string, *ports.Cursor) {
			p, err := f.s.SearchUsers(f.ctx, me.ID, q, ports.PageRequest{Limit: limit, After: after})
			if err != nil {
				f.t.Fatal(err)
			}
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
