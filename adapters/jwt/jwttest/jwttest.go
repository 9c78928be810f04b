// Package jwttest forges access tokens by hand for the tests that attack the
// JWT adapter, its own and the end-to-end ones: a forgery built from a real
// token's segments is well-formed, so it is refused only for what it alters.
package jwttest

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// Segment encodes one token segment: bytes as they are, anything else as JSON.
func Segment(v any) string {
	raw, ok := v.([]byte)
	if !ok {
		raw, _ = json.Marshal(v)
	}
	return base64.RawURLEncoding.EncodeToString(raw)
}

// Parts decodes a token's header and payload.
func Parts(t testing.TB, tok string) (hdr, payload map[string]any) {
	t.Helper()
	p := strings.Split(tok, ".")
	for i, dst := range []*map[string]any{&hdr, &payload} {
		raw, err := base64.RawURLEncoding.DecodeString(p[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			t.Fatal(err)
		}
	}
	return hdr, payload
}

// SignEd25519 is header.payload signed with priv, the way the issuer signs.
func SignEd25519(priv ed25519.PrivateKey, hdr, payload any) string {
	in := Segment(hdr) + "." + Segment(payload)
	return in + "." + Segment(ed25519.Sign(priv, []byte(in)))
}

// SignHS256 is the algorithm-confusion forgery: an HS256 header naming kid
// over a payload segment, keyed with secret (the public key, raw or PEM).
func SignHS256(secret []byte, kid, payloadSegment string) string {
	in := Segment(map[string]any{"alg": "HS256", "typ": "JWT", "kid": kid}) + "." + payloadSegment
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(in))
	return in + "." + Segment(m.Sum(nil))
}

// With is a copy of m with k set to v, or without k when v is nil.
func With(m map[string]any, k string, v any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for kk, vv := range m {
		out[kk] = vv
	}
	if v == nil {
		delete(out, k)
	} else {
		out[k] = v
	}
	return out
}
