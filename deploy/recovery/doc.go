// Package recovery holds the tests of Agora's point-in-time recovery setup
// (deploy/postgres: pgBackRest's configuration, its wrapper and the restore
// drill), run with the real tools: PostgreSQL clusters made by the tests,
// pgBackRest from Debian's package and a local S3 server for the off-site
// repository. docs/recovery.md has the figures they measure.
package recovery
