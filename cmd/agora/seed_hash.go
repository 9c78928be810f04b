package main

import (
	"context"

	"github.com/alexedwards/argon2id"
)

// seedPasswordHash hashes the seed password once with the service's
// parameters (OWASP's argon2id baseline, as adapters/password uses), so
// that seeded users log in like registered ones and no rehash is triggered.
func seedPasswordHash(_ context.Context, pw string) (string, error) {
	return argon2id.CreateHash(pw, &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32})
}
