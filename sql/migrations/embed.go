// Package migrations embeds the goose SQL migrations so that the agora binary
// carries its schema. The same files work with the plain goose CLI
// (goose -dir sql/migrations postgres "$DATABASE_URL" up), which skips this file.
package migrations

import "embed"

// FS holds every *.sql migration of this folder.
//
//go:embed *.sql
var FS embed.FS
