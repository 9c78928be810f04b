// Package socialfake is an in-memory social.Store for service tests. It
// passes the same contract suite (socialtest) as the PostgreSQL adapter, so
// it cannot drift from the real thing. One mutex makes every method atomic,
// which is what the real store's transactions guarantee.
package socialfake

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"agora/domain/connection"
	"agora/domain/errs"
	"agora/domain/post"
	"agora/domain/session"
	"agora/domain/user"
	"agora/ports"
	"agora/ports/social"
)

// Store is the in-memory store. The zero value is not usable; call New.
type Store struct {
	mu          sync.Mutex
	users       map[uuid.UUID]user.User
	posts       map[uuid.UUID]post.Post
	requests    map[uuid.UUID]connection.Request
	connections map[[2]uuid.UUID]time.Time // both directions
	blocks      map[[2]uuid.UUID]time.Time // blocker, blocked
	sessions    map[uuid.UUID][]session.Session
}

var _ social.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{
		users:       map[uuid.UUID]user.User{},
		posts:       map[uuid.UUID]post.Post{},
		requests:    map[uuid.UUID]connection.Request{},
		connections: map[[2]uuid.UUID]time.Time{},
		blocks:      map[[2]uuid.UUID]time.Time{},
		sessions:    map[uuid.UUID][]session.Session{},
	}
}

// AddUser adds an account (the identity side owns accounts in production).
func (s *Store) AddUser(a user.User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[a.ID] = a
}

// AddSession records a session (of ses.UserID), for the export.
func (s *Store) AddSession(ses session.Session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions[ses.UserID] = append(s.sessions[ses.UserID], ses)
}

// DeleteUser removes a user and everything of theirs, as the database's
// cascades do.
func (s *Store) DeleteUser(id uuid.UUID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.users, id)
	delete(s.sessions, id)
	for k, p := range s.posts {
		if p.AuthorID == id {
			delete(s.posts, k)
		}
	}
	for k, r := range s.requests {
		if r.FromID == id || r.ToID == id {
			delete(s.requests, k)
		}
	}
	for k := range s.connections {
		if k[0] == id || k[1] == id {
			delete(s.connections, k)
		}
	}
	for k := range s.blocks {
		if k[0] == id || k[1] == id {
			delete(s.blocks, k)
		}
	}
}

var errNotFound = errs.New(errs.ErrNotFound, "not found")

func (s *Store) summary(id uuid.UUID) user.Summary { return s.users[id].Summary() }

func (s *Store) byName(username user.Username) (user.User, bool) {
	for _, u := range s.users {
		if u.Username.Key() == username.Key() {
			return u, true
		}
	}
	return user.User{}, false
}

func (s *Store) blockedEitherWay(a, b uuid.UUID) bool {
	_, ab := s.blocks[[2]uuid.UUID{a, b}]
	_, ba := s.blocks[[2]uuid.UUID{b, a}]
	return ab || ba
}

func (s *Store) connected(a, b uuid.UUID) bool {
	_, ok := s.connections[[2]uuid.UUID{a, b}]
	return ok
}

// FindUser implements social.UserStore.
func (s *Store) FindUser(_ context.Context, username user.Username) (user.Summary, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.byName(username)
	if !ok {
		return user.Summary{}, errNotFound
	}
	return s.summary(u.ID), nil
}

// FindVisibleUser implements social.UserStore.
func (s *Store) FindVisibleUser(_ context.Context, viewer uuid.UUID, username user.Username) (user.Summary, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.byName(username)
	if !ok || s.blockedEitherWay(viewer, u.ID) {
		return user.Summary{}, errNotFound
	}
	return s.summary(u.ID), nil
}

// Profile implements social.UserStore.
func (s *Store) Profile(_ context.Context, viewer uuid.UUID, username user.Username) (social.ProfileRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.byName(username)
	if !ok || s.blockedEitherWay(viewer, u.ID) {
		return social.ProfileRecord{}, errNotFound
	}
	r := social.ProfileRecord{User: s.summary(u.ID), Headline: u.Headline, Bio: u.Bio, CreatedAt: u.CreatedAt}
	for k := range s.connections {
		if k[0] == u.ID && !s.blockedEitherWay(viewer, k[1]) {
			r.ConnectionsCount++
			if s.connected(viewer, k[1]) {
				r.MutualConnectionsCount++
			}
		}
	}
	r.Facts.Connected = s.connected(viewer, u.ID)
	for _, q := range s.requests {
		if q.Status != connection.Pending {
			continue
		}
		r.Facts.PendingOutgoing = r.Facts.PendingOutgoing || q.FromID == viewer && q.ToID == u.ID
		r.Facts.PendingIncoming = r.Facts.PendingIncoming || q.FromID == u.ID && q.ToID == viewer
	}
	return r, nil
}

