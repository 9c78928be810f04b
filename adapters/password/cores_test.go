package password

import "testing"

// The first hash runs unpinned; the ones that start beside it go to the CPU
// with the fewest pinned hashes, the lowest first; a finished hash frees its
// CPU for the next.
func TestCoresSpreadConcurrentHashes(t *testing.T) {
	t.Parallel()
	c := newCores([]int{2, 5})
	first, doneFirst := c.place()
	second, doneSecond := c.place()
	third, doneThird := c.place()
	if first != -1 || second != 2 || third != 5 {
		t.Fatalf("placed %d, %d, %d; want -1, 2, 5", first, second, third)
	}
	doneSecond()
	if fourth, doneFourth := c.place(); fourth != 2 {
		t.Fatalf("after CPU 2 freed, placed on %d", fourth)
	} else {
		doneFourth()
	}
	doneThird()
	doneFirst()
	if alone, done := c.place(); alone != -1 {
		t.Fatalf("a hash alone again was pinned to %d", alone)
	} else {
		done()
	}
	if none, done := newCores(nil).place(); none != -1 {
		t.Fatalf("with no CPUs known, pinned to %d", none)
	} else {
		done()
	}
}
