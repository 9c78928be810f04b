package http

import (
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"agora/domain/post"
	"agora/domain/user"
	"agora/ports"
	"agora/ports/social"
)

// feedPage is a first feed page as `make bench` serves it: 20 posts of
// ~150 characters by several authors, and a next cursor.
func feedPage() ports.Page[social.PostView] {
	at := time.Date(2024, 12, 31, 23, 0, 0, 0, time.UTC)
	items := make([]social.PostView, 20)
	for i := range items {
		author := user.Summary{ID: uuid.Must(uuid.NewV7()), Username: "user4242", DisplayName: "User 4242"}
		items[i] = social.PostView{
			Post: post.Post{
				ID: uuid.Must(uuid.NewV7()), AuthorID: author.ID, Visibility: post.Public,
				Body:      "Post 97 by user4242: " + strings.Repeat("shipping the roadmap review with the team ", 3),
				CreatedAt: at.Add(-time.Duration(i) * time.Hour), UpdatedAt: at.Add(-time.Duration(i) * time.Hour),
			},
			Author: author,
		}
	}
	last := items[len(items)-1]
	return ports.Page[social.PostView]{Items: items, Next: &ports.Cursor{Time: last.CreatedAt, ID: last.ID}}
}

// The JSON side of GET /feed: domain page to DTOs, cursor encoding, and the
// encoding/json encoder Echo's c.JSON uses. go test -bench FeedPage ./adapters/http
func BenchmarkFeedPageJSON(b *testing.B) {
	page := feedPage()
	enc := json.NewEncoder(io.Discard)
	b.ReportAllocs()
	for b.Loop() {
		if err := enc.Encode(toPageDTO(page, toPostDTO)); err != nil {
			b.Fatal(err)
		}
	}
}
