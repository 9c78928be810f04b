//go:build unix

package argon2

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// allocBlocks maps n blocks of anonymous memory, outside the Go heap (it
// holds no pointers, so the collector never needs to see it); on failure it
// falls back to the heap.
func allocBlocks(n int) []block {
	if n == 0 {
		return nil
	}
	mem, err := unix.Mmap(-1, 0, n*blockLength*8, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		return make([]block, n)
	}
	return unsafe.Slice((*block)(unsafe.Pointer(&mem[0])), n)
}

// freeBlocks unmaps what allocBlocks mapped (heap fallbacks are left to the
// collector: unmapping fails on them, harmlessly).
func freeBlocks(b []block) {
	if len(b) == 0 {
		return
	}
	_ = unix.Munmap(unsafe.Slice((*byte)(unsafe.Pointer(&b[0])), len(b)*blockLength*8))
}
