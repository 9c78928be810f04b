package postgres

// The external tests (which need pgtest, and pgtest imports this package)
// reach these internals through test-only names.
var (
	// WithinTx is withinTx.
	WithinTx = withinTx
	// Translate is translate: driver errors in, domain error kinds out.
	Translate = translate
)
