// Package password hashes passwords with argon2id (RFC 9106) and stores them
// as PHC strings ($argon2id$v=19$m=...,t=...,p=...$salt$key), so that the
// parameters can be raised later: old hashes still verify, and a login with
// an old hash gets it replaced (Verify reports rehash).
//
// Each hash costs ~19 MiB and tens of milliseconds of one core. The hasher
// runs at most GOMAXPROCS of them at once; the rest wait for a slot as long
// as their request's context allows, so a login flood queues here instead of
// starving every other request of CPU and memory.
package password

import (
	"context"
	"fmt"
	"runtime"

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

// New returns a hasher with the given parameters that runs at most
// concurrency hashes at once (<= 0: GOMAXPROCS).
func New(params argon2id.Params, concurrency int) *Hasher {
	if concurrency <= 0 {
		concurrency = runtime.GOMAXPROCS(0)
	}
	return &Hasher{params: params, slots: make(chan struct{}, concurrency)}
}

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
	release, err := h.acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	p := h.params
	enc, err := argon2id.CreateHash(pw.Reveal(), &p)
	if err != nil {
		return "", fmt.Errorf("argon2id: %w", err)
	}
	return enc, nil
}

// Verify implements identity.PasswordHasher. An encoded hash that does not
// parse is an error (a corrupt row), not a mismatch.
func (h *Hasher) Verify(ctx context.Context, pw user.Password, encoded string) (match, rehash bool, err error) {
	release, err := h.acquire(ctx)
	if err != nil {
		return false, false, err
	}
	defer release()
	match, params, err := argon2id.CheckHash(pw.Reveal(), encoded)
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
