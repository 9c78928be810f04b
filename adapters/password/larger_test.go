package password_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"agora/adapters/password"
	"agora/domain/errs"
)

// A hash made with more memory than the hasher's parameters (an older one)
// needs memory of its own for the call: such verifications run together
// only as far as their memory allows (64 MiB, the most one may ask for), so
// that a flood of old hashes costs one 64 MiB buffer and not one a core,
// while smaller old hashes still use every slot. Each still verifies.
func TestLargerStoredHashesShareABoundedMemory(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		costs password.Params
		peak  int32
	}{
		{"64 MiB: one at a time", password.Params{Memory: 64 * 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}, 1},
		{"8 MiB: a slot each", password.Params{Memory: 8 * 1024, Iterations: 3, Parallelism: 1, SaltLength: 16, KeyLength: 32}, 2},
	} {
		enc, err := password.New(c.costs, 1, 0).Hash(context.Background(), pw(t, "an older login"))
		if err != nil {
			t.Fatal(err)
		}
		h := password.New(cheap, 2, 0)
		if p := peakInUse(h, 4, func() {
			match, rehash, err := h.Verify(context.Background(), pw(t, "an older login"), enc)
			if err != nil || !match || !rehash {
				t.Errorf("%s: Verify = %v, %v, %v; want a match that asks for a rehash", c.name, match, rehash, err)
			}
		}); p != c.peak {
			t.Errorf("%s: peak concurrent hashes = %d, want %d", c.name, p, c.peak)
		}
	}

	// One waiting for memory gives up when its context ends.
	enc, err := password.New(password.OWASP, 1, 0).Hash(context.Background(), pw(t, "an older login"))
	if err != nil {
		t.Fatal(err)
	}
	h := password.New(cheap, 2, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	release := h.HoldLarge()
	_, _, err = h.Verify(ctx, pw(t, "an older login"), enc)
	release()
	if !errors.Is(err, errs.ErrUnavailable) {
		t.Fatalf("waiting past the context's end: %v, want ErrUnavailable", err)
	}
}

// peakInUse runs f n times at once and returns the most hashes h ran at
// once meanwhile.
func peakInUse(h *password.Hasher, n int, f func()) int32 {
	stop, sampled := make(chan struct{}), make(chan struct{})
	var peak atomic.Int32
	go func() {
		defer close(sampled)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if k := int32(h.InUse()); k > peak.Load() {
				peak.Store(k)
			}
			time.Sleep(50 * time.Microsecond)
		}
	}()
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	wg.Wait()
	close(stop)
	<-sampled
	return peak.Load()
}

// A caller whose context has already ended never starts a hash, even with
// every slot free (a select over a free slot and an ended context picks
// either).
func TestEndedContextNeverHashes(t *testing.T) {
	t.Parallel()
	h := password.New(cheap, 2, 0)
	enc, err := h.Hash(context.Background(), pw(t, "a current login"))
	if err != nil {
		t.Fatal(err)
	}
	older, err := password.New(password.OWASP, 1, 0).Hash(context.Background(), pw(t, "an older login"))
	if err != nil {
		t.Fatal(err)
	}
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	for range 50 {
		if _, err := h.Hash(ended, pw(t, "a new password")); !errors.Is(err, errs.ErrUnavailable) {
			t.Fatalf("Hash with an ended context: %v, want ErrUnavailable", err)
		}
		for _, e := range []string{enc, older} {
			if _, _, err := h.Verify(ended, pw(t, "a current login"), e); !errors.Is(err, errs.ErrUnavailable) {
				t.Fatalf("Verify with an ended context: %v, want ErrUnavailable", err)
			}
		}
	}
}
