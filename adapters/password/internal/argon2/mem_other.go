//go:build !unix

package argon2

func allocBlocks(n int) []block { return make([]block, n) }

func freeBlocks([]block) {}
