package session_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"agora/domain/errs"
	"agora/domain/session"
)

var t0 = time.Date(2025, 1, 15, 9, 30, 0, 0, time.UTC)

func TestSecretsAreRandom256BitAndHashed(t *testing.T) {
	t.Parallel()
	s1, h1, err := session.NewSecret(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s2, _, _ := session.NewSecret(rand.Reader)
	raw, err := base64.RawURLEncoding.DecodeString(string(s1))
	if err != nil || len(raw) != 32 || s1 == s2 {
		t.Fatalf("secret %d bytes, err %v", len(raw), err)
	}
	if h1 != sha256.Sum256([]byte(s1)) || h1 != s1.Hash() || h1 == s2.Hash() {
		t.Fatal("hash")
	}
	if strings.Contains(fmt.Sprintf("%v %s", s1, s1), string(s1)) {
		t.Fatal("a secret prints itself")
	}
	if _, _, err := session.NewSecret(bytes.NewReader(make([]byte, 5))); err == nil {
		t.Fatal("a short read must fail, never yield a weak secret")
	}
}

func TestSessionLive(t *testing.T) {
	t.Parallel()
	s := session.New(uuid.New(), uuid.New(), t0, time.Hour)
	if !s.Live(t0) || !s.Live(t0.Add(59*time.Minute)) || s.Live(t0.Add(time.Hour)) {
		t.Fatal("expiry")
	}
	r := t0.Add(time.Minute)
	s.RevokedAt = &r
	if s.Live(t0.Add(2 * time.Minute)) {
		t.Fatal("revoked but live")
	}
}

func TestCheckRefresh(t *testing.T) {
	t.Parallel()
	s := session.New(uuid.New(), uuid.New(), t0, time.Hour)
	_, h, _ := session.NewSecret(rand.Reader)
	fresh := session.NewRefreshToken(h, s, t0)
	if fresh.ExpiresAt != s.ExpiresAt || fresh.SessionID != s.ID {
		t.Fatal("a refresh token must not outlive its session")
	}
	used := fresh
	u := t0.Add(time.Minute)
	used.UsedAt = &u
	revoked := s
	revoked.RevokedAt = &u
	for name, tc := range map[string]struct {
		tok  session.RefreshToken
		sess session.Session
		at   time.Time
		want error
	}{
		"fresh":                 {fresh, s, t0.Add(time.Minute), nil},
		"used":                  {used, s, t0.Add(2 * time.Minute), session.ErrRefreshReused},
		"used on revoked":       {used, revoked, t0.Add(2 * time.Minute), session.ErrRefreshReused},
		"used after expiry":     {used, s, t0.Add(2 * time.Hour), session.ErrRefreshReused},
		"revoked session":       {fresh, revoked, t0.Add(2 * time.Minute), session.ErrSessionRevoked},
		"expired":               {fresh, s, t0.Add(time.Hour), session.ErrRefreshExpired},
		"session expired first": {fresh, session.New(s.ID, s.UserID, t0, time.Minute), t0.Add(2 * time.Minute), session.ErrRefreshExpired},
	} {
		if err := session.CheckRefresh(tc.tok, tc.sess, tc.at); !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
			t.Errorf("%s: got %v, want %v", name, err, tc.want)
		}
	}
}

func TestOneTimeTokens(t *testing.T) {
	t.Parallel()
	_, h, _ := session.NewSecret(rand.Reader)
	reset := session.NewOneTimeToken(h, uuid.New(), session.PasswordReset, t0)
	if reset.ExpiresAt != t0.Add(30*time.Minute) {
		t.Fatalf("a reset token lives 30 minutes, got %s", reset.ExpiresAt.Sub(t0))
	}
	verify := session.NewOneTimeToken(h, uuid.New(), session.EmailVerification, t0)
	if verify.ExpiresAt != t0.Add(24*time.Hour) {
		t.Fatal("verification lifetime")
	}
	if !reset.Usable(session.PasswordReset, t0.Add(29*time.Minute)) {
		t.Fatal("fresh token unusable")
	}
	if reset.Usable(session.EmailVerification, t0) {
		t.Fatal("usable for another purpose")
	}
	if reset.Usable(session.PasswordReset, t0.Add(30*time.Minute)) {
		t.Fatal("usable at expiry")
	}
	used := t0.Add(time.Minute)
	reset.UsedAt = &used
	if reset.Usable(session.PasswordReset, t0.Add(2*time.Minute)) {
		t.Fatal("usable twice")
	}
}

func TestParseSecret(t *testing.T) {
	t.Parallel()
	if s, err := session.ParseSecret("token", "abc"); err != nil || string(s) != "abc" {
		t.Fatalf("ParseSecret = %q, %v", string(s), err)
	}
	for _, bad := range []string{"", strings.Repeat("a", session.MaxSecret+1), "a\x00"} {
		_, err := session.ParseSecret("token", bad)
		if fs := errs.FieldsOf(err); len(fs) != 1 || fs[0].Field != "token" {
			t.Errorf("ParseSecret(%q) = %v, want one field error on token", bad, err)
		}
	}
}
