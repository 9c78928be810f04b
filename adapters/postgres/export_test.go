package postgres

// WithinTx exposes withinTx to the external tests (which need pgtest, and
// pgtest imports this package).
var WithinTx = withinTx
