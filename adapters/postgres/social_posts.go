package postgres

import (
	"context"

	"github.com/google/uuid"

	"agora/adapters/postgres/internal/db"
	"agora/domain/post"
	"agora/ports"
	"agora/ports/social"
)

// postRow is what every post query returns: the post (sqlc.embed(posts))
// and its author's names. sqlc makes one row type per query; those of the
// same shape convert to this one.
type postRow struct {
	Post              db.Post
	AuthorUsername    string
	AuthorDisplayName string
}

func (r postRow) view() social.PostView {
	p := r.Post
	return social.PostView{
		Post: post.Post{
			ID: p.ID, AuthorID: p.AuthorID, Body: p.Body, Visibility: post.Visibility(p.Visibility),
			CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(),
		},
		Author: toSummary(p.AuthorID, r.AuthorUsername, r.AuthorDisplayName),
	}
}

func postCursor(v social.PostView) ports.Cursor {
	return ports.Cursor{Time: v.CreatedAt, ID: v.ID}
}

// CreatePost implements social.PostStore.
func (s *SocialStore) CreatePost(ctx context.Context, p post.Post) (social.PostView, error) {
	r, err := s.q.InsertPost(ctx, db.InsertPostParams{
		ID: p.ID, AuthorID: p.AuthorID, Body: p.Body, Visibility: string(p.Visibility),
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	})
	if err != nil {
		return social.PostView{}, socialErr(err)
	}
	return postRow(r).view(), nil
}

// postForViewer reads a post with the viewer's access to it.
func postForViewer(ctx context.Context, q *db.Queries, viewer, id uuid.UUID) (social.PostView, post.Access, error) {
	r, err := q.GetPostForViewer(ctx, db.GetPostForViewerParams{Viewer: viewer, ID: id})
	if err != nil {
		return social.PostView{}, post.Access{}, err
	}
	v := postRow{Post: r.Post, AuthorUsername: r.AuthorUsername, AuthorDisplayName: r.AuthorDisplayName}.view()
	return v, post.Access{Viewer: viewer, Connected: r.Connected, Blocked: r.Blocked}, nil
}

// GetPost implements social.PostStore.
func (s *SocialStore) GetPost(ctx context.Context, viewer, id uuid.UUID) (social.PostView, post.Access, error) {
	v, access, err := postForViewer(ctx, s.q, viewer, id)
	return v, access, socialErr(err)
}

// lockedPost locks the post row for the rest of the transaction and reads it
// with the viewer's access.
func lockedPost(ctx context.Context, q *db.Queries, viewer, id uuid.UUID) (social.PostView, post.Access, error) {
	if _, err := q.LockPost(ctx, id); err != nil {
		return social.PostView{}, post.Access{}, err
	}
	return postForViewer(ctx, q, viewer, id)
}

// UpdatePost implements social.PostStore.
func (s *SocialStore) UpdatePost(ctx context.Context, viewer, id uuid.UUID, change func(post.Post, post.Access) (post.Post, error)) (social.PostView, error) {
	var out social.PostView
	err := inTx(ctx, s.pool, s.q, func(q *db.Queries) error {
		v, access, err := lockedPost(ctx, q, viewer, id)
		if err != nil {
			return err
		}
		p, err := change(v.Post, access)
		if err != nil {
			return err
		}
		if err := q.UpdatePost(ctx, db.UpdatePostParams{
			ID: id, Body: p.Body, Visibility: string(p.Visibility), UpdatedAt: p.UpdatedAt,
		}); err != nil {
			return err
		}
		v.Body, v.Visibility, v.UpdatedAt = p.Body, p.Visibility, p.UpdatedAt.UTC()
		out = v
		return nil
	})
	return out, socialErr(err)
}

// DeletePost implements social.PostStore.
func (s *SocialStore) DeletePost(ctx context.Context, viewer, id uuid.UUID, check func(post.Post, post.Access) error) error {
	return socialErr(inTx(ctx, s.pool, s.q, func(q *db.Queries) error {
		v, access, err := lockedPost(ctx, q, viewer, id)
		if err != nil {
			return err
		}
		if err := check(v.Post, access); err != nil {
			return err
		}
		_, err = q.DeletePost(ctx, id)
		return err
	}))
}

// UserPosts implements social.PostStore.
func (s *SocialStore) UserPosts(ctx context.Context, viewer, author uuid.UUID, page ports.PageRequest) (ports.Page[social.PostView], error) {
	return readPage(ctx, s.reads, page, func(q *db.Queries, after ports.Cursor, n int32) ([]db.ListUserPostsRow, error) {
		return q.ListUserPosts(ctx, db.ListUserPostsParams{Author: author, Viewer: viewer, BeforeTime: after.Time, BeforeID: after.ID, MaxRows: n})
	}, func(r db.ListUserPostsRow) social.PostView { return postRow(r).view() }, postCursor)
}

// Feed implements social.PostStore.
func (s *SocialStore) Feed(ctx context.Context, viewer uuid.UUID, page ports.PageRequest) (ports.Page[social.PostView], error) {
	return readPage(ctx, s.reads, page, func(q *db.Queries, after ports.Cursor, n int32) ([]db.FeedRow, error) {
		return q.Feed(ctx, db.FeedParams{Viewer: viewer, BeforeTime: after.Time, BeforeID: after.ID, MaxRows: n})
	}, func(r db.FeedRow) social.PostView { return postRow(r).view() }, postCursor)
}
