//go:build unix && !linux

package argon2

// adviseHugePages does nothing: transparent huge pages are Linux's.
func adviseHugePages([]byte) {}
