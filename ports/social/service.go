package social

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"agora/domain/connection"
	"agora/domain/errs"
	"agora/domain/post"
	"agora/domain/timestamp"
	"agora/domain/user"
)

// Deps are the adapters the service uses. Store is required; Metrics,
// Clock and NewID have production defaults when nil. There is no Config:
// the social use cases have no setting of their own (page sizes are the
// HTTP adapter's, limits are the domain's rules).
type Deps struct {
	Store   Store
	Metrics Metrics
	Clock   func() time.Time
	NewID   func() (uuid.UUID, error)
}

// Service holds the social use cases. Every method acts for a viewer, the
// authenticated caller. Each reaches the store through the one interface it
// needs (as identity's do), so a reader sees at a glance which concern a use
// case touches.
type Service struct {
	d           Deps
	profiles    ProfileStore
	posts       PostStore
	connections ConnectionStore
	blocks      BlockStore
	exports     ExportStore
}

// New builds the service. A missing store is a wiring mistake, reported at
// start-up rather than as a nil dereference on the first request.
func New(d Deps) (*Service, error) {
	if d.Store == nil {
		return nil, errors.New("social: Store is required")
	}
	if d.Metrics == nil {
		d.Metrics = noMetrics{}
	}
	if d.Clock == nil {
		d.Clock = time.Now
	}
	if d.NewID == nil {
		d.NewID = uuid.NewV7
	}
	return &Service{
		d: d, profiles: d.Store, posts: d.Store, connections: d.Store, blocks: d.Store, exports: d.Store,
	}, nil
}

// now is the clock at the database's precision (microseconds, UTC), so that
// what a write answers equals what a later read returns.
func (s *Service) now() time.Time { return timestamp.Of(s.d.Clock()) }

// newID draws a fresh id; uuid.NewV7 reads the random source, which can fail.
func (s *Service) newID() (uuid.UUID, error) {
	id, err := s.d.NewID()
	if err != nil {
		return uuid.Nil, fmt.Errorf("social: new id: %w", err)
	}
	return id, nil
}

// findVisible looks up a user the viewer may see (no block either way).
func (s *Service) findVisible(ctx context.Context, viewer uuid.UUID, username user.Username) (user.Summary, error) {
	u, err := s.profiles.FindVisibleUser(ctx, viewer, username)
	return u, userErr(err)
}

// findAny looks up a user, blocks notwithstanding.
func (s *Service) findAny(ctx context.Context, username user.Username) (user.Summary, error) {
	u, err := s.profiles.FindUser(ctx, username)
	return u, userErr(err)
}

// The store says "not found" in its own words; the caller gets ours.
func userErr(err error) error    { return replaceNotFound(err, user.ErrNotFound) }
func postErr(err error) error    { return replaceNotFound(err, post.ErrNotFound) }
func requestErr(err error) error { return replaceNotFound(err, connection.ErrNotFound) }
func notConnected(err error) error {
	return replaceNotFound(err, errs.New(errs.ErrNotFound, "You are not connected to this user."))
}

// replaceNotFound gives every "not found" of one use case the same
// caller-facing message, so absent and invisible cannot be told apart.
func replaceNotFound(err, with error) error {
	if err != nil && errors.Is(err, errs.ErrNotFound) {
		return with
	}
	return err
}

type noMetrics struct{}

func (noMetrics) PostCreated()             {}
func (noMetrics) ConnectionRequest(string) {}
