package socialtest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"agora/domain/errs"
	"agora/domain/errs/errstest"
	"agora/domain/post"
	"agora/domain/timestamp"
	"agora/domain/user"
	"agora/ports"
	"agora/ports/social"
)

// RunPostStore checks posts, their access facts, edits in a transaction,
// visibility in lists, the feed and keyset paging.
func RunPostStore(t *testing.T, open Open) {
	h := open(t)
	s := h.Store

	t.Run("create, get and access facts", func(t *testing.T) {
		t.Parallel()
		a, b, c := account(t, h, "pa"), account(t, h, "pb"), account(t, h, "pc")
		connect(t, s, a.ID, b.ID)
		at := timestamp.Of(tick().Add(123456 * time.Nanosecond))
		v := writePost(t, s, a.ID, post.Connections, at)
		if v.Author.ID != a.ID || v.Author.Username != a.Username || v.Author.DisplayName != a.DisplayName {
			t.Fatalf("author: %+v", v.Author)
		}
		for _, tc := range []struct {
			viewer             user.User
			connected, blocked bool
		}{{a, false, false}, {b, true, false}, {c, false, false}} {
			got, access, err := s.GetPost(ctx, tc.viewer.ID, v.ID)
			errstest.Must(t, err)
			if got.ID != v.ID || got.Body != v.Body || got.Visibility != post.Connections ||
				!got.CreatedAt.Equal(at) || !got.UpdatedAt.Equal(at) || got.AuthorID != a.ID || got.Author != v.Author {
				t.Fatalf("GetPost = %+v, want %+v", got, v)
			}
			if access.Viewer != tc.viewer.ID || access.Connected != tc.connected || access.Blocked != tc.blocked {
				t.Fatalf("access for %s: %+v", tc.viewer.Username, access)
			}
		}
		errstest.Must(t, s.Block(ctx, a.ID, c.ID, tick()))
		_, access, err := s.GetPost(ctx, c.ID, v.ID)
		errstest.Must(t, err)
		if !access.Blocked || access.Connected {
			t.Fatalf("access after block: %+v", access)
		}
		_, _, err = s.GetPost(ctx, a.ID, uuid.New())
		errstest.WantKind(t, err, errs.ErrNotFound)
	})

	t.Run("update and delete through the rule", func(t *testing.T) {
		t.Parallel()
		a, b := account(t, h, "ua"), account(t, h, "ub")
		v := writePost(t, s, a.ID, post.Public, tick())
		var seen post.Access
		later := tick()
		got, err := s.UpdatePost(ctx, a.ID, v.ID, func(p post.Post, acc post.Access) (post.Post, error) {
			seen = acc
			body := "edited"
			vis := post.Connections
			return p.Apply(post.Patch{Body: &body, Visibility: &vis}, later), nil
		})
		errstest.Must(t, err)
		if seen.Viewer != a.ID || got.Body != "edited" || got.Visibility != post.Connections ||
			!got.UpdatedAt.Equal(later) || !got.CreatedAt.Equal(v.CreatedAt) || got.Author != v.Author {
			t.Fatalf("UpdatePost = %+v (access %+v)", got, seen)
		}
		reread, _, err := s.GetPost(ctx, b.ID, v.ID)
		errstest.Must(t, err)
		if reread.Body != "edited" || !reread.UpdatedAt.Equal(later) {
			t.Fatalf("reread: %+v", reread)
		}
		refuse := errs.New(errs.ErrForbidden, "no")
		_, err = s.UpdatePost(ctx, b.ID, v.ID, func(p post.Post, _ post.Access) (post.Post, error) {
			p.Body = "hijacked"
			return p, refuse
		})
		if !errors.Is(err, refuse) {
			t.Fatalf("refused update: %v", err)
		}
		_, err = s.UpdatePost(ctx, a.ID, uuid.New(), func(p post.Post, _ post.Access) (post.Post, error) { return p, nil })
		errstest.WantKind(t, err, errs.ErrNotFound)

		if err := s.DeletePost(ctx, b.ID, v.ID, post.Post.CheckModify); !errors.Is(err, errs.ErrNotFound) {
			// b is a stranger and the post is now for connections only.
			t.Fatalf("delete by a stranger: %v", err)
		}
		errstest.Must(t, s.DeletePost(ctx, a.ID, v.ID, post.Post.CheckModify))
		_, _, err = s.GetPost(ctx, a.ID, v.ID)
		errstest.WantKind(t, err, errs.ErrNotFound)
		errstest.WantKind(t, s.DeletePost(ctx, a.ID, v.ID, post.Post.CheckModify), errs.ErrNotFound)
	})

	t.Run("user posts by visibility, newest first, paged", func(t *testing.T) {
		t.Parallel()
		author, friend, stranger := account(t, h, "au"), account(t, h, "fr"), account(t, h, "st")
		connect(t, s, author.ID, friend.ID)
		var all, public []uuid.UUID
		var same time.Time // the last posts share one instant: ties broken by id
		for i := 0; i < 7; i++ {
			at := tick()
			if i >= 4 {
				if same.IsZero() {
					same = at
				}
				at = same
			}
			vis := post.Public
			if i%2 == 1 {
				vis = post.Connections
			}
			v := writePost(t, s, author.ID, vis, at)
			all = append(all, v.ID)
			if vis == post.Public {
				public = append(public, v.ID)
			}
		}
		writePost(t, s, friend.ID, post.Public, tick()) // someone else's
		order := func(ids []uuid.UUID) []uuid.UUID {
			out := slices.Clone(ids)
			byID := map[uuid.UUID]int{}
			for i, id := range ids {
				byID[id] = i
			}
			// Written in time order; the last three share a time, so they sort by id.
			slices.SortStableFunc(out, func(x, y uuid.UUID) int {
				ix, iy := byID[x], byID[y]
				if ix >= 4 && iy >= 4 {
					return compareUUIDDesc(x, y)
				}
				return iy - ix
			})
			return out
		}
		for _, tc := range []struct {
			viewer user.User
			want   []uuid.UUID
		}{{author, order(all)}, {friend, order(all)}, {stranger, order(public)}} {
			for _, limit := range []int{1, 2, 3, 100} {
				got := collect(t, limit, func(p ports.PageRequest) (ports.Page[social.PostView], error) {
					return s.UserPosts(ctx, tc.viewer.ID, author.ID, p)
				})
				sameIDs(t, "user posts for "+string(tc.viewer.Username), ids(got, postID), tc.want)
			}
		}
	})

	t.Run("feed: own and connections' posts, paging while posts arrive", func(t *testing.T) {
		t.Parallel()
		me, f1, f2, stranger := account(t, h, "fm"), account(t, h, "ff"), account(t, h, "ff"), account(t, h, "fs")
		connect(t, s, me.ID, f1.ID)
		connect(t, s, f2.ID, me.ID)
		var want []uuid.UUID
		authors := []user.User{me, f1, f2, stranger}
		for i := 0; i < 20; i++ {
			a := authors[i%4]
			vis := post.Public
			if i%3 == 0 {
				vis = post.Connections
			}
			v := writePost(t, s, a.ID, vis, tick())
			if a.ID != stranger.ID {
				want = append([]uuid.UUID{v.ID}, want...)
			}
		}
		// Page through with 4 per page, writing new posts between pages:
		// they are newer than the cursor, so no page repeats or skips an item.
		var got []uuid.UUID
		var after *ports.Cursor
		for i := 0; ; i++ {
			p, err := s.Feed(ctx, me.ID, ports.PageRequest{Limit: 4, After: after})
			errstest.Must(t, err)
			got = append(got, ids(p.Items, postID)...)
			writePost(t, s, f1.ID, post.Public, tick())
			if p.Next == nil {
				break
			}
			after = p.Next
			if i > 50 {
				t.Fatal("feed paging does not end")
			}
		}
		sameIDs(t, "feed", got, want)
		first, err := s.Feed(ctx, stranger.ID, pageOf(100))
		errstest.Must(t, err)
		for _, v := range first.Items {
			if v.AuthorID != stranger.ID {
				t.Fatalf("stranger's feed has %v", v.Author)
			}
		}
	})
}

func compareUUIDDesc(x, y uuid.UUID) int {
	for i := range x {
		if x[i] != y[i] {
			if x[i] > y[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}
