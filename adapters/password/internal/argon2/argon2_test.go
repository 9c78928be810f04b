package argon2

import (
	"bytes"
	"encoding/hex"
	"testing"

	upstream "golang.org/x/crypto/argon2"
)

// The fork must answer what upstream answers, for every parameter set
// (lanes inline or not, memory in the workspace or beyond it) and any bytes.
func TestIDKeyEqualsUpstream(t *testing.T) {
	t.Parallel()
	w := NewWorkspace(256)
	cases := []struct {
		time, memory uint32
		threads      uint8
		keyLen       uint32
	}{
		{1, 8, 1, 32}, {1, 64, 1, 32}, {3, 64, 1, 16}, {2, 256, 1, 64}, {5, 200, 1, 32},
		{1, 64, 2, 32}, {2, 256, 4, 32}, {3, 32, 4, 100},
		{1, 1024, 1, 32}, // more than the workspace holds: a buffer of its own
	}
	for _, c := range cases {
		for _, pw := range []string{"", "password", "\x00\xff invalid utf-8 \xc3\x28"} {
			salt := []byte("somesaltsomesalt")
			want := upstream.IDKey([]byte(pw), salt, c.time, c.memory, c.threads, c.keyLen)
			got := w.IDKey([]byte(pw), salt, c.time, c.memory, c.threads, c.keyLen)
			if !bytes.Equal(got, want) {
				t.Errorf("IDKey(%q, t=%d, m=%d, p=%d, len=%d) = %x, upstream %x", pw, c.time, c.memory, c.threads, c.keyLen, got, want)
			}
		}
	}
}

// The workspace is reused: a hash must not depend on what the previous one
// left in it (upstream's first pass XORs into zeroed memory).
func TestWorkspaceReuseLeavesNoTrace(t *testing.T) {
	t.Parallel()
	w := NewWorkspace(7 * 1024)
	first := w.IDKey([]byte("password"), []byte("somesaltsomesalt"), 2, 7*1024, 1, 32)
	_ = w.IDKey([]byte("another one"), []byte("othersaltothersa"), 1, 7*1024, 1, 32)
	_ = w.IDKey([]byte("smaller"), []byte("othersaltothersa"), 1, 512, 1, 32)
	again := w.IDKey([]byte("password"), []byte("somesaltsomesalt"), 2, 7*1024, 1, 32)
	if !bytes.Equal(first, again) {
		t.Fatalf("same input, different keys after reuse: %x then %x", first, again)
	}
}

// The vector the reference implementation (phc-winner-argon2, test.c)
// prints for Argon2id v1.3, t=2, m=2^16 KiB, p=1, "password"/"somesalt".
func TestReferenceVector(t *testing.T) {
	t.Parallel()
	want, _ := hex.DecodeString("09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7")
	got := NewWorkspace(1<<16).IDKey([]byte("password"), []byte("somesalt"), 2, 1<<16, 1, 32)
	if !bytes.Equal(got, want) {
		t.Fatalf("got %x, want %x", got, want)
	}
}

func TestIDKeyRefusesZeroTimeOrThreads(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		time    uint32
		threads uint8
	}{{0, 1}, {1, 0}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("t=%d p=%d did not panic", c.time, c.threads)
				}
			}()
			NewWorkspace(64).IDKey([]byte("pw"), []byte("somesaltsomesalt"), c.time, 64, c.threads, 32)
		}()
	}
}

func FuzzIDKeyEqualsUpstream(f *testing.F) {
	f.Add([]byte("password"), []byte("somesaltsomesalt"), uint8(1), uint16(64), uint8(1), uint8(32))
	w := NewWorkspace(512)
	f.Fuzz(func(t *testing.T, pw, salt []byte, time uint8, memory uint16, threads uint8, keyLen uint8) {
		tm, th := uint32(time%3)+1, threads%4+1
		m, kl := uint32(memory%600), uint32(keyLen%80)+4
		want := upstream.IDKey(pw, salt, tm, m, th, kl)
		if got := w.IDKey(pw, salt, tm, m, th, kl); !bytes.Equal(got, want) {
			t.Fatalf("t=%d m=%d p=%d len=%d: %x, upstream %x", tm, m, th, kl, got, want)
		}
	})
}