// CreatePost implements social.PostStore.
func (s *Store) CreatePost(_ context.Context, p post.Post) (social.PostView, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[p.AuthorID]; !ok {
		return social.PostView{}, errNotFound
	}
	if _, ok := s.posts[p.ID]; ok {
		return social.PostView{}, errs.New(errs.ErrConflict, "already exists")
	}
	s.posts[p.ID] = p
	return s.postView(p), nil
}

func (s *Store) postView(p post.Post) social.PostView {
	return social.PostView{Post: p, Author: s.summary(p.AuthorID)}
}

func (s *Store) access(viewer uuid.UUID, p post.Post) post.Access {
	return post.Access{Viewer: viewer, Connected: s.connected(viewer, p.AuthorID), Blocked: s.blockedEitherWay(viewer, p.AuthorID)}
}

// GetPost implements social.PostStore.
func (s *Store) GetPost(_ context.Context, viewer, id uuid.UUID) (social.PostView, post.Access, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.posts[id]
	if !ok {
		return social.PostView{}, post.Access{}, errNotFound
	}
	return s.postView(p), s.access(viewer, p), nil
}

// UpdatePost implements social.PostStore.
func (s *Store) UpdatePost(_ context.Context, viewer, id uuid.UUID, change func(post.Post, post.Access) (post.Post, error)) (social.PostView, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.posts[id]
	if !ok {
		return social.PostView{}, errNotFound
	}
	q, err := change(p, s.access(viewer, p))
	if err != nil {
		return social.PostView{}, err
	}
	// Only what the table lets change changes.
	p.Body, p.Visibility, p.UpdatedAt = q.Body, q.Visibility, q.UpdatedAt
	s.posts[id] = p
	return s.postView(p), nil
}

// DeletePost implements social.PostStore.
func (s *Store) DeletePost(_ context.Context, viewer, id uuid.UUID, check func(post.Post, post.Access) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.posts[id]
	if !ok {
		return errNotFound
	}
	if err := check(p, s.access(viewer, p)); err != nil {
		return err
	}
	delete(s.posts, id)
	return nil
}

// before reports whether (t, id) comes after the cursor in a newest-first list.
func before(t time.Time, id uuid.UUID, c *ports.Cursor) bool {
	if c == nil {
		return true
	}
	if !t.Equal(c.Time) {
		return t.Before(c.Time)
	}
	return strings.Compare(id.String(), c.ID.String()) < 0
}

func pageOf[T any](items []T, key func(T) (time.Time, uuid.UUID), page ports.PageRequest) ports.Page[T] {
	slices.SortFunc(items, func(a, b T) int {
		ta, ia := key(a)
		tb, ib := key(b)
		return cmpNewest(ta, ia, tb, ib)
	})
	var kept []T
	for _, it := range items {
		if t, id := key(it); before(t, id, page.After) {
			kept = append(kept, it)
			if len(kept) > page.Limit {
				break
			}
		}
	}
	return ports.PageOf(kept, page.Limit, func(it T) ports.Cursor {
		t, id := key(it)
		return ports.Cursor{Time: t, ID: id}
	})
}

func postKey(v social.PostView) (time.Time, uuid.UUID) { return v.CreatedAt, v.ID }

// UserPosts implements social.PostStore.
func (s *Store) UserPosts(_ context.Context, viewer, author uuid.UUID, page ports.PageRequest) (ports.Page[social.PostView], error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []social.PostView
	for _, p := range s.posts {
		if p.AuthorID != author {
			continue
		}
		a := s.access(viewer, p)
		a.Blocked = false // blocks are the caller's concern
		if p.VisibleTo(a) {
			out = append(out, s.postView(p))
		}
	}
	return pageOf(out, postKey, page), nil
}

// Feed implements social.PostStore.
func (s *Store) Feed(_ context.Context, viewer uuid.UUID, page ports.PageRequest) (ports.Page[social.PostView], error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []social.PostView
	for _, p := range s.posts {
		if p.AuthorID == viewer || s.connected(viewer, p.AuthorID) {
			out = append(out, s.postView(p))
		}
	}
	return pageOf(out, postKey, page), nil
}

