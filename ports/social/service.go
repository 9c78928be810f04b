package social

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"agora/domain/block"
	"agora/domain/connection"
	"agora/domain/errs"
	"agora/domain/post"
	"agora/domain/user"
	"agora/ports"
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
// authenticated caller.
type Service struct {
	d Deps
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
	return &Service{d: d}, nil
}

// now is the clock at the database's precision (microseconds, UTC), so that
// what a write answers equals what a later read returns.
func (s *Service) now() time.Time { return post.Truncate(s.d.Clock()) }

// newID draws a fresh id; uuid.NewV7 reads the random source, which can fail.
func (s *Service) newID() (uuid.UUID, error) {
	id, err := s.d.NewID()
	if err != nil {
		return uuid.Nil, fmt.Errorf("social: new id: %w", err)
	}
	return id, nil
}

var errUserNotFound = errs.New(errs.ErrNotFound, "The user does not exist.")

// CreatePost writes a post; a nil visibility means public.
func (s *Service) CreatePost(ctx context.Context, viewer uuid.UUID, body string, visibility *string) (PostView, error) {
	d, err := post.NewDraft(body, visibility)
	if err != nil {
		return PostView{}, err
	}
	id, err := s.newID()
	if err != nil {
		return PostView{}, err
	}
	v, err := s.d.Store.CreatePost(ctx, post.New(id, viewer, d, s.now()))
	if err != nil {
		return PostView{}, err
	}
	s.d.Metrics.PostCreated()
	return v, nil
}

// GetPost reads a post the viewer may see; any other is not found.
func (s *Service) GetPost(ctx context.Context, viewer, id uuid.UUID) (PostView, error) {
	v, access, err := s.d.Store.GetPost(ctx, viewer, id)
	if err != nil {
		return PostView{}, postErr(err)
	}
	if !v.VisibleTo(access) {
		return PostView{}, post.ErrNotFound
	}
	return v, nil
}

// UpdatePost edits the viewer's own post.
func (s *Service) UpdatePost(ctx context.Context, viewer, id uuid.UUID, body, visibility *string) (PostView, error) {
	patch, err := post.NewPatch(body, visibility)
	if err != nil {
		return PostView{}, err
	}
	v, err := s.d.Store.UpdatePost(ctx, viewer, id, func(p post.Post, a post.Access) (post.Post, error) {
		if err := p.CheckModify(a); err != nil {
			return p, err
		}
		return p.Apply(patch, s.now()), nil
	})
	return v, postErr(err)
}

// DeletePost deletes the viewer's own post.
func (s *Service) DeletePost(ctx context.Context, viewer, id uuid.UUID) error {
	return postErr(s.d.Store.DeletePost(ctx, viewer, id, post.Post.CheckModify))
}

// UserPosts lists a user's posts that the viewer may see.
func (s *Service) UserPosts(ctx context.Context, viewer uuid.UUID, username string, page ports.PageRequest) (ports.Page[PostView], error) {
	u, err := s.findVisible(ctx, viewer, username)
	if err != nil {
		return ports.Page[PostView]{}, err
	}
	return s.d.Store.UserPosts(ctx, viewer, u.ID, page)
}

// Feed lists the viewer's and their connections' posts.
func (s *Service) Feed(ctx context.Context, viewer uuid.UUID, page ports.PageRequest) (ports.Page[PostView], error) {
	return s.d.Store.Feed(ctx, viewer, page)
}

// Profile shows a user as the viewer sees them.
func (s *Service) Profile(ctx context.Context, viewer uuid.UUID, username string) (Profile, error) {
	if !plausibleUsername(username) {
		return Profile{}, errUserNotFound
	}
	r, err := s.d.Store.Profile(ctx, viewer, user.Username(username))
	if err != nil {
		return Profile{}, userErr(err)
	}
	p := Profile{
		User: r.User, Headline: r.Headline, Bio: r.Bio, CreatedAt: r.CreatedAt,
		ConnectionsCount: r.ConnectionsCount, MutualConnectionsCount: r.MutualConnectionsCount,
		Relation: connection.RelationOf(viewer, r.User.ID, r.Facts),
	}
	if p.Relation == connection.Self {
		p.MutualConnectionsCount = 0
	}
	return p, nil
}

