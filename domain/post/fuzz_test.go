package post_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"agora/domain/errs"
	"agora/domain/post"
	"agora/domain/text"
)

// FuzzParseDraft: a body is accepted only when it is 1-5000 characters, shows
// something (not only white space or invisible characters), is valid UTF-8
// and holds no control character but tab and newline; visibility only
// public or connections.
func FuzzParseDraft(f *testing.F) {
	f.Add("hello", "public", true)
	f.Add("   \t\n", "", false)
	f.Add(strings.Repeat("é", 5001), "connections", true)
	f.Add("\xff", "friends", true)
	f.Add("\u200b", "public", true)
	f.Add("a\x00b", "public", false)
	f.Fuzz(func(t *testing.T, body, visibility string, hasVisibility bool) {
		var vis *string
		if hasVisibility {
			vis = &visibility
		}
		d, err := post.ParseDraft(&body, vis)
		if err != nil {
			if !errors.Is(err, errs.ErrInvalid) || len(errs.FieldsOf(err)) == 0 {
				t.Fatalf("error without field errors: %v", err)
			}
			return
		}
		if n := utf8.RuneCountInString(d.Body); n < 1 || n > 5000 || strings.TrimSpace(d.Body) == "" || !utf8.ValidString(d.Body) ||
			text.Blank(d.Body) || text.HasControl(d.Body, text.MultiLine) {
			t.Fatalf("accepted body %q", d.Body)
		}
		if d.Visibility != post.Public && d.Visibility != post.Connections {
			t.Fatalf("accepted visibility %q", d.Visibility)
		}
	})
}
