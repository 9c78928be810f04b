package password

// InUse is how many hashes run right now (for tests).
func (h *Hasher) InUse() int { return cap(h.slots) - len(h.slots) }

// Decode is decode: the parameters a stored hash asks for, or an error.
func Decode(encoded string) (Params, error) {
	p, _, _, err := decode(encoded)
	return p, err
}
