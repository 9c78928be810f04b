package password

import "context"

// InUse is how many hashes run right now (for tests): those cores counts
// in, on the hashing threads (a slot the idle release holds for a moment
// is not a hash).
func (h *Hasher) InUse() int {
	h.cores.mu.Lock()
	defer h.cores.mu.Unlock()
	return h.cores.running
}

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

// HoldLarge takes all the memory larger hashes may use at once until
// release is called (for tests).
func (h *Hasher) HoldLarge() (release func()) {
	_ = h.large.Acquire(context.Background(), maxMemory)
	return func() { h.large.Release(maxMemory) }
}
