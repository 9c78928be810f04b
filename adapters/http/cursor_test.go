package http

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"agora/domain/errs"
	"agora/ports"
)

func TestCursorRoundTrip(t *testing.T) {
	t.Parallel()
	cases := []ports.Cursor{
		{Time: time.Date(2026, 11, 25, 19, 0, 0, 123456789, time.UTC), ID: uuid.New()},
		{Key: "alice_smith", ID: uuid.New()},
		{},
	}
	for _, c := range cases {
		s := encodeCursor(&c)
		got, err := decodeCursor(*s)
		if err != nil {
			t.Fatalf("decode %q: %v", *s, err)
		}
		// The zero time is outside the int64-nanosecond range; it comes back
		// as whatever UnixNano made of it, consistently.
		wantTime := c.Time
		if wantTime.IsZero() {
			wantTime = time.Unix(0, c.Time.UnixNano())
		}
		if !got.Time.Equal(wantTime) || got.ID != c.ID || got.Key != c.Key {
			t.Fatalf("round trip: %+v -> %+v", c, got)
		}
	}
	if encodeCursor(nil) != nil {
		t.Fatal("nil cursor must encode as null")
	}
}

func TestCursorTamperingIsBadRequest(t *testing.T) {
	t.Parallel()
	s := *encodeCursor(&ports.Cursor{Time: time.Now(), ID: uuid.New(), Key: "k"})
	tampered := []byte(s)
	tampered[5] ^= 0x01
	for _, bad := range []string{"x", "!!!!", string(tampered), s[:len(s)-2], s + "AA", "AQ"} {
		if _, err := decodeCursor(bad); !errors.Is(err, errs.ErrBadRequest) {
			t.Errorf("decodeCursor(%q) = %v, want ErrBadRequest", bad, err)
		}
	}
}

// A cursor's checksum is no secret: anyone can forge one. A key that
// PostgreSQL cannot hold as text (NUL, invalid UTF-8) or any control
// character is a bad cursor (400), never a 500 from the database.
func TestForgedCursorKeyIsBadRequest(t *testing.T) {
	t.Parallel()
	for _, key := range []string{"a\x00b", "\x00", "\xff", "ab\xc3", "a\nb", "a\u0085"} {
		s := *encodeCursor(&ports.Cursor{Time: time.Now(), ID: uuid.New(), Key: key})
		if _, err := decodeCursor(s); !errors.Is(err, errs.ErrBadRequest) {
			t.Errorf("key %q: %v, want ErrBadRequest", key, err)
		}
	}
	s := *encodeCursor(&ports.Cursor{Time: time.Now(), ID: uuid.New(), Key: "zoë_ok"})
	if _, err := decodeCursor(s); err != nil {
		t.Fatalf("a UTF-8 key: %v", err)
	}
}

func FuzzDecodeCursor(f *testing.F) {
	f.Add(*encodeCursor(&ports.Cursor{Time: time.Unix(1700000000, 0), ID: uuid.New(), Key: "bob"}))
	f.Add("")
	f.Add("AAAA")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := decodeCursor(s)
		if err != nil {
			if !errors.Is(err, errs.ErrBadRequest) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if c == nil {
			return
		}
		if !utf8.ValidString(c.Key) || strings.ContainsRune(c.Key, 0) {
			t.Fatalf("decoded a key PostgreSQL cannot hold: %q", c.Key)
		}
		// Whatever decodes must encode back to the same string.
		if again := *encodeCursor(c); again != s {
			t.Fatalf("decoded %q but re-encodes as %q", s, again)
		}
	})
}