func (s *Store) requestView(r connection.Request) social.RequestView {
	return social.RequestView{Request: r, From: s.summary(r.FromID), To: s.summary(r.ToID)}
}

func (s *Store) pendingBetween(a, b uuid.UUID) *connection.Request {
	for _, r := range s.requests {
		if r.Status == connection.Pending && (r.FromID == a && r.ToID == b || r.FromID == b && r.ToID == a) {
			return &r
		}
	}
	return nil
}

func (s *Store) connect(a, b uuid.UUID, at time.Time) error {
	if a == b {
		return errs.New(errs.ErrInvalid, "no connection to oneself")
	}
	if s.connected(a, b) {
		return errs.New(errs.ErrConflict, "already connected")
	}
	s.connections[[2]uuid.UUID{a, b}] = at
	s.connections[[2]uuid.UUID{b, a}] = at
	return nil
}

// SendRequest implements social.ConnectionStore.
func (s *Store) SendRequest(_ context.Context, from, to uuid.UUID, decide func(connection.Pair) (connection.Outcome, error)) (social.RequestView, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[to]; !ok {
		return social.RequestView{}, errNotFound
	}
	pair := connection.Pair{Connected: s.connected(from, to), Blocked: s.blockedEitherWay(from, to), Pending: s.pendingBetween(from, to)}
	out, err := decide(pair)
	if err != nil {
		return social.RequestView{}, err
	}
	r := out.Request
	if out.AcceptedExisting {
		if err := s.store(r); err != nil {
			return social.RequestView{}, err
		}
		return s.requestView(r), nil
	}
	if r.FromID == r.ToID {
		return social.RequestView{}, errs.New(errs.ErrInvalid, "a request to oneself")
	}
	if pair.Pending != nil {
		return social.RequestView{}, errs.New(errs.ErrConflict, "a pending request exists")
	}
	s.requests[r.ID] = r
	return s.requestView(r), nil
}

// store writes a moved request, and the connection when accepted, with the
// checks the database's trigger makes.
func (s *Store) store(r connection.Request) error {
	old, ok := s.requests[r.ID]
	if !ok {
		return errNotFound
	}
	if !connection.CanMove(old.Status, r.Status) || old.FromID != r.FromID || old.ToID != r.ToID {
		return errs.New(errs.ErrConflict, "the connection request is no longer pending")
	}
	if r.Status == connection.Accepted {
		if err := s.connect(r.FromID, r.ToID, *r.RespondedAt); err != nil {
			return err
		}
	}
	old.Status, old.RespondedAt = r.Status, r.RespondedAt
	s.requests[r.ID] = old
	return nil
}

// UpdateRequest implements social.ConnectionStore.
func (s *Store) UpdateRequest(_ context.Context, id uuid.UUID, change func(connection.Request) (connection.Request, error)) (social.RequestView, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.requests[id]
	if !ok {
		return social.RequestView{}, errNotFound
	}
	moved, err := change(r)
	if err != nil {
		return social.RequestView{}, err
	}
	if err := s.store(moved); err != nil {
		return social.RequestView{}, err
	}
	return s.requestView(s.requests[id]), nil
}

// PendingRequests implements social.ConnectionStore.
func (s *Store) PendingRequests(_ context.Context, userID uuid.UUID, dir social.Direction, page ports.PageRequest) (ports.Page[social.RequestView], error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []social.RequestView
	for _, r := range s.requests {
		if r.Status == connection.Pending && (dir == social.Incoming && r.ToID == userID || dir == social.Outgoing && r.FromID == userID) {
			out = append(out, s.requestView(r))
		}
	}
	return pageOf(out, func(v social.RequestView) (time.Time, uuid.UUID) { return v.CreatedAt, v.ID }, page), nil
}

func connKey(c social.Connection) (time.Time, uuid.UUID) { return c.ConnectedAt, c.User.ID }

// Connections implements social.ConnectionStore.
func (s *Store) Connections(_ context.Context, viewer, userID uuid.UUID, page ports.PageRequest) (ports.Page[social.Connection], error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []social.Connection
	for k, at := range s.connections {
		if k[0] == userID && !s.blockedEitherWay(viewer, k[1]) {
			out = append(out, social.Connection{User: s.summary(k[1]), ConnectedAt: at})
		}
	}
	return pageOf(out, connKey, page), nil
}

