package argon2

import "golang.org/x/sys/unix"

// adviseHugePages asks for transparent huge pages behind mem (the default
// "madvise" mode honours MADV_HUGEPAGE). Best effort: small pages work too.
func adviseHugePages(mem []byte) { _ = unix.Madvise(mem, unix.MADV_HUGEPAGE) }
