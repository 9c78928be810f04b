// Package post holds the rules of posts: what a valid body and visibility
// are, how an edit changes a post, and who may see, edit or delete one.
package post

import (
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"agora/domain/errs"
	"agora/domain/text"
)

// MaxBodyChars is the longest body, in characters (not bytes).
const MaxBodyChars = 5000

// Visibility says who may read a post.
type Visibility string

// The visibilities.
const (
	// Public posts are seen by every signed-in user who is not blocked.
	Public Visibility = "public"
	// Connections posts are seen by the author and the author's connections.
	Connections Visibility = "connections"
)

// ParseVisibility accepts exactly "public" or "connections"; anything else
// is invalid, a field error on "visibility".
func ParseVisibility(s string) (Visibility, error) {
	switch v := Visibility(s); v {
	case Public, Connections:
		return v, nil
	}
	return "", errs.Invalid(errs.FieldError{Field: "visibility", Message: `must be "public" or "connections"`})
}

// Post is a stored post.
type Post struct {
	ID         uuid.UUID
	AuthorID   uuid.UUID
	Body       string
	Visibility Visibility
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Draft is a validated new post, not yet stored.
type Draft struct {
	Body       string
	Visibility Visibility
}

// ParseDraft parses raw input: a nil body was not given (it is required), a
// nil visibility means public. Every field problem is reported at once,
// except that a missing body is reported alone: the API has always answered
// it before looking at anything else.
func ParseDraft(body, visibility *string) (Draft, error) {
	if body == nil {
		return Draft{}, errs.Invalid(errs.FieldError{Field: "body", Message: "is required"})
	}
	var fe errs.Fields
	checkBody(&fe, *body)
	vis := Public
	if visibility != nil {
		v, err := ParseVisibility(*visibility)
		fe = append(fe, errs.FieldsOf(err)...)
		vis = v
	}
	if err := fe.Err(); err != nil {
		return Draft{}, err
	}
	return Draft{Body: *body, Visibility: vis}, nil
}

// New makes the stored form of a draft. now is the use case's clock
// reading, already cut to the database's precision (timestamp.Of).
func New(id, author uuid.UUID, d Draft, now time.Time) Post {
	return Post{ID: id, AuthorID: author, Body: d.Body, Visibility: d.Visibility, CreatedAt: now, UpdatedAt: now}
}

// Patch is a validated edit: nil fields stay as they are.
type Patch struct {
	Body       *string
	Visibility *Visibility
}

// ParsePatch parses raw input of an edit.
func ParsePatch(body, visibility *string) (Patch, error) {
	var fe errs.Fields
	var p Patch
	if body != nil {
		checkBody(&fe, *body)
		p.Body = body
	}
	if visibility != nil {
		v, err := ParseVisibility(*visibility)
		fe = append(fe, errs.FieldsOf(err)...)
		p.Visibility = &v
	}
	return p, fe.Err()
}

// Apply returns the post with the patch applied. now is cut already, as for
// New. updated_at always moves forward, even when the clock has not (two
// edits in one microsecond).
func (p Post) Apply(patch Patch, now time.Time) Post {
	if patch.Body != nil {
		p.Body = *patch.Body
	}
	if patch.Visibility != nil {
		p.Visibility = *patch.Visibility
	}
	if !now.After(p.UpdatedAt) {
		now = p.UpdatedAt.Add(time.Microsecond)
	}
	p.UpdatedAt = now
	return p
}

// Access is what is known about a viewer's relation to a post's author.
type Access struct {
	Viewer    uuid.UUID
	Connected bool // the viewer and the author are connected
	Blocked   bool // either has blocked the other
}

// VisibleTo reports whether the viewer may read the post.
func (p Post) VisibleTo(a Access) bool {
	if a.Viewer == p.AuthorID {
		return true
	}
	if a.Blocked {
		return false
	}
	return p.Visibility == Public || a.Connected
}

// CheckModify says whether the viewer may edit or delete the post: a post
// the viewer cannot see is not found (its existence is never revealed);
// someone else's visible post is forbidden.
func (p Post) CheckModify(a Access) error {
	if !p.VisibleTo(a) {
		return ErrNotFound
	}
	if a.Viewer != p.AuthorID {
		return errs.New(errs.ErrForbidden, "Only the author may change or delete this post.")
	}
	return nil
}

// ErrNotFound is the one answer for a post that is absent or invisible.
var ErrNotFound = errs.New(errs.ErrNotFound, "The post does not exist.")

// checkBody: a body, when given, is 1-5000 characters kept as written (line breaks and tabs
// allowed, no other control character) that show something: a body of
// white space or invisible characters only (a zero-width space) is empty.
func checkBody(fe *errs.Fields, body string) {
	if p := text.Problem(body, text.MultiLine); p != "" {
		fe.Add("body", p)
		return
	}
	if n := utf8.RuneCountInString(body); n == 0 || n > MaxBodyChars {
		fe.Add("body", "must be 1-5000 characters")
	}
}
