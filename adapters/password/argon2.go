// Package password hashes passwords with argon2id (RFC 9106) and stores them
// as PHC strings ($argon2id$v=19$m=...,t=...,p=...$salt$key), so that the
// parameters can be raised later: old hashes still verify, and a login with
// an old hash gets it replaced (Verify reports rehash).
//
// Each hash costs 7 MiB (OWASPLowMemory) and milliseconds of one core. The
// hasher runs at most a given number at once, on workers: each a goroutine
// locked to an OS thread at the lowest scheduling priority (nice 19), with
// memory of its own that the next hash it runs reuses (internal/argon2, a
// fork of x/crypto's that lets the caller own the memory: no garbage per
// login, so no collection per login either). Idle cores hash at full speed,
// and any other runnable thread (request handling, PostgreSQL) takes the
// core from a hash at once, so a login flood neither starves reads nor
// waits behind them when the machine is otherwise idle. A worker takes the
// hashes that wait while it runs one, so a flood pays for its threads and
// memory once; the hasher holds neither while no hash runs. Callers wait
// for a worker as long as their request's context allows. The process
// should have that many more Go processors than cores (cmd/agora raises
// GOMAXPROCS), so that request goroutines always find one free while every
// hash runs.
package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"runtime"
	"sync/atomic"

	"agora/adapters/password/internal/argon2"
	"agora/domain/errs"
	"agora/domain/user"
	"agora/ports/identity"
)

// Hasher is an identity.PasswordHasher over argon2id.
type Hasher struct {
	params Params
	nice   int
	// jobs hands a hash to a worker that has just finished one. It is
	// unbuffered: a send succeeds only into a worker that asks for more.
	jobs chan job
	// workers holds a token per running worker; its capacity is how many
	// hashes may run at once.
	workers chan struct{}
	running atomic.Int32 // hashes running now
	kept    atomic.Int32 // workspaces the workers hold
}

// job is one hash: f runs in a worker's workspace, done closes after.
type job struct {
	f    func(*argon2.Workspace)
	done chan struct{}
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
	return &Hasher{params: params, nice: nice, jobs: make(chan job), workers: make(chan struct{}, concurrency)}
}

// run runs f in a worker's workspace, on its low-priority thread: a worker
// that is finishing a hash takes it next, or a new worker starts when fewer
// than the bound run. A caller whose context ends first gets 503 (the
// server is saturated, try again); once handed over, the hash runs to its
// end.
func (h *Hasher) run(ctx context.Context, f func(*argon2.Workspace)) error {
	j := job{f: f, done: make(chan struct{})}
	select {
	case h.jobs <- j:
	case h.workers <- struct{}{}:
		go h.work(j)
	case <-ctx.Done():
		return errs.Wrap(errs.ErrUnavailable, "The server is busy; retry later.", ctx.Err())
	}
	<-j.done
	return nil
}

// work runs j, then every hash that is waiting when it finishes, on one OS
// thread at the hasher's niceness and in one workspace: a login flood pays
// for the thread and the 7 MiB once, not per hash. When no hash waits, the
// worker gives its workspace back (7 MiB each is a tenth of the memory
// budget, not worth keeping for the next lone login) and its token, before
// it answers its last caller, so an idle hasher holds no memory; then its
// goroutine ends locked, and the runtime ends the thread with it, so the
// niceness never reaches another goroutine.
func (h *Hasher) work(j job) {
	runtime.LockOSThread() // never unlocked: see above
	lowerThreadPriority(h.nice)
	w := argon2.NewWorkspace(h.params.Memory)
	h.kept.Add(1)
	for {
		h.running.Add(1)
		j.f(w)
		h.running.Add(-1)
		select {
		case next := <-h.jobs:
			close(j.done)
			j = next
			continue
		default:
		}
		w.Release()
		h.kept.Add(-1)
		<-h.workers
		close(j.done)
		return
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
	if err := h.run(ctx, func(w *argon2.Workspace) {
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
	if err := h.run(ctx, func(w *argon2.Workspace) {
		got = w.IDKey([]byte(pw.Reveal()), salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLength)
	}); err != nil {
		return false, false, err
	}
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, false, nil
	}
	return true, p != h.params, nil
}
