package jwttest

import (
	"testing"

	"agora/adapters/jwt"
)

// NewIssuer is an issuer over a fresh ephemeral key, with the issuer and
// audience the service uses ("agora", "agora-api").
func NewIssuer() (*jwt.Issuer, error) {
	keys, err := jwt.EphemeralKeySet()
	if err != nil {
		return nil, err
	}
	return jwt.New(keys, jwt.Options{Issuer: "agora", Audience: "agora-api"})
}

// Issuer is NewIssuer for a test or benchmark, which it fails on an error.
func Issuer(tb testing.TB) *jwt.Issuer {
	tb.Helper()
	issuer, err := NewIssuer()
	if err != nil {
		tb.Fatal(err)
	}
	return issuer
}
