// Package password hashes passwords with argon2id (RFC 9106) and stores them
// as PHC strings ($argon2id$v=19$m=...,t=...,p=...$salt$key), so that the
// parameters can be raised later: old hashes still verify, and a login with
// an old hash gets it replaced (Verify reports rehash).
//
// Each hash costs 7 MiB (OWASPLowMemory) and milliseconds of one core. The
// hasher runs at most a given number at once, each in memory of its own that
// the next hash in that slot reuses (internal/argon2, a fork of x/crypto's
// that lets the caller own the memory: no garbage per login, so no
// collection per login either), on an OS thread of its own at the lowest
// scheduling priority (nice 19): idle cores hash at full speed, and any
// other runnable thread (request handling, PostgreSQL) takes the core from a
// hash at once, so a login flood neither starves reads nor waits behind
// them when the machine is otherwise idle. The rest wait for a slot as long
// as their request's context allows. The process should have that many
// more Go processors than cores (cmd/agora raises GOMAXPROCS), so that
// request goroutines always find one free while every hash runs.
//
// A thread per hash, not long-lived hashing threads: workers that kept their
// niced thread and took the waiting hashes one after another logged in 5 %
// faster, but the reads beside a login flood answered with a p99 of 15-130
// ms instead of 6-9 ms (bench/notes.md, round 4).
package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"runtime"
	"sync/atomic"

	"golang.org/x/sync/semaphore"

	"agora/adapters/password/internal/argon2"
	"agora/domain/errs"
	"agora/domain/user"
	"agora/ports/identity"
)

// Hasher is an identity.PasswordHasher over argon2id.
type Hasher struct {
	params Params
	// slots holds one workspace per hash that may run at once; a slot's
	// workspace is made on its first use and kept while hashes keep coming
	// (a login flood reuses them), released when the hasher goes idle (7 MiB
	// each is a tenth of the memory budget, not worth keeping for the next
	// lone login).
	slots chan *argon2.Workspace // nil: not made yet, or released
	// large bounds the memory of the hashes made with more memory than
	// params (older hashes, replaced at their login) that run at once: each
	// needs a buffer of its own for the call, and one a core at once would
	// take the process far past its memory budget. Weighted by memory, so
	// that two 19 MiB hashes still run side by side, one 64 MiB hash alone.
	large *semaphore.Weighted
	nice  int
	busy  atomic.Int32 // calls in run, waiting for a slot included
	cores *cores
}

var _ identity.PasswordHasher = (*Hasher)(nil)

// LowestPriority is the niceness that gives the hashing threads only the
// CPU nothing else wants.
const LowestPriority = 19

// New returns a hasher with the given parameters that runs at most
// concurrency hashes at once (<= 0: GOMAXPROCS), on threads of the given
// niceness (0-19; LowestPriority in production).
func New(params Params, concurrency, nice int) *Hasher {
	if concurrency <= 0 {
		concurrency = runtime.GOMAXPROCS(0)
	}
	slots := make(chan *argon2.Workspace, concurrency)
	for range concurrency {
		slots <- nil
	}
	return &Hasher{params: params, slots: slots, large: semaphore.NewWeighted(maxMemory), nice: nice, cores: newCores(allowedCPUs())}
}

// run runs f, a hash of memory KiB, in a slot's workspace, on a
// low-priority thread; one larger than the hasher's own first waits until
// the memory of the larger hashes running allows it. A caller whose context
// has ended never starts a hash (select would pick a free slot over the
// ended context half the time).
func (h *Hasher) run(ctx context.Context, memory uint32, f func(*argon2.Workspace)) error {
	h.busy.Add(1)
	// The last caller to leave lets the memory go, even one that gave up
	// waiting (deferred first, so it runs after the slot is back).
	defer func() {
		if h.busy.Add(-1) == 0 {
			h.releaseIdle()
		}
	}()
	if memory > h.params.Memory {
		if err := h.large.Acquire(ctx, int64(memory)); err != nil {
			return busy(ctx)
		}
		defer h.large.Release(int64(memory))
	}
	w, err := h.acquire(ctx)
	if err != nil {
		return err
	}
	defer func() { h.slots <- w }()
	onLowPriorityThread(h.nice, h.cores, func() { f(w) })
	return nil
}

// releaseIdle gives back the memory of every workspace no hash holds.
// Slots are taken without waiting: one a new hash holds keeps its workspace.
func (h *Hasher) releaseIdle() {
	taken := 0
	defer func() {
		for range taken {
			h.slots <- nil
		}
	}()
	for range cap(h.slots) {
		select {
		case w := <-h.slots:
			taken++
			if w != nil {
				w.Release()
			}
		default:
			return
		}
	}
}

// acquire waits for a hashing slot, or gives up when ctx ends (503: the
// server is saturated, try again).
func (h *Hasher) acquire(ctx context.Context) (*argon2.Workspace, error) {
	if ctx.Err() != nil {
		return nil, busy(ctx)
	}
	select {
	case w := <-h.slots:
		if w == nil {
			w = argon2.NewWorkspace(h.params.Memory)
		}
		return w, nil
	case <-ctx.Done():
		return nil, busy(ctx)
	}
}

// Hash implements identity.PasswordHasher.
func (h *Hasher) Hash(ctx context.Context, pw user.Password) (string, error) {
	p := h.params
	salt := make([]byte, p.SaltLength)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("argon2id: salt: %w", err)
	}
	var key []byte
	if err := h.run(ctx, p.Memory, func(w *argon2.Workspace) {
		key = w.IDKey([]byte(pw.Reveal()), salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLength)
	}); err != nil {
		return "", err
	}
	return encode(p, salt, key), nil
}

// Verify implements identity.PasswordHasher. An encoded hash that does not
// parse, or asks for more than any parameters Agora ever used, is an error
// (a corrupt row), not a mismatch.
func (h *Hasher) Verify(ctx context.Context, pw user.Password, encoded string) (match, rehash bool, err error) {
	p, salt, want, err := decode(encoded)
	if err != nil {
		return false, false, fmt.Errorf("argon2id: stored hash unreadable: %w", err)
	}
	var got []byte
	if err := h.run(ctx, p.Memory, func(w *argon2.Workspace) {
		got = w.IDKey([]byte(pw.Reveal()), salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLength)
	}); err != nil {
		return false, false, err
	}
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, false, nil
	}
	return true, p != h.params, nil
}

// busy is the answer to a caller whose context ended while it waited (503:
// the server is saturated, try again).
func busy(ctx context.Context) error {
	return errs.Wrap(errs.ErrUnavailable, "The server is busy; retry later.", ctx.Err())
}
