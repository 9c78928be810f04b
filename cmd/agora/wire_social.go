package main

import (
	httpapi "agora/adapters/http"
	"agora/adapters/postgres"
	"agora/adapters/telemetry"
	"agora/ports/social"
)

// wireSocial builds the social store and service: posts, the feed,
// connections, blocks, profiles and the export. Domain events are counted by
// the metrics (agora_posts_created_total, agora_connection_requests_total).
func wireSocial(pools dbPools, metrics *telemetry.Metrics) httpapi.SocialDeps {
	opts := social.Options{}
	if metrics != nil {
		opts.Events = metrics
	}
	store := postgres.NewSocialStore(pools.primary)
	if pools.read != nil {
		store.WithReadReplica(pools.read, pools.readUsable)
	}
	return httpapi.SocialDeps{Service: social.NewService(store, opts)}
}
