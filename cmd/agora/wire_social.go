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
func wireSocial(pools dbPools, metrics *telemetry.Metrics) (httpapi.SocialDeps, error) {
	store := postgres.NewSocialStore(pools.primary)
	if pools.read != nil {
		store.WithReadReplica(pools.read, pools.readUsable)
	}
	d := social.Deps{Store: store}
	if metrics != nil { // a nil *Metrics in the interface would not be nil
		d.Metrics = metrics
	}
	svc, err := social.New(d)
	if err != nil {
		return httpapi.SocialDeps{}, err
	}
	return httpapi.SocialDeps{Service: svc}, nil
}
