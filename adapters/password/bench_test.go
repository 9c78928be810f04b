package password_test

import (
	"context"
	"testing"

	"agora/adapters/password"
	"agora/domain/user"
)

// The machine's verification rate for the production parameters: `make
// bench` divides login throughput by this (ns/op of the parallel run is the
// time per verification with every core busy). go test -bench Verify
// ./adapters/password
func benchmarkVerify(b *testing.B, parallel bool) {
	ctx := context.Background()
	h := password.New(password.OWASP, 0)
	pw, err := user.ParsePassword("password", "benchpassword")
	if err != nil {
		b.Fatal(err)
	}
	enc, err := h.Hash(ctx, pw)
	if err != nil {
		b.Fatal(err)
	}
	verify := func() {
		if ok, _, err := h.Verify(ctx, pw, enc); err != nil || !ok {
			b.Fatalf("verify: %v %v", ok, err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	if !parallel {
		for b.Loop() {
			verify()
		}
		return
	}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			verify()
		}
	})
}

func BenchmarkVerify(b *testing.B)         { benchmarkVerify(b, false) }
func BenchmarkVerifyParallel(b *testing.B) { benchmarkVerify(b, true) }
