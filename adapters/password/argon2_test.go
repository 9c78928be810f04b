package password_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"agora/adapters/password"
	"agora/domain/errs"
	"agora/domain/user"
)

// cheap parameters keep the tests fast; the rules do not depend on cost.
var cheap = password.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// salt and key are a valid hash's; phc puts them behind other costs.
const salt, key = "nkfuGvbLODEP6/5B/GXfwQ", "W9w98tL4EB756PVbE4wWfumApRcVzSEY7owdakqsfp0"

func phc(costs string) string { return "$argon2id$v=19$" + costs + "$" + salt + "$" + key }

func pw(t *testing.T, s string) user.Password {
	t.Helper()
	p, err := user.CandidatePassword("password", s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestHashIsPHCAndVerifies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := password.New(password.OWASP, 0, 0)
	enc, err := h.Hash(ctx, pw(t, "correct horse battery staple"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("not an OWASP argon2id PHC string: %s", enc)
	}
	if strings.Contains(enc, "correct horse") {
		t.Fatal("the hash contains the password")
	}
	match, rehash, err := h.Verify(ctx, pw(t, "correct horse battery staple"), enc)
	if err != nil || !match || rehash {
		t.Fatalf("right password: match=%v rehash=%v err=%v", match, rehash, err)
	}
	match, rehash, err = h.Verify(ctx, pw(t, "correct horse battery stapler"), enc)
	if err != nil || match || rehash {
		t.Fatalf("wrong password: match=%v rehash=%v err=%v", match, rehash, err)
	}
	other, _ := h.Hash(ctx, pw(t, "correct horse battery staple"))
	if other == enc {
		t.Fatal("two hashes of one password are equal: no salt?")
	}
}

// A hash made with older parameters still verifies and asks to be replaced.
func TestOldParametersVerifyAndAskForRehash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	old := password.New(cheap, 1, 0)
	enc, err := old.Hash(ctx, pw(t, "passw0rd!"))
	if err != nil {
		t.Fatal(err)
	}
	raised := cheap
	raised.Iterations = 2
	match, rehash, err := password.New(raised, 1, 0).Verify(ctx, pw(t, "passw0rd!"), enc)
	if err != nil || !match || !rehash {
		t.Fatalf("match=%v rehash=%v err=%v", match, rehash, err)
	}
	// A wrong password never asks for a rehash (it must not be stored).
	match, rehash, _ = password.New(raised, 1, 0).Verify(ctx, pw(t, "nope-nope"), enc)
	if match || rehash {
		t.Fatalf("wrong password: match=%v rehash=%v", match, rehash)
	}
}

// Stored hashes are data. One that does not parse, or asks for more than any
// parameters Agora ever used (a corrupt or planted row must not make a login
// allocate gigabytes or spin for minutes), is an error, never a match.
func TestCorruptHashIsAnError(t *testing.T) {
	t.Parallel()
	for _, enc := range []string{
		"", "$2a$10$notargon", "argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key,
		"$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key,
		"$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key,
		// Costs that do not parse: missing, out of order, padded, extra.
		phc("m=64,t=1"), phc("t=1,m=64,p=1"), phc("m=064,t=1,p=1"), phc("m=+64,t=1,p=1"), phc("m=64,t=1,p=1,x=2"),
		// Costs out of bounds: 4 TiB, over the memory bound, over the work bound.
		phc("m=4294967295,t=1,p=1"), phc("m=65537,t=1,p=1"), phc("m=65536,t=3,p=1"),
		phc("m=64,t=1,p=9"), phc("m=64,t=65,p=1"), phc("m=64,t=0,p=1"),
		phc("m=64,t=1,p=0"), phc("m=64,t=1,p=256"), phc("m=7,t=1,p=1"),
		// Salt and key: bad base64, a 4-byte salt, a 3-byte key, trailing bytes.
		"$argon2id$v=19$m=64,t=1,p=1$" + salt + "=$" + key,
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdA$" + key,
		"$argon2id$v=19$m=64,t=1,p=1$" + salt + "$a2V5",
		phc("m=64,t=1,p=1") + "$", phc("m=64,t=1,p=1") + "\x00",
	} {
		match, rehash, err := password.New(cheap, 1, 0).Verify(context.Background(), pw(t, "correct horse battery staple"), enc)
		if err == nil || match || rehash {
			t.Errorf("%q: match=%v rehash=%v err=%v, want an error", enc, match, rehash, err)
		}
	}
}

// Hashes that alexedwards/argon2id wrote (Agora's hasher before this one)
// verify, the ones with other parameters (19 MiB: more memory than the
// hasher's workspace; two lanes) ask to be replaced.
func TestEarlierHashesVerify(t *testing.T) {
	t.Parallel()
	h := password.New(password.OWASPLowMemory, 1, 0)
	for _, c := range []struct {
		enc    string
		rehash bool
	}{
		{"$argon2id$v=19$m=7168,t=5,p=1$nkfuGvbLODEP6/5B/GXfwQ$W9w98tL4EB756PVbE4wWfumApRcVzSEY7owdakqsfp0", false},
		{"$argon2id$v=19$m=19456,t=2,p=1$QPyeo1C5DmYE2PePV5uBJw$Il70jVkO9V4KxK/0QtGDdkQoM0t9nrfA1Q/wd1+1VC0", true},
		{"$argon2id$v=19$m=64,t=1,p=2$CRwuk2/dILkG6AriF6jlhQ$x2ACKnEKW/8fgYftOovYPy8qHD9bi/ObvMxpfXgXb2E", true},
	} {
		match, rehash, err := h.Verify(context.Background(), pw(t, "correct horse battery staple"), c.enc)
		if err != nil || !match || rehash != c.rehash {
			t.Errorf("%s: match=%v rehash=%v err=%v, want a match with rehash=%v", c.enc, match, rehash, err, c.rehash)
		}
		match, _, err = h.Verify(context.Background(), pw(t, "correct horse battery stapler"), c.enc)
		if err != nil || match {
			t.Errorf("%s, wrong password: match=%v err=%v", c.enc, match, err)
		}
	}
}

// No more than the configured number of hashes run at once; a caller whose
// context ends while waiting gets ErrUnavailable.
func TestConcurrencyIsBounded(t *testing.T) {
	t.Parallel()
	heavy := password.Params{Memory: 8 * 1024, Iterations: 3, Parallelism: 1, SaltLength: 16, KeyLength: 32}
	h := password.New(heavy, 2, 0)
	ctx := context.Background()
	if p := peakInUse(h, 6, func() {
		if _, err := h.Hash(ctx, pw(t, "concurrent1")); err != nil {
			t.Error(err)
		}
	}); p > 2 || p < 1 {
		t.Fatalf("peak concurrent hashes = %d, want 1-2", p)
	}

	// Fill the only slot with a long hash, then ask with a context that has
	// already ended: with the slot taken the caller can only give up. The
	// slot still taken after the refusal proves it was taken throughout; a
	// holder that finished in between makes the round inconclusive, and a
	// new round starts (no verdict depends on how fast anything ran).
	slow := password.New(password.Params{Memory: 32 * 1024, Iterations: 8, Parallelism: 1, SaltLength: 16, KeyLength: 32}, 1, 0)
	ended, cancel := context.WithCancel(ctx)
	cancel()
	for round := 1; ; round++ {
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, _ = slow.Hash(ctx, pw(t, "hold-the-slot"))
		}()
		if waitTaken(slow, done) {
			_, err := slow.Hash(ended, pw(t, "must-wait-1"))
			if slow.InUse() == 1 {
				if !errors.Is(err, errs.ErrUnavailable) {
					t.Fatalf("asking with an ended context while the slot is taken: %v, want ErrUnavailable", err)
				}
				<-done
				return
			}
		}
		<-done
		if round == 20 {
			t.Fatal("in 20 rounds no hash held the slot for the length of one refused call")
		}
	}
}

