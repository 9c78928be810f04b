// Package social is the boundary of the social core: posts and the feed,
// connection requests and connections, blocks, profiles and the data export.
// Service holds the use cases; this file declares what they need from the
// outside world: Store (split into one small interface per concern) and
// Metrics. Every store interface has a contract test suite (socialtest) that
// both the PostgreSQL adapter and the in-memory fake (socialtest.MemStore) pass.
package social

import (
	"context"
	"time"

	"github.com/google/uuid"

	"agora/domain/connection"
	"agora/domain/post"
	"agora/domain/session"
	"agora/domain/user"
	"agora/ports"
)

// PostView is a post with its author.
type PostView struct {
	post.Post
	Author user.Summary
}

// RequestView is a connection request with both parties.
type RequestView struct {
	connection.Request
	From user.Summary
	To   user.Summary
}

// Connection is one of a user's connections. In a list of mutual
// connections, ConnectedAt is when the viewer connected with User.
type Connection struct {
	User        user.Summary
	ConnectedAt time.Time
}

// Blocked is a user the viewer blocks, and since when.
type Blocked struct {
	User      user.Summary
	BlockedAt time.Time
}

// PublicProfile is what a viewer may see of another user. The counts leave
// out anyone with a block to or from the viewer.
type PublicProfile struct {
	User                   user.Summary
	Headline               string
	Bio                    string
	CreatedAt              time.Time
	ConnectionsCount       int
	MutualConnectionsCount int
}

// ProfileRecord is what the store knows about a user as a viewer sees them:
// the profile and the facts between the two.
type ProfileRecord struct {
	PublicProfile
	Facts connection.Facts
}

// Profile is a user's public profile with the viewer's relation to them.
type Profile struct {
	PublicProfile
	Relation connection.Relation
}

// Export is everything stored about one user.
type Export struct {
	ExportedAt  time.Time
	Account     user.User // PasswordHash always "": the stores leave it out and Service.Export blanks it
	Posts       []PostView
	Requests    []RequestView // every state, both directions
	Connections []Connection
	Blocks      []user.Summary
	Sessions    []session.Session
}

// ProfileStore finds people. Usernames are matched case-insensitively.
type ProfileStore interface {
	// FindUser returns the user named username, blocks notwithstanding;
	// not found when there is none.
	FindUser(ctx context.Context, username user.Username) (user.Summary, error)
	// FindVisibleUser is FindUser, also not found when either of viewer and
	// that user has blocked the other.
	FindVisibleUser(ctx context.Context, viewer uuid.UUID, username user.Username) (user.Summary, error)
	// Profile returns the user's profile record as viewer sees it, not found
	// like FindVisibleUser. The mutual count on one's own profile is what
	// the store counts; connection.ShowsMutual decides what to show.
	Profile(ctx context.Context, viewer uuid.UUID, username user.Username) (ProfileRecord, error)
}

// PostStore keeps posts. Lists are newest first (created_at, then id, descending).
type PostStore interface {
	// CreatePost stores a new post.
	CreatePost(ctx context.Context, p post.Post) (PostView, error)
	// GetPost returns a post with the viewer's access to it; not found when absent.
	GetPost(ctx context.Context, viewer, id uuid.UUID) (PostView, post.Access, error)
	// UpdatePost locks the post, passes it and the viewer's access to change,
	// and stores what change returns, in one transaction.
	UpdatePost(ctx context.Context, viewer, id uuid.UUID, change func(post.Post, post.Access) (post.Post, error)) (PostView, error)
	// DeletePost locks the post and deletes it when check returns nil.
	DeletePost(ctx context.Context, viewer, id uuid.UUID, check func(post.Post, post.Access) error) error
	// UserPosts lists the author's posts that the viewer may see by their
	// visibility (blocks are the caller's concern).
	UserPosts(ctx context.Context, viewer, author uuid.UUID, page ports.PageRequest) (ports.Page[PostView], error)
	// Feed lists the posts of the viewer and of the viewer's connections.
	Feed(ctx context.Context, viewer uuid.UUID, page ports.PageRequest) (ports.Page[PostView], error)
}

// ConnectionStore keeps connection requests and connections. Every change
// to a pair of users is serialised with every other change to that pair.
type ConnectionStore interface {
	// SendRequest reads the state of the pair (from, to), lets decide say
	// what happens, and stores it (a new pending request, or the acceptance
	// of the pending opposite request and the connection), in one transaction.
	SendRequest(ctx context.Context, from, to uuid.UUID, decide func(connection.Pair) (connection.Outcome, error)) (RequestView, error)
	// UpdateRequest locks the request, lets change move it, and stores the
	// new state (and, when accepted, the connection) in one transaction.
	// Not found when absent.
	UpdateRequest(ctx context.Context, id uuid.UUID, change func(connection.Request) (connection.Request, error)) (RequestView, error)
	// PendingRequests lists the user's pending requests in one direction.
	PendingRequests(ctx context.Context, userID uuid.UUID, dir connection.Direction, page ports.PageRequest) (ports.Page[RequestView], error)
	// Connections lists the user's connections, newest first (connected_at,
	// then user id), leaving out anyone with a block to or from the viewer.
	Connections(ctx context.Context, viewer, userID uuid.UUID, page ports.PageRequest) (ports.Page[Connection], error)
	// MutualConnections lists the users connected to both viewer and user,
	// ordered by when the viewer connected with them, newest first.
	MutualConnections(ctx context.Context, viewer, userID uuid.UUID, page ports.PageRequest) (ports.Page[Connection], error)
	// RemoveConnection disconnects the two; not found when not connected.
	RemoveConnection(ctx context.Context, a, b uuid.UUID) error
}

// BlockStore keeps blocks.
type BlockStore interface {
	// Block records that blocker blocks blocked (idempotent) and removes any
	// connection and pending request between the two, in one transaction.
	Block(ctx context.Context, blocker, blocked uuid.UUID, at time.Time) error
	// Unblock removes the block, if any.
	Unblock(ctx context.Context, blocker, blocked uuid.UUID) error
	// Blocks lists the users blocker blocks, most recent first.
	Blocks(ctx context.Context, blocker uuid.UUID, page ports.PageRequest) (ports.Page[Blocked], error)
}

// ExportStore reads everything stored about a user, in one snapshot, with
// the account's password hash left out.
type ExportStore interface {
	Export(ctx context.Context, userID uuid.UUID) (Export, error)
}

// Store is all the storage the social service needs.
type Store interface {
	ProfileStore
	PostStore
	ConnectionStore
	BlockStore
	ExportStore
}

// Metrics records the domain counters of this area (the telemetry adapter
// implements it: agora_posts_created_total, agora_connection_requests_total).
type Metrics interface {
	PostCreated()
	ConnectionRequest(outcome string)
}

// The outcomes counted by Metrics.ConnectionRequest, as
// agora_connection_requests_total{outcome} labels them.
const (
	OutcomeSent      = "sent"
	OutcomeAccepted  = "accepted"
	OutcomeDeclined  = "declined"
	OutcomeWithdrawn = "withdrawn"
)
