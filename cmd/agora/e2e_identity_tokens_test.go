package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"agora/adapters/http/apitest"
	"agora/adapters/jwt"
	"agora/adapters/jwt/jwttest"
)

// writeKeyFile makes a signing key file the test can also forge with.
func writeKeyFile(t *testing.T, previous ...ed25519.PublicKey) (string, ed25519.PrivateKey, *jwt.KeySet) {
	t.Helper()
	priv, err := jwt.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	data, _ := jwt.EncodePrivateKey(priv)
	for _, p := range previous {
		pub, _ := jwt.EncodePublicKey(p)
		data = append(data, pub...)
	}
	path := filepath.Join(t.TempDir(), "jwt.pem")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	ks, err := jwt.ParseKeySet(data)
	if err != nil {
		t.Fatal(err)
	}
	return path, priv, ks
}

// Every token attack of the issue, against the real server: each is 401
// with WWW-Authenticate, while a correctly forged control token passes (so
// the forgeries are well-formed and are refused for the right reason).
func TestIdentityTokenAttacks(t *testing.T) {
	t.Parallel()
	keyFile, priv, ks := writeKeyFile(t)
	env := startServer(t, map[string]string{"JWT_PRIVATE_KEY_FILE": keyFile})
	tb := idRegister(t, env, "victim")
	parts := strings.Split(tb.AccessToken, ".")
	hdr, payload := jwttest.Parts(t, tb.AccessToken)
	if hdr["alg"] != "EdDSA" || hdr["kid"] != ks.SigningKeyID() {
		t.Fatalf("header %v", hdr)
	}
	for _, claim := range []string{"iss", "aud", "sub", "sid", "iat", "exp", "jti"} {
		if payload[claim] == nil {
			t.Fatalf("claim %s missing: %v", claim, payload)
		}
	}
	if payload["iss"] != "agora" || payload["sub"] != tb.User["id"] {
		t.Fatalf("payload %v", payload)
	}
	if res := idMe(env, jwttest.SignEd25519(priv, hdr, payload)); res.Status != http.StatusOK {
		t.Fatalf("control token refused: %d %s", res.Status, res.Body)
	}

	// HS256 keyed with the public key, the classic algorithm confusion.
	jwks := env.API.Do(apitest.Request{Method: "GET", Path: "/.well-known/jwks.json"})
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	jwks.JSON(t, &set)
	pubRaw, _ := base64.RawURLEncoding.DecodeString(set.Keys[0]["x"])
	pubPEM, _ := jwt.EncodePublicKey(ed25519.PublicKey(pubRaw))
	hs256 := func(secret []byte) string { return jwttest.SignHS256(secret, ks.SigningKeyID(), parts[1]) }
	flipped := []byte(parts[1])
	flipped[len(flipped)/2] ^= 0x01
	otherKey, _ := jwt.GenerateKey()
	now := time.Now()

	attacks := map[string]string{
		"alg none":                      jwttest.Segment(jwttest.With(hdr, "alg", "none")) + "." + parts[1] + ".",
		"alg none without kid":          jwttest.Segment(map[string]any{"alg": "none"}) + "." + parts[1] + ".",
		"HS256 with the raw public key": hs256(pubRaw),
		"HS256 with the public PEM":     hs256(pubPEM),
		"flipped payload byte":          parts[0] + "." + string(flipped) + "." + parts[2],
		"signed by another key":         jwttest.SignEd25519(otherKey, hdr, payload),
		"unknown kid":                   jwttest.SignEd25519(priv, jwttest.With(hdr, "kid", "rotated-away"), payload),
		"expired":                       jwttest.SignEd25519(priv, hdr, jwttest.With(jwttest.With(payload, "iat", now.Add(-time.Hour).Unix()), "exp", now.Add(-10*time.Minute).Unix())),
		"other issuer":                  jwttest.SignEd25519(priv, hdr, jwttest.With(payload, "iss", "someone-else")),
		"other audience":                jwttest.SignEd25519(priv, hdr, jwttest.With(payload, "aud", []string{"another-api"})),
		"no session id":                 jwttest.SignEd25519(priv, hdr, jwttest.With(payload, "sid", nil)),
		"unknown session":               jwttest.SignEd25519(priv, hdr, jwttest.With(payload, "sid", uuid.NewString())),
		"another user's id":             jwttest.SignEd25519(priv, hdr, jwttest.With(payload, "sub", uuid.NewString())),
		"garbage":                       "not-a-token",
	}
	for name, tok := range attacks {
		t.Run(name, func(t *testing.T) {
			idAssert401(t, idMe(env, tok))
		})
	}
	for name, h := range map[string]string{
		"no header": "", "basic auth": "Basic dXNlcjpwYXNz", "empty bearer": "Bearer ", "token only": tb.AccessToken,
	} {
		hdrs := http.Header{}
		if h != "" {
			hdrs.Set("Authorization", h)
		}
		res := env.API.Do(apitest.Request{Method: "GET", Path: "/api/v1/users/me", Header: hdrs})
		if res.Status != http.StatusUnauthorized {
			t.Errorf("%s: %d", name, res.Status)
		}
		idAssert401(t, res)
	}
	// The scheme is case-insensitive (RFC 7235).
	res := env.API.Do(apitest.Request{Method: "GET", Path: "/api/v1/users/me", Header: http.Header{"Authorization": {"bearer " + tb.AccessToken}}})
	if res.Status != http.StatusOK {
		t.Fatalf("lower-case scheme: %d", res.Status)
	}
	if strings.Contains(env.Logs(), tb.AccessToken) || strings.Contains(env.Logs(), tb.RefreshToken) {
		t.Fatal("a token reached the logs")
	}
}

