package main

import (
	"context"

	"go.uber.org/zap"

	httpapi "agora/adapters/http"
	"agora/adapters/postgres"
	"agora/adapters/telemetry"
	"agora/ports/social"
)

// wireSocial builds the social store and service: posts, the feed,
// connections, blocks, profiles and the export. Domain events are counted by
// the metrics (agora_posts_created_total, agora_connection_requests_total).
func wireSocial(_ context.Context, _ config, pools dbPools, _ *zap.Logger, metrics *telemetry.Metrics, _ httpapi.IdentityDeps) (httpapi.SocialDeps, error) {
	opts := social.Options{}
	if metrics != nil {
		opts.Events = metrics
	}
	store := postgres.NewSocialStore(pools.primary)
	if pools.read != nil {
		store.WithReadReplica(pools.read, pools.readUsable)
	}
	return httpapi.SocialDeps{Service: social.NewService(store, opts)}, nil
}
