package identitytest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"agora/domain/errs"
	"agora/domain/errs/errstest"
	"agora/domain/session"
	"agora/domain/user"
	"agora/ports/identity"
)

// RunUserStore checks the behaviour every identity.UserStore must have.
func RunUserStore(t *testing.T, open Open) {
	run(t, open, "users round-trip and are found case-insensitively", func(f *fixture) {
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

	run(t, open, "absent users are not found", func(f *fixture) {
		_, err := f.s.UserByID(f.ctx, uuid.Must(uuid.NewV7()))
		errstest.WantKind(f.t, err, errs.ErrNotFound)
		_, err = f.s.UserByUsername(f.ctx, "nobody")
		errstest.WantKind(f.t, err, errs.ErrNotFound)
		_, err = f.s.UserByEmail(f.ctx, "nobody@example.com")
		errstest.WantKind(f.t, err, errs.ErrNotFound)
	})

	run(t, open, "taken username and email are conflicts, whatever the case", func(f *fixture) {
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

	run(t, open, "a profile update stores what the update function returns", func(f *fixture) {
		u, _, _ := f.register("hedy")
		later := base.Add(time.Minute)
		var seen []user.User
		edit := func(head string, at time.Time) func(user.User) (user.User, error) {
			return func(cur user.User) (user.User, error) {
				seen = append(seen, cur)
				cur.Headline, cur.Bio, cur.UpdatedAt = head, "Bio of "+head, at
				cur.PasswordHash = "not-a-profile-field"
				return cur, nil
			}
		}
		got, err := f.s.UpdateProfile(f.ctx, u.ID, edit("Inventor", later))
		errstest.Must(f.t, err)
		if len(seen) != 1 || seen[0].ID != u.ID || seen[0].DisplayName != u.DisplayName || seen[0].Headline != "" ||
			!seen[0].UpdatedAt.Equal(base) {
			f.t.Fatalf("first update saw %+v, want the registered user", seen)
		}
		if got.Headline != "Inventor" || got.Bio != "Bio of Inventor" || got.DisplayName != u.DisplayName ||
			!got.UpdatedAt.Equal(later) || got.UpdatedAt.Location() != time.UTC || got.PasswordHash != u.PasswordHash {
			f.t.Fatalf("after update: %+v", got)
		}
		if reread, err := f.s.UserByID(f.ctx, u.ID); err != nil || reread != got {
			f.t.Fatalf("reread %+v (%v), want what UpdateProfile returned %+v", reread, err, got)
		}
		evenLater := later.Add(time.Minute)
		_, err = f.s.UpdateProfile(f.ctx, u.ID, edit("Actress", evenLater))
		errstest.Must(f.t, err)
		if len(seen) != 2 || seen[1] != got {
			f.t.Fatalf("second update saw %+v, want the stored user %+v", seen, got)
		}
		stored, err := f.s.UserByID(f.ctx, u.ID)
		errstest.Must(f.t, err)

		refuse := errs.New(errs.ErrForbidden, "no")
		_, err = f.s.UpdateProfile(f.ctx, u.ID, func(cur user.User) (user.User, error) {
			cur.Headline = "refused"
			return cur, refuse
		})
		if !errors.Is(err, refuse) {
			f.t.Fatalf("refused update: %v, want %v", err, refuse)
		}
		if after, err := f.s.UserByID(f.ctx, u.ID); err != nil || after != stored {
			f.t.Fatalf("a refused update changed the user: %+v (%v)", after, err)
		}

		called := false
		_, err = f.s.UpdateProfile(f.ctx, uuid.Must(uuid.NewV7()), func(cur user.User) (user.User, error) {
			called = true
			return cur, nil
		})
		errstest.WantKind(f.t, err, errs.ErrNotFound)
		if called {
			f.t.Fatal("update was called for an absent user")
		}
	})

	run(t, open, "a password change revokes every other session", func(f *fixture) {
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
		// A user deleted mid-request: the answer can reach a client, so it is
		// the API's one wording for a missing user.
		nobody := uuid.Must(uuid.NewV7())
		for name, err := range map[string]error{
			"ChangePassword":  f.s.ChangePassword(f.ctx, nobody, "x", s2.ID, later),
			"SetPasswordHash": f.s.SetPasswordHash(f.ctx, nobody, "x", later),
		} {
			if !errors.Is(err, errs.ErrNotFound) || errs.MessageOf(err) != errs.MessageOf(user.ErrNotFound) {
				f.t.Fatalf("%s of nobody: %v, want %v", name, err, user.ErrNotFound)
			}
		}
	})

	run(t, open, "a password change spends every emailed token of the user", func(f *fixture) {
		u, s1, _ := f.register("lamport")
		reset, verify := f.token(u, session.PasswordReset), f.token(u, session.EmailVerification)
		now := base.Add(time.Minute)
		if err := f.s.ChangePassword(f.ctx, u.ID, "changed", s1.ID, now); err != nil {
			f.t.Fatal(err)
		}
		errstest.WantKind(f.t, f.s.ResetPassword(f.ctx, reset, "x", now), errs.ErrNotFound)
		errstest.WantKind(f.t, f.s.VerifyEmail(f.ctx, verify, now), errs.ErrNotFound)
		// A token asked for after the change works.
		fresh := f.token(u, session.PasswordReset)
		if err := f.s.ResetPassword(f.ctx, fresh, "reset", now.Add(time.Minute)); err != nil {
			f.t.Fatal(err)
		}
	})

	run(t, open, "deleting a user removes them and their sessions", func(f *fixture) {
		u, s1, h1 := f.register("ken")
		if err := f.s.DeleteUser(f.ctx, u.ID); err != nil {
			f.t.Fatal(err)
		}
		_, err := f.s.UserByID(f.ctx, u.ID)
		errstest.WantKind(f.t, err, errs.ErrNotFound)
		if f.live(s1, base) {
			f.t.Fatal("session of a deleted user is live")
		}
		errstest.WantKind(f.t, f.s.RevokeSessionOf(f.ctx, h1, base), errs.ErrNotFound)
		errstest.WantKind(f.t, f.s.DeleteUser(f.ctx, u.ID), errs.ErrNotFound)
		// The name is free again.
		f.register("ken")
	})

	run(t, open, "deleting a user spends their emailed tokens", func(f *fixture) {
		u, _, _ := f.register("liskov")
		reset, verify := f.token(u, session.PasswordReset), f.token(u, session.EmailVerification)
		if err := f.s.DeleteUser(f.ctx, u.ID); err != nil {
			f.t.Fatal(err)
		}
		errstest.WantKind(f.t, f.s.ResetPassword(f.ctx, reset, "x", base), errs.ErrNotFound)
		errstest.WantKind(f.t, f.s.VerifyEmail(f.ctx, verify, base), errs.ErrNotFound)
	})
}
