package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"

	"agora/adapters/postgres/internal/db"
	"agora/domain/post"
	"agora/domain/user"
	"agora/ports"
	"agora/ports/social"
)

// socialPostRow is the shape every post query returns (sqlc makes one type
// per query; they convert to this one).
type socialPostRow struct {
	ID                uuid.UUID
	AuthorID          uuid.UUID
	Body              string
	Visibility        string
	CreatedAt         time.Time
	UpdatedAt         time.Time
	AuthorUsername    string
	AuthorDisplayName string
}

func (r socialPostRow) view() social.PostView {
	return social.PostView{
		Post: post.Post{
			ID: r.ID, AuthorID: r.AuthorID, Body: r.Body, Visibility: post.Visibility(r.Visibility),
			CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		},
		Author: user.Summary{ID: r.AuthorID, Username: user.Username(r.AuthorUsername), DisplayName: r.AuthorDisplayName},
	}
}

func socialPostCursor(v social.PostView) ports.Cursor {
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
	return socialPostRow{
		ID: r.ID, AuthorID: r.AuthorID, Body: r.Body, Visibility: r.Visibility, CreatedAt: r.CreatedAt,
		UpdatedAt: r.UpdatedAt, AuthorUsername: r.AuthorUsername, AuthorDisplayName: r.AuthorDisplayName,
	}.view(), nil
}

func socialPostOf(r db.GetPostForViewerRow) socialPostRow {
	return socialPostRow{
		ID: r.ID, AuthorID: r.AuthorID, Body: r.Body, Visibility: r.Visibility, CreatedAt: r.CreatedAt,
		UpdatedAt: r.UpdatedAt, AuthorUsername: r.AuthorUsername, AuthorDisplayName: r.AuthorDisplayName,
	}
}

// GetPost implements social.PostStore.
func (s *SocialStore) GetPost(ctx context.Context, viewer, id uuid.UUID) (social.PostView, post.Access, error) {
	r, err := s.q.GetPostForViewer(ctx, db.GetPostForViewerParams{Viewer: viewer, ID: id})
	if err != nil {
		return social.PostView{}, post.Access{}, socialErr(err)
	}
	return socialPostOf(r).view(), post.Access{Viewer: viewer, Connected: r.Connected, Blocked: r.Blocked}, nil
}

// lockedPost locks the post row for the rest of the transaction and reads it
// with the viewer's access.
func lockedPost(ctx context.Context, q *db.Queries, viewer, id uuid.UUID) (social.PostView, post.Access, error) {
	if _, err := q.LockPost(ctx, id); err != nil {
		return social.PostView{}, post.Access{}, err
	}
	r, err := q.GetPostForViewer(ctx, db.GetPostForViewerParams{Viewer: viewer, ID: id})
	if err != nil {
		return social.PostView{}, post.Access{}, err
	}
	return socialPostOf(r).view(), post.Access{Viewer: viewer, Connected: r.Connected, Blocked: r.Blocked}, nil
}

// UpdatePost implements social.PostStore.
func (s *SocialStore) UpdatePost(ctx context.Context, viewer, id uuid.UUID, change func(post.Post, post.Access) (post.Post, error)) (social.PostView, error) {
	var out social.PostView
	err := socialTx(ctx, s, func(q *db.Queries) error {
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
	return socialErr(socialTx(ctx, s, func(q *db.Queries) error {
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
	return readPage(ctx, s, page, func(q *db.Queries, t time.Time, id uuid.UUID, n int32) ([]db.ListUserPostsRow, error) {
		return q.ListUserPosts(ctx, db.ListUserPostsParams{Author: author, Viewer: viewer, BeforeTime: t, BeforeID: id, MaxRows: n})
	}, func(r db.ListUserPostsRow) social.PostView { return socialPostRow(r).view() }, socialPostCursor)
}

// Feed implements social.PostStore.
func (s *SocialStore) Feed(ctx context.Context, viewer uuid.UUID, page ports.PageRequest) (ports.Page[social.PostView], error) {
	return readPage(ctx, s, page, func(q *db.Queries, t time.Time, id uuid.UUID, n int32) ([]db.FeedRow, error) {
		return q.Feed(ctx, db.FeedParams{Viewer: viewer, BeforeTime: t, BeforeID: id, MaxRows: n})
	}, func(r db.FeedRow) social.PostView { return socialPostRow(r).view() }, socialPostCursor)
}
