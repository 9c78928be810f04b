// Package jwt issues and verifies the access tokens: JWTs signed with
// Ed25519 (alg EdDSA) over lestrrat-go/jwx, carrying iss, aud, sub (user
// id), sid (session id), iat, exp and jti, with the signing key's kid in the
// header. The verifier is strict: compact form only, exactly one algorithm
// (EdDSA), a known kid, the configured issuer and audience, and the
// lifetime with a small clock skew. Anything else is refused, whatever it is.
package jwt

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
	jwxjwt "github.com/lestrrat-go/jwx/v2/jwt"

	"agora/ports/identity"
)

// DefaultSkew is the clock difference tolerated on exp, iat and nbf.
const DefaultSkew = 30 * time.Second

// maxTokenBytes bounds the work spent on a presented token; ours are ~400 bytes.
const maxTokenBytes = 4096

const claimSessionID = "sid"

// Options configure an Issuer.
type Options struct {
	Issuer   string
	Audience string
	// Skew tolerated on time claims (default DefaultSkew).
	Skew time.Duration
	// Clock for verification (default time.Now).
	Clock func() time.Time
}

// Issuer is an identity.TokenIssuer.
type Issuer struct {
	keys     *KeySet
	opts     Options
	jwks     []byte
	verified *verifiedCache
}

var _ identity.TokenIssuer = (*Issuer)(nil)

// New returns an issuer over a key set.
func New(keys *KeySet, opts Options) (*Issuer, error) {
	if keys == nil || opts.Issuer == "" || opts.Audience == "" {
		return nil, errors.New("jwt: keys, issuer and audience are required")
	}
	if opts.Skew <= 0 {
		opts.Skew = DefaultSkew
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	doc, err := json.Marshal(keys.public)
	if err != nil {
		return nil, fmt.Errorf("jwt: encode JWKS: %w", err)
	}
	return &Issuer{keys: keys, opts: opts, jwks: doc, verified: newVerifiedCache()}, nil
}

// JWKS is the JSON Web Key Set document with every verifying public key.
func (i *Issuer) JWKS() []byte { return i.jwks }

// Issue implements identity.TokenIssuer.
func (i *Issuer) Issue(c identity.AccessClaims, now time.Time, ttl time.Duration) (string, error) {
	jti, err := uuid.NewRandom()
	if err != nil {
		return "", err
	}
	tok, err := jwxjwt.NewBuilder().
		Issuer(i.opts.Issuer).
		Audience([]string{i.opts.Audience}).
		Subject(c.UserID.String()).
		Claim(claimSessionID, c.SessionID.String()).
		IssuedAt(now).
		Expiration(now.Add(ttl)).
		JwtID(jti.String()).
		Build()
	if err != nil {
		return "", fmt.Errorf("jwt: build: %w", err)
	}
	hdr := jws.NewHeaders()
	if err := hdr.Set(jws.TypeKey, "JWT"); err != nil {
		return "", err
	}
	signed, err := jwxjwt.Sign(tok, jwxjwt.WithKey(jwa.EdDSA, i.keys.signing, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		return "", fmt.Errorf("jwt: sign: %w", err)
	}
	return string(signed), nil
}

// Verification failures. They are never shown to a client (every one is the
// same 401); they name the cause for tests and debug logs.
var (
	errMalformed = errors.New("jwt: not a compact JWS of acceptable size")
	errAlgorithm = errors.New("jwt: algorithm not allowed")
	errKeyID     = errors.New("jwt: unknown or missing kid")
	errType      = errors.New("jwt: typ is not JWT")
	errClaims    = errors.New("jwt: sub or sid is not an id")
)

// keyProvider admits exactly one algorithm and only keys of the set, by
// kid. It never lets the token's header choose how it is verified.
func (i *Issuer) keyProvider(_ context.Context, sink jws.KeySink, sig *jws.Signature, _ *jws.Message) error {
	h := sig.ProtectedHeaders()
	if h.Algorithm() != jwa.EdDSA {
		return errAlgorithm
	}
	if typ := h.Type(); typ != "" && !strings.EqualFold(typ, "JWT") {
		return errType
	}
	kid := h.KeyID()
	if kid == "" {
		return errKeyID
	}
	key, ok := i.keys.public.LookupKeyID(kid)
	if !ok {
		return errKeyID
	}
	sink.Key(jwa.EdDSA, key)
	return nil
}

// Verify implements identity.TokenIssuer.
func (i *Issuer) Verify(token string) (identity.AccessClaims, error) {
	if len(token) > maxTokenBytes || strings.Count(token, ".") != 2 || !canonical(token) {
		return identity.AccessClaims{}, errMalformed
	}
	now := i.opts.Clock()
	key := tokenKey(token)
	if c, ok := i.verified.get(key, now); ok {
		return c, nil
	}
	tok, err := jwxjwt.ParseString(token,
		jwxjwt.WithKeyProvider(jws.KeyProviderFunc(i.keyProvider)),
		jwxjwt.WithValidate(true),
		jwxjwt.WithIssuer(i.opts.Issuer),
		jwxjwt.WithAudience(i.opts.Audience),
		jwxjwt.WithAcceptableSkew(i.opts.Skew),
		jwxjwt.WithClock(jwxjwt.ClockFunc(i.opts.Clock)),
		jwxjwt.WithRequiredClaim(jwxjwt.SubjectKey),
		jwxjwt.WithRequiredClaim(jwxjwt.IssuedAtKey),
		jwxjwt.WithRequiredClaim(jwxjwt.ExpirationKey),
		jwxjwt.WithRequiredClaim(jwxjwt.JwtIDKey),
		jwxjwt.WithRequiredClaim(claimSessionID),
	)
	if err != nil {
		return identity.AccessClaims{}, fmt.Errorf("jwt: %w", err)
	}
	sub, err := uuid.Parse(tok.Subject())
	if err != nil {
		return identity.AccessClaims{}, errClaims
	}
	raw, _ := tok.Get(claimSessionID)
	s, _ := raw.(string)
	sid, err := uuid.Parse(s)
	if err != nil {
		return identity.AccessClaims{}, errClaims
	}
	c := identity.AccessClaims{UserID: sub, SessionID: sid}
	i.verified.put(key, c, tok.Expiration(), now)
	return c, nil
}

// canonical reports whether each of the token's three parts is canonical
// unpadded base64url (RFC 7515 section 2): only the URL-safe alphabet, no
// padding, no line breaks, and zero spare bits in the last character. jwx
// also accepts padded and standard-alphabet spellings and ignores the spare
// bits, so one signature would have several spellings, and a cache, log
// search or deny list keyed by the token string could be fooled by another.
func canonical(token string) bool {
	for part := range strings.SplitSeq(token, ".") {
		if part == "" {
			return false
		}
		raw, err := base64.RawURLEncoding.Strict().DecodeString(part)
		if err != nil || base64.RawURLEncoding.EncodeToString(raw) != part {
			return false
		}
	}
	return true
}
