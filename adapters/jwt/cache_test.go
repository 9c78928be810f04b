package jwt_test

import (
	"strings"
	"testing"
	"time"

	"agora/adapters/jwt"
)

// A verified token is remembered, but the memory never makes Verify more
// lenient: a tampered token is still refused, an expired one too (the
// remembered answer lasts until exp; after it the full check with its skew
// decides), and another issuer (other keys) never sees the first's memory.
func TestVerifyMemoryIsNeverMoreLenient(t *testing.T) {
	t.Parallel()
	ks, _ := keySet(t)
	clock := now
	iss, err := jwt.New(ks, jwt.Options{Issuer: "agora", Audience: "agora-api", Clock: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	c := claims()
	tok, err := iss.Issue(c, now, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		got, err := iss.Verify(tok)
		if err != nil || got != c {
			t.Fatalf("Verify = %+v, %v; want %+v", got, err, c)
		}
	}
	// Same prefix, one character of the signature changed.
	last := tok[len(tok)-2]
	swap := byte('A')
	if last == 'A' {
		swap = 'B'
	}
	if _, err := iss.Verify(tok[:len(tok)-2] + string(swap) + tok[len(tok)-1:]); err == nil {
		t.Fatal("tampered signature accepted")
	}
	if _, err := iss.Verify(tok + "x"); err == nil {
		t.Fatal("token with trailing data accepted")
	}
	// Within the skew after exp: still valid (full check), beyond: refused.
	clock = now.Add(time.Minute + 10*time.Second)
	if _, err := iss.Verify(tok); err != nil {
		t.Fatalf("within skew: %v", err)
	}
	clock = now.Add(time.Minute + jwt.DefaultSkew + time.Second)
	if _, err := iss.Verify(tok); err == nil {
		t.Fatal("expired token accepted from memory")
	}
	// Other keys: the remembered token means nothing there.
	other, _ := keySet(t)
	if _, err := newIssuer(t, other, now).Verify(tok); err == nil {
		t.Fatal("token of other keys accepted")
	}
}

// Many distinct tokens: the memory stays bounded and every token still verifies.
func TestVerifyMemoryIsBounded(t *testing.T) {
	t.Parallel()
	ks, _ := keySet(t)
	iss := newIssuer(t, ks, now)
	// A few more tokens than the cache holds: enough to prove the bound, few
	// enough to stay quick under the race detector.
	toks := make([]string, 4096+256)
	for i := range toks {
		tok, err := iss.Issue(claims(), now, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		toks[i] = tok
	}
	for _, tok := range toks {
		if _, err := iss.Verify(tok); err != nil {
			t.Fatal(err)
		}
	}
	if n := jwt.VerifiedCacheLen(iss); n > 4096 || n == 0 {
		t.Fatalf("remembered %d tokens", n)
	}
	if _, err := iss.Verify(strings.Repeat("a", 10) + "." + "b.c"); err == nil {
		t.Fatal("garbage accepted")
	}
}

// Token verification as every authenticated request does it: the same
// client's token again and again (remembered), and a new token each time
// (the full JWT parse and Ed25519 check).
func BenchmarkVerify(b *testing.B) {
	ks, _ := keySet(b)
	iss := newIssuer(b, ks, now)
	b.Run("same-token", func(b *testing.B) {
		tok, _ := iss.Issue(claims(), now, time.Hour)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := iss.Verify(tok); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("new-token", func(b *testing.B) {
		toks := make([]string, 256)
		for i := range toks {
			toks[i], _ = iss.Issue(claims(), now, time.Hour)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			fresh := newIssuer(b, ks, now) // empty memory: the full check
			if _, err := fresh.Verify(toks[i%len(toks)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}