// waitTaken waits until a hash holds h's only slot (true) or the holder is
// done (false).
func waitTaken(h *password.Hasher, done <-chan struct{}) bool {
	for h.InUse() == 0 {
		select {
		case <-done:
			return false
		default:
			runtime.Gosched()
		}
	}
	return true
}

// What a corrupt or planted row can make one Verify cost must stay within
// what the process can afford (the package's bounds say "must not make a
// login allocate gigabytes or spin for minutes"; the pod's memory limit is
// 320 MiB with GOMEMLIMIT 250 MiB, and a slot per core may verify at once).
// The bounds admit m=256 MiB and t=64: one such Verify allocates 256 MiB,
// and at 2.8 s per pass over 256 MiB on this machine runs about 3 minutes.
func TestStoredHashCostIsAffordable(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ costs, why string }{
		{"m=262144,t=1,p=1", "256 MiB for one hash: over the process's whole memory limit"},
		{"m=65536,t=64,p=1", "64 passes over 64 MiB: over a minute of a core"},
		{"m=262144,t=64,p=255", "both, in 255 lanes"},
	} {
		if p, err := password.Decode(phc(c.costs)); err == nil {
			t.Errorf("accepted %+v (%s)", p, c.why)
		}
	}
	// What Agora has used still decodes.
	for _, costs := range []string{"m=7168,t=5,p=1", "m=19456,t=2,p=1", "m=65536,t=1,p=2"} {
		if _, err := password.Decode(phc(costs)); err != nil {
			t.Errorf("%s: %v", costs, err)
		}
	}
}

