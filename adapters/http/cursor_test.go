package http

import (
	"errors"
	"testing"
	"time"

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
		// Whatever decodes must encode back to the same string.
		if again := *encodeCursor(c); again != s {
			t.Fatalf("decoded %q but re-encodes as %q", s, again)
		}
	})
}