// MutualConnections implements social.ConnectionStore.
func (s *Store) MutualConnections(_ context.Context, viewer, userID uuid.UUID, page ports.PageRequest) (ports.Page[social.Connection], error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []social.Connection
	for k, at := range s.connections {
		if k[0] == viewer && s.connected(userID, k[1]) {
			out = append(out, social.Connection{User: s.summary(k[1]), ConnectedAt: at})
		}
	}
	return pageOf(out, connKey, page), nil
}

// RemoveConnection implements social.ConnectionStore.
func (s *Store) RemoveConnection(_ context.Context, a, b uuid.UUID) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.connected(a, b) {
		return errNotFound
	}
	delete(s.connections, [2]uuid.UUID{a, b})
	delete(s.connections, [2]uuid.UUID{b, a})
	return nil
}

// Block implements social.BlockStore.
func (s *Store) Block(_ context.Context, blocker, blocked uuid.UUID, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[blocked]; !ok {
		return errNotFound
	}
	if blocker == blocked {
		return errs.New(errs.ErrInvalid, "no block of oneself")
	}
	k := [2]uuid.UUID{blocker, blocked}
	if _, ok := s.blocks[k]; !ok {
		s.blocks[k] = at
	}
	delete(s.connections, [2]uuid.UUID{blocker, blocked})
	delete(s.connections, [2]uuid.UUID{blocked, blocker})
	if r := s.pendingBetween(blocker, blocked); r != nil {
		delete(s.requests, r.ID)
	}
	return nil
}

// Unblock implements social.BlockStore.
func (s *Store) Unblock(_ context.Context, blocker, blocked uuid.UUID) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.blocks, [2]uuid.UUID{blocker, blocked})
	return nil
}

// Blocks implements social.BlockStore.
func (s *Store) Blocks(_ context.Context, blocker uuid.UUID, page ports.PageRequest) (ports.Page[social.Blocked], error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []social.Blocked
	for k, at := range s.blocks {
		if k[0] == blocker {
			out = append(out, social.Blocked{User: s.summary(k[1]), BlockedAt: at})
		}
	}
	return pageOf(out, func(b social.Blocked) (time.Time, uuid.UUID) { return b.BlockedAt, b.User.ID }, page), nil
}

// Export implements social.ExportStore.
func (s *Store) Export(_ context.Context, userID uuid.UUID) (social.Export, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	acc, ok := s.users[userID]
	if !ok {
		return social.Export{}, errNotFound
	}
	e := social.Export{Account: acc, Posts: []social.PostView{}, Requests: []social.RequestView{},
		Connections: []social.Connection{}, Blocks: []user.Summary{}, Sessions: []session.Session{}}
	for _, p := range s.posts {
		if p.AuthorID == userID {
			e.Posts = append(e.Posts, s.postView(p))
		}
	}
	slices.SortFunc(e.Posts, func(a, b social.PostView) int { return cmpNewest(a.CreatedAt, a.ID, b.CreatedAt, b.ID) })
	for _, r := range s.requests {
		if r.FromID == userID || r.ToID == userID {
			e.Requests = append(e.Requests, s.requestView(r))
		}
	}
	slices.SortFunc(e.Requests, func(a, b social.RequestView) int { return cmpNewest(a.CreatedAt, a.ID, b.CreatedAt, b.ID) })
	for k, at := range s.connections {
		if k[0] == userID {
			e.Connections = append(e.Connections, social.Connection{User: s.summary(k[1]), ConnectedAt: at})
		}
	}
	slices.SortFunc(e.Connections, func(a, b social.Connection) int {
		return cmpNewest(a.ConnectedAt, a.User.ID, b.ConnectedAt, b.User.ID)
	})
	var blocks []social.Blocked
	for k, at := range s.blocks {
		if k[0] == userID {
			blocks = append(blocks, social.Blocked{User: s.summary(k[1]), BlockedAt: at})
		}
	}
	slices.SortFunc(blocks, func(a, b social.Blocked) int { return cmpNewest(a.BlockedAt, a.User.ID, b.BlockedAt, b.User.ID) })
	for _, b := range blocks {
		e.Blocks = append(e.Blocks, b.User)
	}
	e.Sessions = append(e.Sessions, s.sessions[userID]...)
	slices.SortFunc(e.Sessions, func(a, b session.Session) int { return cmpNewest(a.CreatedAt, a.ID, b.CreatedAt, b.ID) })
	return e, nil
}

func cmpNewest(ta time.Time, ia uuid.UUID, tb time.Time, ib uuid.UUID) int {
	if c := tb.Compare(ta); c != 0 {
		return c
	}
	return cmp.Compare(ib.String(), ia.String())
}
