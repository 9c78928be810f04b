package main

import (
	"context"

	"agora/adapters/password"
	"agora/domain/user"
)

// seedPasswordHash hashes the seed password once with the service's own
// hasher and parameters, so that seeded users log in like registered ones
// (and no login asks for a rehash).
func seedPasswordHash(ctx context.Context, pw string) (string, error) {
	p, err := user.ParsePassword("password", pw)
	if err != nil {
		return "", err
	}
	return password.New(password.OWASPLowMemory, 1, 0).Hash(ctx, p)
}