// Hashes run at the lowest priority (the package comment: a login flood must
// not starve request handling). A stored hash with more than one lane (an
// earlier hasher's p=2, or a corrupt row's p=255) runs its lanes on
// goroutines of their own (internal/argon2 keeps only p=1 on the caller's
// thread), on the process's ordinary threads at normal priority. The test
// counts the CPU time that threads at niceness 0 spend while such a hash
// runs, against the process's.
func TestMultiLaneHashStaysNiced(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("thread niceness is Linux's")
	}
	enc, err := password.New(password.Params{Memory: 32 * 1024, Iterations: 3, Parallelism: 2, SaltLength: 16, KeyLength: 32}, 1, 0).
		Hash(context.Background(), pw(t, "correct horse battery staple"))
	if err != nil {
		t.Fatal(err)
	}
	h := password.New(password.OWASPLowMemory, 1, password.LowestPriority)
	before, start := threadTicks(t), processTicks(t)
	if match, _, err := h.Verify(context.Background(), pw(t, "correct horse battery staple"), enc); !match || err != nil {
		t.Fatalf("match=%v err=%v", match, err)
	}
	spent := processTicks(t) - start
	var normal float64
	for tid, now := range threadTicks(t) {
		if now.nice == 0 {
			normal += now.ticks - before[tid].ticks
		}
	}
	if spent > 0 && normal/spent > 0.5 {
		t.Fatalf("threads at normal priority did %.0f%% of a 2-lane hash's work (%.0f of %.0f ticks)", 100*normal/spent, normal, spent)
	}
}

type ticks struct {
	ticks float64
	nice  int
}

// threadTicks reads each thread's CPU time (utime+stime, clock ticks) and
// niceness from /proc/self/task.
func threadTicks(t *testing.T) map[string]ticks {
	t.Helper()
	dirs, err := filepath.Glob("/proc/self/task/*/stat")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]ticks{}
	for _, p := range dirs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // the thread ended meanwhile
		}
		out[filepath.Base(filepath.Dir(p))] = statTicks(b)
	}
	return out
}

// statTicks reads a /proc stat line's CPU time (utime+stime) and niceness.
func statTicks(b []byte) ticks {
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	nice, _ := strconv.Atoi(f[16])
	return ticks{ticks: ut + st, nice: nice}
}

// processTicks is the whole process's CPU time, ended threads included.
func processTicks(t *testing.T) float64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		t.Fatal(err)
	}
	return statTicks(b).ticks
}

// A hasher that goes idle lets its workspaces go (7 MiB each); while hashes
// keep coming they are reused.
func TestIdleHasherKeepsNoWorkspace(t *testing.T) {
	t.Parallel()
	h := password.New(cheap, 2, 0)
	if _, err := h.Hash(context.Background(), pw(t, "first-login")); err != nil {
		t.Fatal(err)
	}
	if n := h.Kept(); n != 0 {
		t.Fatalf("idle hasher keeps %d workspaces", n)
	}
}
