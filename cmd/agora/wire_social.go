package main

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"

	httpapi "agora/adapters/http"
	"agora/adapters/telemetry"
)

// wireSocial builds the social adapters and services.
func wireSocial(_ context.Context, _ config, _ *pgxpool.Pool, _ *zap.Logger, _ *telemetry.Metrics, _ httpapi.IdentityDeps) (httpapi.SocialDeps, error) {
	return httpapi.SocialDeps{}, nil
}
