package password

// InUse is how many hashes run right now (for tests).
func (h *Hasher) InUse() int { return cap(h.slots) - len(h.slots) }

// Decode is decode: the parameters a stored hash asks for, or an error.
func Decode(encoded string) (Params, error) {
	p, _, _, err := decode(encoded)
	return p, err
}

// Kept is how many slots hold a workspace right now (for tests).
func (h *Hasher) Kept() int {
	n := 0
	for range cap(h.slots) {
		w := <-h.slots
		if w != nil {
			n++
		}
		defer func() { h.slots <- w }()
	}
	return n
}
