package password_test

import (
	"context"
	"testing"

	"agora/adapters/password"
	"agora/adapters/password/internal/argon2"
	"agora/domain/user"
)

// The machine's verification rate for the production parameters: `make
// bench` divides login throughput by this (ns/op of the parallel run is the
// time per verification with every core busy). go test -bench Verify
// ./adapters/password
//
// raw runs argon2id alone on ordinary goroutines, one reused workspace each
// (the yardstick: no allocation, no slot, no thread priority); otherwise
// verifications go through the Hasher as logins do.
func benchmarkVerify(b *testing.B, params password.Params, parallel, raw bool) {
	ctx := context.Background()
	h := password.New(params, 0, password.LowestPriority)
	pw, err := user.ParsePassword("password", "benchpassword")
	if err != nil {
		b.Fatal(err)
	}
	enc, err := h.Hash(ctx, pw)
	if err != nil {
		b.Fatal(err)
	}
	salt := []byte("benchsaltbenchsa")
	newVerifier := func() func() {
		if raw {
			w := argon2.NewWorkspace(params.Memory)
			return func() {
				w.IDKey([]byte(pw.Reveal()), salt, params.Iterations, params.Memory, params.Parallelism, params.KeyLength)
			}
		}
		return func() {
			if ok, _, err := h.Verify(ctx, pw, enc); err != nil || !ok {
				b.Fatalf("verify: %v %v", ok, err)
			}
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	if !parallel {
		verify := newVerifier()
		for b.Loop() {
			verify()
		}
		return
	}
	b.RunParallel(func(pb *testing.PB) {
		verify := newVerifier()
		for pb.Next() {
			verify()
		}
	})
}

// The service's parameters (cmd/agora wires OWASPLowMemory): argon2id alone
// on one core and on all (VerifyParallel is the machine's rate `make bench`
// holds login to), and through the Hasher on all (low-priority threads, one
// reused workspace per slot).
func BenchmarkVerify(b *testing.B)         { benchmarkVerify(b, password.OWASPLowMemory, false, true) }
func BenchmarkVerifyParallel(b *testing.B) { benchmarkVerify(b, password.OWASPLowMemory, true, true) }
func BenchmarkHasherVerifyParallel(b *testing.B) {
	benchmarkVerify(b, password.OWASPLowMemory, true, false)
}

// The 19 MiB baseline, for comparison.
func BenchmarkVerifyOWASP19MiB(b *testing.B) { benchmarkVerify(b, password.OWASP, false, true) }
