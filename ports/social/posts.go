package social

import (
	"context"

	"github.com/google/uuid"

	"agora/domain/post"
	"agora/domain/user"
	"agora/ports"
)

// CreatePost writes the viewer's post.
func (s *Service) CreatePost(ctx context.Context, viewer uuid.UUID, d post.Draft) (PostView, error) {
	id, err := s.newID()
	if err != nil {
		return PostView{}, err
	}
	v, err := s.posts.CreatePost(ctx, post.New(id, viewer, d, s.now()))
	if err != nil {
		return PostView{}, err
	}
	s.d.Metrics.PostCreated()
	return v, nil
}

// GetPost reads a post the viewer may see; any other is not found.
func (s *Service) GetPost(ctx context.Context, viewer, id uuid.UUID) (PostView, error) {
	v, access, err := s.posts.GetPost(ctx, viewer, id)
	if err != nil {
		return PostView{}, postErr(err)
	}
	if !v.VisibleTo(access) {
		return PostView{}, post.ErrNotFound
	}
	return v, nil
}

// UpdatePost edits the viewer's own post.
func (s *Service) UpdatePost(ctx context.Context, viewer, id uuid.UUID, patch post.Patch) (PostView, error) {
	v, err := s.posts.UpdatePost(ctx, viewer, id, func(p post.Post, a post.Access) (post.Post, error) {
		if err := p.CheckModify(a); err != nil {
			return p, err
		}
		return p.Apply(patch, s.now()), nil
	})
	return v, postErr(err)
}

// DeletePost deletes the viewer's own post.
func (s *Service) DeletePost(ctx context.Context, viewer, id uuid.UUID) error {
	return postErr(s.posts.DeletePost(ctx, viewer, id, post.Post.CheckModify))
}

// UserPosts lists a user's posts that the viewer may see.
func (s *Service) UserPosts(ctx context.Context, viewer uuid.UUID, username user.Username, page ports.PageRequest) (ports.Page[PostView], error) {
	u, err := s.findVisible(ctx, viewer, username)
	if err != nil {
		return ports.Page[PostView]{}, err
	}
	return s.posts.UserPosts(ctx, viewer, u.ID, page)
}

// Feed lists the viewer's and their connections' posts.
func (s *Service) Feed(ctx context.Context, viewer uuid.UUID, page ports.PageRequest) (ports.Page[PostView], error) {
	return s.posts.Feed(ctx, viewer, page)
}