// SendRequest asks a user to connect, or accepts their pending request to
// the viewer.
func (s *Service) SendRequest(ctx context.Context, viewer uuid.UUID, username, message string) (RequestView, error) {
	if !plausibleUsername(username) {
		return RequestView{}, errs.Invalid(errs.FieldError{Field: "username", Message: "must be 3-30 characters of A-Z, a-z, 0-9 and _"})
	}
	if _, err := connection.ParseMessage(message); err != nil {
		return RequestView{}, err
	}
	to, err := s.findVisible(ctx, viewer, username)
	if err != nil {
		return RequestView{}, err
	}
	if to.ID == viewer {
		return RequestView{}, connection.ErrToSelf
	}
	id, err := s.newID()
	if err != nil {
		return RequestView{}, err
	}
	accepted := false
	v, err := s.d.Store.SendRequest(ctx, viewer, to.ID, func(p connection.Pair) (connection.Outcome, error) {
		out, err := connection.Send(id, viewer, to.ID, message, p, s.now())
		accepted = out.AcceptedExisting
		return out, err
	})
	if err != nil {
		return RequestView{}, err
	}
	if accepted {
		s.d.Metrics.ConnectionRequest(OutcomeAccepted)
	} else {
		s.d.Metrics.ConnectionRequest(OutcomeSent)
	}
	return v, nil
}

// AcceptRequest is the recipient's yes.
func (s *Service) AcceptRequest(ctx context.Context, viewer, id uuid.UUID) (RequestView, error) {
	return s.respond(ctx, viewer, id, connection.Request.Accept, OutcomeAccepted)
}

// DeclineRequest is the recipient's no.
func (s *Service) DeclineRequest(ctx context.Context, viewer, id uuid.UUID) (RequestView, error) {
	return s.respond(ctx, viewer, id, connection.Request.Decline, OutcomeDeclined)
}

// WithdrawRequest is the sender taking a request back.
func (s *Service) WithdrawRequest(ctx context.Context, viewer, id uuid.UUID) error {
	_, err := s.respond(ctx, viewer, id, connection.Request.Withdraw, OutcomeWithdrawn)
	return err
}

func (s *Service) respond(ctx context.Context, viewer, id uuid.UUID,
	move func(connection.Request, uuid.UUID, time.Time) (connection.Request, error), outcome string,
) (RequestView, error) {
	v, err := s.d.Store.UpdateRequest(ctx, id, func(r connection.Request) (connection.Request, error) {
		return move(r, viewer, s.now())
	})
	if err != nil {
		return RequestView{}, requestErr(err)
	}
	s.d.Metrics.ConnectionRequest(outcome)
	return v, nil
}

// PendingRequests lists the viewer's pending requests in one direction.
func (s *Service) PendingRequests(ctx context.Context, viewer uuid.UUID, dir Direction, page ports.PageRequest) (ports.Page[RequestView], error) {
	if dir != Incoming && dir != Outgoing {
		return ports.Page[RequestView]{}, &errs.Error{
			Kind: errs.ErrBadRequest, Message: `direction must be "incoming" or "outgoing".`,
			Fields: []errs.FieldError{{Field: "direction", Message: `must be "incoming" or "outgoing"`}},
		}
	}
	return s.d.Store.PendingRequests(ctx, viewer, dir, page)
}

// Connections lists the viewer's own connections.
func (s *Service) Connections(ctx context.Context, viewer uuid.UUID, page ports.PageRequest) (ports.Page[Connection], error) {
	return s.d.Store.Connections(ctx, viewer, viewer, page)
}

// UserConnections lists another user's connections.
func (s *Service) UserConnections(ctx context.Context, viewer uuid.UUID, username string, page ports.PageRequest) (ports.Page[Connection], error) {
	u, err := s.findVisible(ctx, viewer, username)
	if err != nil {
		return ports.Page[Connection]{}, err
	}
	return s.d.Store.Connections(ctx, viewer, u.ID, page)
}

