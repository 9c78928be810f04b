package socialtest

import (
	"context"
	"time"

	"github.com/google/uuid"

	"agora/domain/errs"
	"agora/domain/post"
	"agora/ports"
	"agora/ports/social"
)

// CreatePost implements social.PostStore.
func (m *MemStore) CreatePost(_ context.Context, p post.Post) (social.PostView, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.users[p.AuthorID]; !ok {
		return social.PostView{}, errNotFound
	}
	if _, ok := m.posts[p.ID]; ok {
		return social.PostView{}, errs.New(errs.ErrConflict, "already exists")
	}
	m.posts[p.ID] = p
	return m.postView(p), nil
}

func (m *MemStore) postView(p post.Post) social.PostView {
	return social.PostView{Post: p, Author: m.summary(p.AuthorID)}
}

func (m *MemStore) access(viewer uuid.UUID, p post.Post) post.Access {
	return post.Access{Viewer: viewer, Connected: m.connected(viewer, p.AuthorID), Blocked: m.blockedEitherWay(viewer, p.AuthorID)}
}

// GetPost implements social.PostStore.
func (m *MemStore) GetPost(_ context.Context, viewer, id uuid.UUID) (social.PostView, post.Access, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.posts[id]
	if !ok {
		return social.PostView{}, post.Access{}, errNotFound
	}
	return m.postView(p), m.access(viewer, p), nil
}

// UpdatePost implements social.PostStore.
func (m *MemStore) UpdatePost(_ context.Context, viewer, id uuid.UUID, change func(post.Post, post.Access) (post.Post, error)) (social.PostView, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.posts[id]
	if !ok {
		return social.PostView{}, errNotFound
	}
	q, err := change(p, m.access(viewer, p))
	if err != nil {
		return social.PostView{}, err
	}
	// Only what the table lets change changes.
	p.Body, p.Visibility, p.UpdatedAt = q.Body, q.Visibility, q.UpdatedAt
	m.posts[id] = p
	return m.postView(p), nil
}

// DeletePost implements social.PostStore.
func (m *MemStore) DeletePost(_ context.Context, viewer, id uuid.UUID, check func(post.Post, post.Access) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.posts[id]
	if !ok {
		return errNotFound
	}
	if err := check(p, m.access(viewer, p)); err != nil {
		return err
	}
	delete(m.posts, id)
	return nil
}

func postKey(v social.PostView) (time.Time, uuid.UUID) { return v.CreatedAt, v.ID }

// UserPosts implements social.PostStore.
func (m *MemStore) UserPosts(_ context.Context, viewer, author uuid.UUID, page ports.PageRequest) (ports.Page[social.PostView], error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []social.PostView
	for _, p := range m.posts {
		if p.AuthorID != author {
			continue
		}
		a := m.access(viewer, p)
		a.Blocked = false // blocks are the caller's concern
		if p.VisibleTo(a) {
			out = append(out, m.postView(p))
		}
	}
	return newestFirst(out, postKey, page), nil
}

// Feed implements social.PostStore.
func (m *MemStore) Feed(_ context.Context, viewer uuid.UUID, page ports.PageRequest) (ports.Page[social.PostView], error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []social.PostView
	for _, p := range m.posts {
		if p.AuthorID == viewer || m.connected(viewer, p.AuthorID) {
			out = append(out, m.postView(p))
		}
	}
	return newestFirst(out, postKey, page), nil
}
