package ports_test

import (
	"testing"

	"agora/ports"
)

func TestPageOf(t *testing.T) {
	t.Parallel()
	cursor := func(n int) ports.Cursor { return ports.Cursor{Key: string(rune('a' + n))} }
	p := ports.PageOf([]int{1, 2, 3}, 2, cursor)
	if len(p.Items) != 2 || p.Next == nil || p.Next.Key != "c" {
		t.Fatalf("over-full page: %+v", p)
	}
	p = ports.PageOf([]int{1, 2}, 2, cursor)
	if len(p.Items) != 2 || p.Next != nil {
		t.Fatalf("exact page must be the last: %+v", p)
	}
	p = ports.PageOf([]int(nil), 20, cursor)
	if len(p.Items) != 0 || p.Next != nil {
		t.Fatalf("empty page: %+v", p)
	}
}

// Every store holds a page to 1..MaxLimit items, whatever was asked.
func TestPageSize(t *testing.T) {
	t.Parallel()
	for limit, want := range map[int]int{-5: 1, 0: 1, 1: 1, 20: 20, ports.MaxLimit: ports.MaxLimit, ports.MaxLimit + 1: ports.MaxLimit} {
		if got := (ports.PageRequest{Limit: limit}).Size(); got != want {
			t.Errorf("Size of limit %d = %d, want %d", limit, got, want)
		}
	}
}

func TestMapPageKeepsTheCursor(t *testing.T) {
	t.Parallel()
	next := &ports.Cursor{Key: "k"}
	p := ports.MapPage(ports.Page[int]{Items: []int{1, 2}, Next: next}, func(n int) string { return string(rune('a' + n)) })
	if len(p.Items) != 2 || p.Items[0] != "b" || p.Items[1] != "c" || p.Next != next {
		t.Fatalf("mapped: %+v", p)
	}
}
