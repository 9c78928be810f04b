package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"agora/adapters/postgres"
)

func migrate(ctx context.Context, args []string, env map[string]string, stdout io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("%w: agora migrate up|down|status|version", errUsage)
	}
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		return errors.New("invalid configuration: DATABASE_URL: must be set")
	}
	m, err := postgres.NewMigrator(cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer m.Close()
	switch args[0] {
	case "up":
		applied, err := m.Up(ctx)
		for _, v := range applied {
			fmt.Fprintf(stdout, "applied %05d\n", v)
		}
		if err != nil {
			return fmt.Errorf("migrate up: %w", err)
		}
		if len(applied) == 0 {
			fmt.Fprintln(stdout, "no pending migrations")
		}
	case "down":
		rolled, err := m.Down(ctx)
		if err != nil {
			return fmt.Errorf("migrate down: %w", err)
		}
		for _, v := range rolled {
			fmt.Fprintf(stdout, "rolled back %05d\n", v)
		}
	case "status":
		st, err := m.Status(ctx)
		if err != nil {
			return fmt.Errorf("migrate status: %w", err)
		}
		for _, s := range st {
			state := "pending"
			if s.Applied {
				state = "applied"
			}
			fmt.Fprintf(stdout, "%05d  %-8s %s\n", s.Version, state, s.Source)
		}
	case "version":
		v, err := m.Version(ctx)
		if err != nil {
			return fmt.Errorf("migrate version: %w", err)
		}
		fmt.Fprintln(stdout, v)
	default:
		return fmt.Errorf("%w: agora migrate up|down|status|version (got %q)", errUsage, args[0])
	}
	return nil
}
