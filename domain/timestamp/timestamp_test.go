package timestamp

import (
	"testing"
	"time"
)

func TestOfIsUTCMicroseconds(t *testing.T) {
	t.Parallel()
	in := time.Date(2025, 3, 1, 10, 0, 0, 123456789, time.FixedZone("CET", 3600))
	got := Of(in)
	want := time.Date(2025, 3, 1, 9, 0, 0, 123456000, time.UTC)
	if !got.Equal(want) || got.Location() != time.UTC || got.Nanosecond() != want.Nanosecond() {
		t.Fatalf("Of(%v) = %v, want %v", in, got, want)
	}
	if Of(got) != got {
		t.Fatalf("Of is not idempotent: %v", Of(got))
	}
}
