package postgres_test

import (
	"context"
	"testing"
	"time"

	"agora/adapters/jwt/jwttest"
	"agora/adapters/password"
	"agora/domain/user"
	"agora/ports/identity"
)

type nopMailer struct{}

func (nopMailer) Send(context.Context, identity.Message) error { return nil }

// BenchmarkAuthenticate measures what every authenticated request pays
// before its handler runs: verifying the Ed25519 JWT (signature, algorithm,
// kid, iss, aud, exp) and the session check, a primary-key lookup on real
// PostgreSQL. The sub-benchmarks split the two.
func BenchmarkAuthenticate(b *testing.B) {
	ctx := context.Background()
	issuer := jwttest.Issuer(b)
	store, _ := identityStore(b)
	svc, err := identity.New(identity.Config{AccessTTL: 15 * time.Minute, RefreshTTL: time.Hour},
		identity.Deps{Store: store, Hasher: password.New(password.OWASP, 0, 0), Tokens: issuer, Mailer: nopMailer{}})
	if err != nil {
		b.Fatal(err)
	}
	reg, err := user.ParseRegistration("bench_user", "bench@example.com", "correct horse battery", nil)
	if err != nil {
		b.Fatal(err)
	}
	signed, err := svc.Register(ctx, reg)
	if err != nil {
		b.Fatal(err)
	}
	claims, err := issuer.Verify(signed.AccessToken)
	if err != nil {
		b.Fatal(err)
	}

	b.Run("verify+session", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := svc.Authenticate(ctx, signed.AccessToken); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("verify-only", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := issuer.Verify(signed.AccessToken); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("session-only", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			live, err := store.SessionLive(ctx, claims.SessionID, claims.UserID, time.Now())
			if err != nil || !live {
				b.Fatal(live, err)
			}
		}
	})
	b.Run("verify+session-parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := svc.Authenticate(ctx, signed.AccessToken); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
