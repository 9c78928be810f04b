//go:build !unix

package argon2

func allocBlocks(n int) ([]block, []byte) { return make([]block, n), nil }

func freeBlocks([]byte) {}
