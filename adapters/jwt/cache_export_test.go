package jwt

// VerifiedCacheLen is how many verified tokens i remembers (for tests).
func VerifiedCacheLen(i *Issuer) int {
	i.verified.mu.RLock()
	defer i.verified.mu.RUnlock()
	return len(i.verified.m)
}
