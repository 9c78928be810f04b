package password

// InUse is how many hashes run right now (for tests).
func (h *Hasher) InUse() int { return int(h.running.Load()) }

// Decode is decode: the parameters a stored hash asks for, or an error.
func Decode(encoded string) (Params, error) {
	p, _, _, err := decode(encoded)
	return p, err
}

// Kept is how many workspaces the workers hold right now (for tests).
func (h *Hasher) Kept() int { return int(h.kept.Load()) }