// MutualConnections lists the people connected to both the viewer and a
// user. On one's own profile the list is empty, like its count.
func (s *Service) MutualConnections(ctx context.Context, viewer uuid.UUID, username string, page ports.PageRequest) (ports.Page[user.Summary], error) {
	u, err := s.findVisible(ctx, viewer, username)
	if err != nil || u.ID == viewer {
		return ports.Page[user.Summary]{}, err
	}
	p, err := s.d.Store.MutualConnections(ctx, viewer, u.ID, page)
	if err != nil {
		return ports.Page[user.Summary]{}, err
	}
	out := ports.Page[user.Summary]{Items: make([]user.Summary, 0, len(p.Items)), Next: p.Next}
	for _, c := range p.Items {
		out.Items = append(out.Items, c.User)
	}
	return out, nil
}

// RemoveConnection disconnects the viewer from a user (either side may).
func (s *Service) RemoveConnection(ctx context.Context, viewer uuid.UUID, username string) error {
	u, err := s.findVisible(ctx, viewer, username)
	if err != nil {
		return err
	}
	return notConnected(s.d.Store.RemoveConnection(ctx, viewer, u.ID))
}

// Block blocks a user. The user is looked up regardless of blocks, so that
// someone who was blocked can still block back and a blocker can always
// undo; usernames are public anyway (registration reveals them).
func (s *Service) Block(ctx context.Context, viewer uuid.UUID, username string) error {
	u, err := s.findAny(ctx, username)
	if err != nil {
		return err
	}
	if err := block.Check(viewer, u.ID); err != nil {
		return err
	}
	return s.d.Store.Block(ctx, viewer, u.ID, s.now())
}

// Unblock lifts a block; lifting one that does not exist is fine.
func (s *Service) Unblock(ctx context.Context, viewer uuid.UUID, username string) error {
	u, err := s.findAny(ctx, username)
	if err != nil {
		return err
	}
	if err := block.Check(viewer, u.ID); err != nil {
		return err
	}
	return s.d.Store.Unblock(ctx, viewer, u.ID)
}

// Blocks lists the users the viewer blocks.
func (s *Service) Blocks(ctx context.Context, viewer uuid.UUID, page ports.PageRequest) (ports.Page[user.Summary], error) {
	p, err := s.d.Store.Blocks(ctx, viewer, page)
	if err != nil {
		return ports.Page[user.Summary]{}, err
	}
	out := ports.Page[user.Summary]{Items: make([]user.Summary, 0, len(p.Items)), Next: p.Next}
	for _, b := range p.Items {
		out.Items = append(out.Items, b.User)
	}
	return out, nil
}

// Export returns everything stored about the viewer.
func (s *Service) Export(ctx context.Context, viewer uuid.UUID) (Export, error) {
	e, err := s.d.Store.Export(ctx, viewer)
	if err != nil {
		return Export{}, err
	}
	e.ExportedAt = s.now()
	return e, nil
}

func (s *Service) findVisible(ctx context.Context, viewer uuid.UUID, username string) (user.Summary, error) {
	if !plausibleUsername(username) {
		return user.Summary{}, errUserNotFound
	}
	u, err := s.d.Store.FindVisibleUser(ctx, viewer, user.Username(username))
	return u, userErr(err)
}

func (s *Service) findAny(ctx context.Context, username string) (user.Summary, error) {
	if !plausibleUsername(username) {
		return user.Summary{}, errUserNotFound
	}
	u, err := s.d.Store.FindUser(ctx, user.Username(username))
	return u, userErr(err)
}

// plausibleUsername tells whether a name could be a username at all, so that
// anything else is answered without a query.
func plausibleUsername(s string) bool {
	if len(s) < 3 || len(s) > 30 {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_'
		if !ok {
			return false
		}
	}
	return true
}

// The store says "not found" in its own words; the caller gets ours.
func userErr(err error) error    { return replaceNotFound(err, errUserNotFound) }
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
