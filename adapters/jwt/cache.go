package jwt

import (
	"crypto/sha256"
	"sync"
	"time"

	"agora/ports/identity"
)

// verifiedCacheSize bounds the cache: ~100 bytes an entry.
const verifiedCacheSize = 4096

// verifiedCache remembers tokens that passed Verify, until their exp, so
// that a client's every request does not pay again for parsing the JWT and
// checking its Ed25519 signature (a quarter of Agora's CPU on GET
// /posts/{id} in `make bench`). Only a token whose SHA-256 equals that of
// one that passed is a hit, and only before its exp: the answer is the one
// a full verification would give, since the issuer's keys, issuer and
// audience are fixed for the life of the process and a valid token only
// stops being valid by expiring. (Revocation is the session check's job,
// which still runs on every request.) After exp the full verification runs,
// with its skew.
type verifiedCache struct {
	mu sync.RWMutex
	m  map[[32]byte]verifiedEntry
}

type verifiedEntry struct {
	claims identity.AccessClaims
	exp    time.Time
}

func newVerifiedCache() *verifiedCache {
	return &verifiedCache{m: make(map[[32]byte]verifiedEntry)}
}

func tokenKey(token string) [32]byte { return sha256.Sum256([]byte(token)) }

func (c *verifiedCache) get(key [32]byte, now time.Time) (identity.AccessClaims, bool) {
	c.mu.RLock()
	e, ok := c.m[key]
	c.mu.RUnlock()
	if !ok || !now.Before(e.exp) {
		return identity.AccessClaims{}, false
	}
	return e.claims, true
}

func (c *verifiedCache) put(key [32]byte, claims identity.AccessClaims, exp, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= verifiedCacheSize {
		// Drop the expired entries, and if that is not enough, any half
		// (map order is random): a miss only costs a full verification.
		for k, e := range c.m {
			if !now.Before(e.exp) {
				delete(c.m, k)
			}
		}
		for k := range c.m {
			if len(c.m) < verifiedCacheSize/2 {
				break
			}
			delete(c.m, k)
		}
	}
	c.m[key] = verifiedEntry{claims: claims, exp: exp}
}
