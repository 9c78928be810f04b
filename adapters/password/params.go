package password

// OWASP is the OWASP Password Storage Cheat Sheet's argon2id baseline:
// m=19 MiB, t=2, p=1, with a 16-byte salt and a 32-byte key.
var OWASP = Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// OWASPLowMemory is another of the OWASP cheat sheet's equivalent argon2id
// configurations: m=7 MiB, t=5, p=1 (same salt and key lengths). It costs
// about the same CPU time as OWASP (m=19 MiB, t=2) for the same resistance,
// with well under half the memory per hash. Agora uses it because its whole
// memory budget is 64 MiB (docs/benchmarks.md) and the hasher keeps one
// hash's memory per hashing thread for good. Hashes made with OWASP still
// verify (in memory of their own, for that one call) and are replaced at
// the next login.
var OWASPLowMemory = Params{Memory: 7 * 1024, Iterations: 5, Parallelism: 1, SaltLength: 16, KeyLength: 32}
