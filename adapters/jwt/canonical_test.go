package jwt_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

// A token is one string: every part must be canonical unpadded base64url
// (RFC 7515), so that no second spelling of a valid token verifies.
func TestVerifierAcceptsOnlyCanonicalBase64url(t *testing.T) {
	t.Parallel()
	ks, _ := keySet(t)
	var tok string
	// Find a token whose signature holds '-' or '_', so that the standard
	// alphabet spells it differently.
	for i := 0; i < 200 && !strings.ContainsAny(lastPart(tok), "-_"); i++ {
		iss := newIssuer(t, ks, now.Add(time.Duration(i)*time.Second))
		var err error
		if tok, err = iss.Issue(claims(), now, 15*time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	iss := newIssuer(t, ks, now)
	if _, err := iss.Verify(tok); err != nil {
		t.Fatalf("the issued token: %v", err)
	}
	p := strings.Split(tok, ".")
	sig := p[2]
	std := strings.NewReplacer("-", "+", "_", "/")
	raw, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		t.Fatal(err)
	}
	// Same bytes, other spare bits in the last character.
	spare := sig[:len(sig)-1] + flipSpareBit(t, sig[len(sig)-1])
	if got, _ := base64.RawURLEncoding.DecodeString(spare); string(got) != string(raw) {
		t.Fatal("the spare-bit variant must decode to the same signature")
	}
	for name, variant := range map[string]string{
		"padded signature":             p[0] + "." + p[1] + "." + base64.URLEncoding.EncodeToString(raw),
		"standard alphabet":            p[0] + "." + p[1] + "." + std.Replace(sig),
		"other spare bits":             p[0] + "." + p[1] + "." + spare,
		"padded header":                pad(p[0]) + "." + p[1] + "." + sig,
		"padded payload":               p[0] + "." + pad(p[1]) + "." + sig,
		"line break in the signature":  p[0] + "." + p[1] + "." + sig[:10] + "\n" + sig[10:],
		"carriage return in a payload": p[0] + "." + p[1][:5] + "\r" + p[1][5:] + "." + sig,
		"empty signature":              p[0] + "." + p[1] + ".",
	} {
		if variant == tok {
			t.Fatalf("%s: not a different spelling", name)
		}
		if _, err := iss.Verify(variant); err == nil {
			t.Errorf("%s: a second spelling of the token verified", name)
		}
	}
}

func lastPart(tok string) string {
	if i := strings.LastIndexByte(tok, '.'); i >= 0 {
		return tok[i+1:]
	}
	return ""
}

// pad adds the '=' padding standard base64 would have.
func pad(s string) string {
	if n := len(s) % 4; n != 0 {
		return s + strings.Repeat("=", 4-n)
	}
	return s + "===="
}

// flipSpareBit returns the character whose value differs from c only in
// the lowest bit, which an 86-character Ed25519 signature does not use.
func flipSpareBit(t *testing.T, c byte) string {
	t.Helper()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, c)
	if i < 0 {
		t.Fatalf("%q is not base64url", c)
	}
	return string(alphabet[i^1])
}
