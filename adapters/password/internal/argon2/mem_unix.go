//go:build unix

package argon2

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// hugePage is the size of a transparent huge page on amd64 and arm64.
const hugePage = 2 << 20

// allocBlocks maps n blocks of anonymous memory, outside the Go heap (it
// holds no pointers, so the collector never needs to see it), and returns
// them with the whole mapping for freeBlocks; on failure it falls back to
// the heap (and a nil mapping).
//
// The blocks start on a huge-page boundary and the kernel is asked to back
// them with huge pages (hugepage_linux.go): a hash reads its 7 MiB in a
// data-dependent order, so with 4 KiB pages nearly every block it reads
// misses the TLB, and faulting a new workspace in takes 1,792 faults
// instead of four. The extra huge page of address space that aligning takes
// is never touched, so it costs no memory.
func allocBlocks(n int) ([]block, []byte) {
	if n == 0 {
		return nil, nil
	}
	size := n * blockLength * 8
	mapping, err := unix.Mmap(-1, 0, size+hugePage, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		return make([]block, n), nil
	}
	off := (hugePage - int(uintptr(unsafe.Pointer(&mapping[0]))%hugePage)) % hugePage
	mem := mapping[off : off+size]
	adviseHugePages(mem)
	return unsafe.Slice((*block)(unsafe.Pointer(&mem[0])), n), mapping
}

// freeBlocks unmaps what allocBlocks mapped (a nil mapping, the heap
// fallback's, is left to the collector).
func freeBlocks(mapping []byte) {
	if mapping != nil {
		_ = unix.Munmap(mapping)
	}
}
