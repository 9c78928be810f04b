package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"agora/sql/migrations"
)

// Migrator applies the embedded goose migrations. A PostgreSQL session
// advisory lock serialises concurrent migrators, so replicas that start
// together migrate exactly once.
type Migrator struct {
	db       *sql.DB
	provider *goose.Provider
}

// MigrationStatus is one migration and whether it is applied.
type MigrationStatus struct {
	Version int64
	Source  string
	Applied bool
}

// NewMigrator opens its own small connection (goose speaks database/sql).
func NewMigrator(databaseURL string) (*Migrator, error) {
	db, err := sql.Open("pgx", databaseURL)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db.SetMaxOpenConns(2)
	m, err := newMigrator(db)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return m, nil
}

func newMigrator(db *sql.DB) (*Migrator, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	fsys, err := fs.Sub(migrations.FS, ".")
	if err != nil {
		return nil, err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys, goose.WithSessionLocker(locker))
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	return &Migrator{db: db, provider: p}, nil
}

// Close releases the migrator's connection.
func (m *Migrator) Close() error { return m.db.Close() }

// Up applies every pending migration and returns the versions applied.
func (m *Migrator) Up(ctx context.Context) ([]int64, error) {
	res, err := m.provider.Up(ctx)
	return versions(res), translate(err)
}

// Down rolls back the newest migration.
func (m *Migrator) Down(ctx context.Context) ([]int64, error) {
	res, err := m.provider.Down(ctx)
	if res == nil {
		return nil, translate(err)
	}
	return []int64{res.Source.Version}, translate(err)
}

// Version returns the database's current schema version (0 when empty).
func (m *Migrator) Version(ctx context.Context) (int64, error) {
	v, err := m.provider.GetDBVersion(ctx)
	return v, translate(err)
}

// Latest returns the newest migration version the binary carries.
func (m *Migrator) Latest() int64 {
	srcs := m.provider.ListSources()
	if len(srcs) == 0 {
		return 0
	}
	return srcs[len(srcs)-1].Version
}

// Status lists every migration with whether it is applied.
func (m *Migrator) Status(ctx context.Context) ([]MigrationStatus, error) {
	res, err := m.provider.Status(ctx)
	if err != nil {
		return nil, translate(err)
	}
	out := make([]MigrationStatus, 0, len(res))
	for _, r := range res {
		out = append(out, MigrationStatus{
			Version: r.Source.Version,
			Source:  r.Source.Path,
			Applied: r.State == goose.StateApplied,
		})
	}
	return out, nil
}

// Readiness reports whether the database answers and its schema is at the
// newest migration this binary carries. It backs /readyz and borrows the
// pool's connections, so a probe opens no connection of its own.
type Readiness struct {
	migrator *Migrator
}

// NewReadiness builds the check over the service's pool.
func NewReadiness(pool *pgxpool.Pool) (*Readiness, error) {
	m, err := newMigrator(stdlib.OpenDBFromPool(pool))
	if err != nil {
		return nil, err
	}
	return &Readiness{migrator: m}, nil
}

// errSchemaBehind means the database answers but lacks newer migrations.
var errSchemaBehind = errors.New("database schema is behind the binary's migrations")

// Check returns nil when the service can serve: database reachable, schema current.
func (r *Readiness) Check(ctx context.Context) error {
	v, err := r.migrator.Version(ctx)
	if err != nil {
		return err
	}
	if v < r.migrator.Latest() {
		return fmt.Errorf("%w: at %d, want %d", errSchemaBehind, v, r.migrator.Latest())
	}
	return nil
}

func versions(res []*goose.MigrationResult) []int64 {
	out := make([]int64, 0, len(res))
	for _, r := range res {
		out = append(out, r.Source.Version)
	}
	return out
}
