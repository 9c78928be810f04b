package password

import "github.com/alexedwards/argon2id"

// OWASPLowMemory is another of the OWASP cheat sheet's equivalent argon2id
// configurations: m=7 MiB, t=5, p=1 (same salt and key lengths). It costs
// about the same CPU time as OWASP (m=19 MiB, t=2) for the same resistance,
// with well under half the memory per hash. Agora uses it because its whole
// memory budget is 64 MiB (docs/benchmarks.md): a 19 MiB buffer per hash in
// flight, plus the garbage the runtime keeps around until the next
// collection, alone took the process past it under a login flood. Hashes
// made with OWASP still verify and are replaced at the next login.
var OWASPLowMemory = argon2id.Params{Memory: 7 * 1024, Iterations: 5, Parallelism: 1, SaltLength: 16, KeyLength: 32}
