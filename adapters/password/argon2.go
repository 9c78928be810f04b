// Package password hashes passwords with argon2id (RFC 9106) and stores them
// as PHC strings ($argon2id$v=19$m=...,t=...,p=...$salt$key), so that the
// parameters can be raised later: old hashes still verify, and a login with
// an old hash gets it replaced (Verify reports rehash).
//
// Each hash costs 7 MiB (OWASPLowMemory) and milliseconds of one core. The
// hasher runs at most a given number at once, each on an OS thread of its
// own at the lowest scheduling priority (nice 19): idle cores hash at full
// speed, and any other runnable thread (request handling, PostgreSQL) takes
// the core from a hash at once, so a login flood neither starves reads nor
// waits behind them when the machine is otherwise idle. The rest wait for a
// slot as long as their request's context allows. The process should have
// that many more Go processors than cores (cmd/agora raises GOMAXPROCS), so
// that request goroutines always find one free while every hash runs.
package password

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/alexedwards/argon2id"

	"agora/domain/errs"
	"agora/domain/user"
	"agora/ports/identity"
)

// OWASP is the OWASP Password Storage Cheat Sheet's argon2id baseline:
// m=19 MiB, t=2, p=1, with a 16-byte salt and a 32-byte key.
var OWASP = argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// Hasher is an identity.PasswordHasher over argon2id.
type Hasher struct {
	params argon2id.Params
	slots  chan struct{}
}

var _ identity.PasswordHasher = (*Hasher)(nil)

// hashNice is the niceness of the hashing threads: the lowest priority.
const hashNice = 19

// New returns a hasher with the given parameters that runs at most
// concurrency hashes at once (<= 0: GOMAXPROCS).
func New(params argon2id.Params, concurrency int) *Hasher {
	if concurrency <= 0 {
		concurrency = runtime.GOMAXPROCS(0)
	}
	return &Hasher{params: params, slots: make(chan struct{}, concurrency)}
}

// run runs f in a slot, on a low-priority thread.
func (h *Hasher) run(ctx context.Context, f func()) error {
	release, err := h.acquire(ctx)
	if err != nil {
		return err
	}
	defer release()
	onLowPriorityThread(hashNice, func() {
		f()
		freeHashMemory() // before the slot is free, so at most one hash's memory per slot
	})
	return nil
}

// freeHashMemory returns the memory of the hash just finished to the
// system. Every hash leaves its 7 MiB behind; left to the runtime's pacing
// (and its scavenger), a login flood hashing on every core kept several of
// them around: 74-76 MB of RSS against a 64 MB budget in `make bench`, 65 MB
// when one collection served several hashes. The price is login throughput
// on a busy machine: each hash waits for a whole collection (bench/notes.md).
func freeHashMemory() { debug.FreeOSMemory() }

// acquire waits for a hashing slot, or gives up when ctx ends (503: the
// server is saturated, try again).
func (h *Hasher) acquire(ctx context.Context) (func(), error) {
	select {
	case h.slots <- struct{}{}:
		return func() { <-h.slots }, nil
	case <-ctx.Done():
		return nil, errs.Wrap(errs.ErrUnavailable, "The server is busy; retry later.", ctx.Err())
	}
}

// Hash implements identity.PasswordHasher.
func (h *Hasher) Hash(ctx context.Context, pw user.Password) (string, error) {
	var enc string
	var herr error
	if err := h.run(ctx, func() {
		p := h.params
		enc, herr = argon2id.CreateHash(pw.Reveal(), &p)
	}); err != nil {
		return "", err
	}
	if herr != nil {
		return "", fmt.Errorf("argon2id: %w", herr)
	}
	return enc, nil
}

// Verify implements identity.PasswordHasher. An encoded hash that does not
// parse is an error (a corrupt row), not a mismatch.
func (h *Hasher) Verify(ctx context.Context, pw user.Password, encoded string) (match, rehash bool, err error) {
	var params *argon2id.Params
	if rerr := h.run(ctx, func() { match, params, err = argon2id.CheckHash(pw.Reveal(), encoded) }); rerr != nil {
		return false, false, rerr
	}
	if err != nil {
		return false, false, fmt.Errorf("argon2id: stored hash unreadable: %w", err)
	}
	if !match {
		return false, false, nil
	}
	return true, !h.current(params), nil
}

// current reports whether stored parameters are today's (the salt and key
// lengths included, as they are part of the PHC string).
func (h *Hasher) current(p *argon2id.Params) bool { return *p == h.params }
