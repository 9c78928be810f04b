package main

import (
	"context"
	"io"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"

	httpapi "agora/adapters/http"
	"agora/adapters/telemetry"
)

// wireIdentity builds the identity adapters and services.
func wireIdentity(_ context.Context, _ config, _ *pgxpool.Pool, _ *zap.Logger, _ *telemetry.Metrics) (httpapi.IdentityDeps, error) {
	return httpapi.IdentityDeps{}, nil
}

// keygen writes a new signing key.
func keygen(_ []string, _ io.Writer) error {
	return errUsage
}