// The JWKS publishes the public keys only, with kid, and both keys during a
// rotation; a token of the previous key keeps working until it expires.
func TestIdentityJWKSAndKeyRotation(t *testing.T) {
	t.Parallel()
	oldFile, oldPriv, oldKS := writeKeyFile(t)
	oldEnv := startServer(t, map[string]string{"JWT_PRIVATE_KEY_FILE": oldFile})
	res := oldEnv.API.Do(apitest.Request{Method: "GET", Path: "/.well-known/jwks.json"})
	if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("%d %v", res.Status, res.Header)
	}
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	res.JSON(t, &set)
	if len(set.Keys) != 1 || set.Keys[0]["kid"] != oldKS.SigningKeyID() || set.Keys[0]["kty"] != "OKP" ||
		set.Keys[0]["crv"] != "Ed25519" || set.Keys[0]["alg"] != "EdDSA" || set.Keys[0]["use"] != "sig" {
		t.Fatalf("JWKS %s", res.Body)
	}
	if bytes.Contains(res.Body, []byte(`"d"`)) {
		t.Fatal("the JWKS publishes a private key")
	}

	// Rotate: the new file holds the new key and the old public key.
	newFile, _, newKS := writeKeyFile(t, oldPriv.Public().(ed25519.PublicKey))
	env := startServer(t, map[string]string{"JWT_PRIVATE_KEY_FILE": newFile})
	res = env.API.Do(apitest.Request{Method: "GET", Path: "/.well-known/jwks.json"})
	res.JSON(t, &set)
	if len(set.Keys) != 2 || set.Keys[0]["kid"] != newKS.SigningKeyID() || set.Keys[1]["kid"] != oldKS.SigningKeyID() {
		t.Fatalf("JWKS during rotation: %s", res.Body)
	}
	tb := idRegister(t, env, "rotating")
	if hdr, _ := jwttest.Parts(t, tb.AccessToken); hdr["kid"] != newKS.SigningKeyID() {
		t.Fatalf("new tokens must be signed with the new key: %v", hdr)
	}
	// A token the old key signed for this session (as the old server would have).
	_, payload := jwttest.Parts(t, tb.AccessToken)
	old := jwttest.SignEd25519(oldPriv, map[string]any{"alg": "EdDSA", "typ": "JWT", "kid": oldKS.SigningKeyID()}, payload)
	if res := idMe(env, old); res.Status != http.StatusOK {
		t.Fatalf("a token of the previous key during rotation: %d", res.Status)
	}
	// A server with only the new key refuses it.
	onlyNew := filepath.Join(t.TempDir(), "only-new.pem")
	data, _ := os.ReadFile(newFile)
	block := data[:bytes.Index(data, []byte("-----BEGIN PUBLIC KEY-----"))]
	if err := os.WriteFile(onlyNew, block, 0o600); err != nil {
		t.Fatal(err)
	}
	after := startServer(t, map[string]string{"JWT_PRIVATE_KEY_FILE": onlyNew})
	idAssert401(t, idMe(after, old))
}

// Without JWT_PRIVATE_KEY_FILE the server starts with a warning; a bad key
// file stops it with a message naming the variable.
func TestIdentitySigningKeyConfiguration(t *testing.T) {
	t.Parallel()
	env := startServer(t, nil)
	if !strings.Contains(env.Logs(), `"msg":"ephemeral signing key"`) || !strings.Contains(env.Logs(), `"level":"warn"`) {
		t.Fatalf("no warning about the ephemeral key:\n%s", env.Logs())
	}
	bad := filepath.Join(t.TempDir(), "bad.pem")
	if err := os.WriteFile(bad, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(map[string]string{"DATABASE_URL": "postgres://x@127.0.0.1:1/x", "JWT_PRIVATE_KEY_FILE": bad, "MAIL_DIR": t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := signingKeys(cfg, env.app.log); err == nil || !strings.Contains(err.Error(), "JWT_PRIVATE_KEY_FILE") {
		t.Fatalf("bad key file: %v", err)
	}
}

func TestKeygen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "key.pem")
	var stdout bytes.Buffer
	if err := keygen([]string{"-out", out}, &stdout); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(out)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v %v", fi.Mode(), err)
	}
	ks, err := jwt.LoadKeySet(out)
	if err != nil || !strings.Contains(stdout.String(), ks.SigningKeyID()) {
		t.Fatalf("%v %s", err, stdout.String())
	}
	if err := keygen([]string{"-out", out}, &stdout); err == nil {
		t.Fatal("an existing key file was overwritten")
	}
	// Rotation: the new file carries the old public key after the new key.
	next := filepath.Join(dir, "next.pem")
	if err := keygen([]string{"-out", next, "-previous", out}, &stdout); err != nil {
		t.Fatal(err)
	}
	rolled, err := jwt.LoadKeySet(next)
	if err != nil || len(rolled.KeyIDs()) != 2 || rolled.KeyIDs()[1] != ks.SigningKeyID() || rolled.SigningKeyID() == ks.SigningKeyID() {
		t.Fatalf("rotated file: %v %v", rolled.KeyIDs(), err)
	}
	// Without -out the key goes to stdout.
	stdout.Reset()
	if err := keygen(nil, &stdout); err != nil || !strings.HasPrefix(stdout.String(), "-----BEGIN PRIVATE KEY-----") {
		t.Fatalf("%v %q", err, stdout.String())
	}
	for _, args := range [][]string{{"-bogus"}, {"extra"}} {
		if err := keygen(args, &stdout); !errors.Is(err, errUsage) {
			t.Errorf("%v: %v", args, err)
		}
	}
	if err := keygen([]string{"-out", filepath.Join(dir, "x.pem"), "-previous", filepath.Join(dir, "missing.pem")}, &stdout); err == nil {
		t.Error("a missing -previous file was accepted")
	}
}
