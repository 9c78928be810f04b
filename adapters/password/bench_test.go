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
func benchmarkVerify(b *testing.B, params argon2id.Params, parallel, raw bool) {
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
	if raw { // argon2id itself, on ordinary goroutines: the machine's rate
		verify = func() {
			if ok, _, err := argon2id.CheckHash(pw.Reveal(), enc); err != nil || !ok {
				b.Fatalf("verify: %v %v", ok, err)
			}
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

// The service's parameters (cmd/agora wires OWASPLowMemory): argon2id alone
// on one core and on all (VerifyParallel is the machine's rate `make bench`
// holds login to), and through the Hasher on all (low-priority threads, the
// memory of each hash returned to the system after it).
func BenchmarkVerify(b *testing.B)         { benchmarkVerify(b, password.OWASPLowMemory, false, true) }
func BenchmarkVerifyParallel(b *testing.B) { benchmarkVerify(b, password.OWASPLowMemory, true, true) }
func BenchmarkHasherVerifyParallel(b *testing.B) {
	benchmarkVerify(b, password.OWASPLowMemory, true, false)
}

// The 19 MiB baseline, for comparison.
func BenchmarkVerifyOWASP19MiB(b *testing.B) { benchmarkVerify(b, password.OWASP, false, true) }
