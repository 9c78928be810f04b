package main

import (
	httpapi "agora/adapters/http"
	"agora/adapters/postgres"
	"agora/adapters/telemetry"
	"agora/ports/social"
)

// wireSocial builds the social service over the store: posts, the feed,
// connections, blocks, profiles and the export. Domain events are counted by
// the metrics (agora_posts_created_total, agora_connection_requests_total).
func wireSocial(store *postgres.SocialStore, metrics *telemetry.Metrics) (httpapi.SocialDeps, error) {
	svc, err := social.New(social.Deps{Store: store, Metrics: metrics})
	if err != nil {
		return httpapi.SocialDeps{}, err
	}
	return httpapi.SocialDeps{Service: svc}, nil
}

// socialStore is the social store over the pools; app builds it as it
// builds identityStore.
func socialStore(pools dbPools) *postgres.SocialStore {
	store := postgres.NewSocialStore(pools.primary)
	if pools.read != nil {
		store.WithReadReplica(pools.read, pools.readUsable)
	}
	return store
}
