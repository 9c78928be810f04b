package password

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"agora/adapters/password/internal/argon2"
)

// Params are argon2id's cost parameters with the salt and key lengths: all
// of them are written into each hash (PHC string format), so hashes made
// with older parameters still verify and can be recognised as such.
type Params struct {
	Memory      uint32 // KiB
	Iterations  uint32
	Parallelism uint8
	SaltLength  uint32 // bytes
	KeyLength   uint32 // bytes
}

// Bounds on what a stored hash may ask for. A stored hash is data: a
// corrupt or planted row must not make a login allocate more than the
// process's memory or hold a hashing slot for seconds. The largest
// parameters Agora has used are m=19 MiB, t=2 (OWASP) and m=64 MiB, t=1,
// p=2; the work bound (memory times passes) is twice the largest of them,
// about 1.5 s of one core here.
const (
	maxMemory     = 64 * 1024  // KiB
	maxWork       = 128 * 1024 // KiB x passes
	maxLanes      = 8
	maxIterations = 64
	minSalt       = 8
	maxSalt       = 64
	minKey        = 16
	maxKey        = 128
)

var b64 = base64.RawStdEncoding

// encode writes the PHC string: $argon2id$v=19$m=..,t=..,p=..$salt$key.
func encode(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Iterations, p.Parallelism, b64.EncodeToString(salt), b64.EncodeToString(key))
}

var errUnreadable = errors.New("not an argon2id v19 PHC string within bounds")

// decode reads a PHC string that encode wrote (or alexedwards/argon2id,
// which Agora used before: the same format).
func decode(s string) (Params, []byte, []byte, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return Params{}, nil, nil, errUnreadable
	}
	p, ok := parseCosts(parts[3])
	if !ok {
		return Params{}, nil, nil, errUnreadable
	}
	salt, err := b64.Strict().DecodeString(parts[4])
	if err != nil {
		return Params{}, nil, nil, errUnreadable
	}
	key, err := b64.Strict().DecodeString(parts[5])
	if err != nil {
		return Params{}, nil, nil, errUnreadable
	}
	p.SaltLength, p.KeyLength = uint32(len(salt)), uint32(len(key)) //nolint:gosec // bounded just below
	if len(salt) < minSalt || len(salt) > maxSalt || len(key) < minKey || len(key) > maxKey {
		return Params{}, nil, nil, errUnreadable
	}
	return p, salt, key, nil
}

// parseCosts reads "m=<KiB>,t=<passes>,p=<lanes>" in that order, decimal
// without signs or leading zeros, within the bounds above.
func parseCosts(s string) (Params, bool) {
	fields := strings.Split(s, ",")
	if len(fields) != 3 {
		return Params{}, false
	}
	var v [3]uint32
	for i, name := range []string{"m=", "t=", "p="} {
		digits, ok := strings.CutPrefix(fields[i], name)
		if !ok {
			return Params{}, false
		}
		n, err := strconv.ParseUint(digits, 10, 32)
		if err != nil || strconv.FormatUint(n, 10) != digits {
			return Params{}, false
		}
		v[i] = uint32(n)
	}
	m, t, p := v[0], v[1], v[2]
	if p < 1 || p > maxLanes || m < 8*p || m > maxMemory || t < 1 || t > maxIterations || uint64(m)*uint64(t) > maxWork {
		return Params{}, false
	}
	return Params{Memory: m, Iterations: t, Parallelism: uint8(p)}, true
}
