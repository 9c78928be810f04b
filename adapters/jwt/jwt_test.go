package jwt_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"agora/adapters/jwt"
	"agora/adapters/jwt/jwttest"
	"agora/ports/identity"
)

var now = time.Date(2025, 1, 15, 9, 30, 0, 0, time.UTC)

func newIssuer(t testing.TB, ks *jwt.KeySet, clock time.Time) *jwt.Issuer {
	t.Helper()
	iss, err := jwt.New(ks, jwt.Options{Issuer: "agora", Audience: "agora-api", Clock: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	return iss
}

func keySet(t testing.TB) (*jwt.KeySet, ed25519.PrivateKey) {
	t.Helper()
	priv, err := jwt.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	ks, err := jwt.NewKeySet(priv)
	if err != nil {
		t.Fatal(err)
	}
	return ks, priv
}

func claims() identity.AccessClaims {
	return identity.AccessClaims{UserID: uuid.Must(uuid.NewV7()), SessionID: uuid.Must(uuid.NewV7())}
}

func TestIssueCarriesEveryClaimAndVerifies(t *testing.T) {
	t.Parallel()
	ks, _ := keySet(t)
	iss := newIssuer(t, ks, now.Add(time.Minute))
	c := claims()
	tok, err := iss.Issue(c, now, 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	hdr, payload := jwttest.Parts(t, tok)
	if hdr["alg"] != "EdDSA" || hdr["kid"] != ks.SigningKeyID() || hdr["typ"] != "JWT" {
		t.Fatalf("header: %v", hdr)
	}
	for _, k := range []string{"iss", "aud", "sub", "sid", "iat", "exp", "jti"} {
		if _, ok := payload[k]; !ok {
			t.Errorf("claim %s missing: %v", k, payload)
		}
	}
	if payload["sub"] != c.UserID.String() || payload["sid"] != c.SessionID.String() ||
		payload["exp"].(float64)-payload["iat"].(float64) != 900 {
		t.Fatalf("payload: %v", payload)
	}
	got, err := iss.Verify(tok)
	if err != nil || got != c {
		t.Fatalf("verify: %+v %v", got, err)
	}
	other, _ := iss.Issue(c, now, 15*time.Minute)
	_, p2 := jwttest.Parts(t, other)
	if p2["jti"] == payload["jti"] {
		t.Fatal("jti repeats")
	}
}

// Every forged, altered or out-of-policy token is refused.
func TestVerifierRefusesAttacks(t *testing.T) {
	t.Parallel()
	ks, priv := keySet(t)
	iss := newIssuer(t, ks, now.Add(time.Minute))
	c := claims()
	good, err := iss.Issue(c, now, 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	p := strings.Split(good, ".")
	hdr, payload := jwttest.Parts(t, good)
	pub := priv.Public().(ed25519.PublicKey)

	sign := func(h, pl any) string { return jwttest.SignEd25519(priv, h, pl) }
	with := jwttest.With
	hmacToken := func(secret []byte) string { return jwttest.SignHS256(secret, ks.SigningKeyID(), p[1]) }
	flipped := []byte(p[1])
	flipped[10] ^= 0x01
	otherKS, _ := keySet(t)
	otherTok, _ := newIssuer(t, otherKS, now).Issue(c, now, 15*time.Minute)
	pubPEM, _ := jwt.EncodePublicKey(pub)

	cases := map[string]string{
		"empty":                             "",
		"garbage":                           "not.a.jwt",
		"two parts":                         p[0] + "." + p[1],
		"alg none, no signature":            jwttest.Segment(map[string]any{"alg": "none", "typ": "JWT"}) + "." + p[1] + ".",
		"alg none with kid":                 jwttest.Segment(with(hdr, "alg", "none")) + "." + p[1] + ".",
		"HS256 keyed by the raw public key": hmacToken(pub),
		"HS256 keyed by the public PEM":     hmacToken(pubPEM),
		"flipped payload byte":              p[0] + "." + string(flipped) + "." + p[2],
		"signature of another key":          otherTok,
		"unknown kid":                       sign(with(hdr, "kid", "nope"), payload),
		"no kid":                            sign(with(hdr, "kid", nil), payload),
		"typ other than JWT":                sign(with(hdr, "typ", "at+jwe"), payload),
		"expired":                           sign(hdr, with(payload, "exp", now.Add(-time.Minute).Unix())),
		"issued in the future":              sign(hdr, with(payload, "iat", now.Add(10*time.Minute).Unix())),
		"wrong issuer":                      sign(hdr, with(payload, "iss", "evil")),
		"wrong audience":                    sign(hdr, with(payload, "aud", []string{"other-api"})),
		"no sid":                            sign(hdr, with(payload, "sid", nil)),
		"no jti":                            sign(hdr, with(payload, "jti", nil)),
		"no exp":                            sign(hdr, with(payload, "exp", nil)),
		"sub not an id":                     sign(hdr, with(payload, "sub", "admin")),
		"sid not an id":                     sign(hdr, with(payload, "sid", "x")),
		"JSON serialization":                `{"payload":"` + p[1] + `","protected":"` + p[0] + `","signature":"` + p[2] + `"}`,
		"oversized":                         p[0] + "." + strings.Repeat("A", 5000) + "." + p[2],
	}
	for name, tok := range cases {
		if _, err := iss.Verify(tok); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// The re-signed but unchanged token is fine: the helpers forge correctly.
	if _, err := iss.Verify(sign(hdr, payload)); err != nil {
		t.Fatalf("control token refused: %v", err)
	}
}

// Clock skew: a token expired a few seconds ago still passes, one expired
// beyond the skew does not.
func TestSkew(t *testing.T) {
	t.Parallel()
	ks, _ := keySet(t)
	tok, _ := newIssuer(t, ks, now).Issue(claims(), now, time.Minute)
	if _, err := newIssuer(t, ks, now.Add(time.Minute+10*time.Second)).Verify(tok); err != nil {
		t.Fatalf("within skew: %v", err)
	}
	if _, err := newIssuer(t, ks, now.Add(time.Minute+jwt.DefaultSkew+time.Second)).Verify(tok); err == nil {
		t.Fatal("beyond skew: accepted")
	}
}

// Rotation: while the previous key is in the set, its tokens verify and it
// is published; new tokens are signed with the new key.
func TestRotation(t *testing.T) {
	t.Parallel()
	oldKS, oldPriv := keySet(t)
	oldTok, _ := newIssuer(t, oldKS, now).Issue(claims(), now, time.Hour)

	newPriv, _ := jwt.GenerateKey()
	first, _ := jwt.EncodePrivateKey(newPriv)
	prevPub, _ := jwt.EncodePublicKey(oldPriv.Public().(ed25519.PublicKey))
	rolled, err := jwt.ParseKeySet(append(first, prevPub...))
	if err != nil {
		t.Fatal(err)
	}
	iss := newIssuer(t, rolled, now)
	if _, err := iss.Verify(oldTok); err != nil {
		t.Fatalf("old token during rollover: %v", err)
	}
	newTok, _ := iss.Issue(claims(), now, time.Hour)
	hdr, _ := jwttest.Parts(t, newTok)
	if hdr["kid"] == oldKS.SigningKeyID() || hdr["kid"] != rolled.SigningKeyID() {
		t.Fatalf("new token signed by %v", hdr["kid"])
	}
	var doc struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(iss.JWKS(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Keys) != 2 || doc.Keys[0]["kid"] != rolled.SigningKeyID() || doc.Keys[1]["kid"] != oldKS.SigningKeyID() {
		t.Fatalf("JWKS during rollover: %s", iss.JWKS())
	}
	// After the rollover the old key is dropped: its tokens die.
	after, _ := jwt.ParseKeySet(first)
	if _, err := newIssuer(t, after, now).Verify(oldTok); err == nil {
		t.Fatal("a token of a removed key verified")
	}
}

func TestJWKSPublishesPublicKeysOnly(t *testing.T) {
	t.Parallel()
	ks, priv := keySet(t)
	iss := newIssuer(t, ks, now)
	var doc struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(iss.JWKS(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Keys) != 1 {
		t.Fatalf("keys: %s", iss.JWKS())
	}
	k := doc.Keys[0]
	want := map[string]any{"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": ks.SigningKeyID(),
		"x": base64.RawURLEncoding.EncodeToString(priv.Public().(ed25519.PublicKey))}
	if len(k) != len(want) {
		t.Fatalf("JWK has other members than %v: %v", want, k)
	}
	for name, v := range want {
		if k[name] != v {
			t.Errorf("%s = %v, want %v", name, k[name], v)
		}
	}
}

func TestKeyFiles(t *testing.T) {
	t.Parallel()
	priv, _ := jwt.GenerateKey()
	pemKey, _ := jwt.EncodePrivateKey(priv)
	ks, err := jwt.ParseKeySet(pemKey)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := jwt.ParseKeySet(pemKey)
	if ks.SigningKeyID() != again.SigningKeyID() {
		t.Fatal("kid is not stable for one key")
	}
	pub, _ := jwt.EncodePublicKey(priv.Public().(ed25519.PublicKey))
	for name, data := range map[string][]byte{
		"empty":              nil,
		"public key first":   pub,
		"not PEM":            []byte("hello"),
		"unknown block":      []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
		"broken private key": []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
	} {
		if _, err := jwt.ParseKeySet(data); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
