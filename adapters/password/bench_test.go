package password_test

import (
	"context"
	"testing"

	"github.com/alexedwards/argon2id"

	"agora/adapters/password"
	"agora/domain/user"
)

// The machine's verification rate for the production parameters: `make
// bench` divides login throughput by this (ns/op of the parallel run is the
// time per verification with every core busy). go test -bench Verify
// ./adapters/password
func benchmarkVerify(b *testing.B, params argon2id.Params, parallel bool) {
	ctx := context.Background()
	h := password.New(params, 0)
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

// The service's parameters (cmd/agora wires OWASPLowMemory), one core and all.
func BenchmarkVerify(b *testing.B)         { benchmarkVerify(b, password.OWASPLowMemory, false) }
func BenchmarkVerifyParallel(b *testing.B) { benchmarkVerify(b, password.OWASPLowMemory, true) }

// The 19 MiB baseline, for comparison.
func BenchmarkVerifyOWASP19MiB(b *testing.B) { benchmarkVerify(b, password.OWASP, false) }
