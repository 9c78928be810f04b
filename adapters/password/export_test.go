package password

// InUse is how many hashes run right now (for tests).
func (h *Hasher) InUse() int { return cap(h.slots) - len(h.slots) }
