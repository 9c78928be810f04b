package post

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"agora/domain/errs"
)

func ptr[T any](v T) *T { return &v }

func TestParseDraft(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		body       *string
		visibility *string
		want       Visibility
		fields     []string
	}{
		{"defaults to public", ptr("hello"), nil, Public, nil},
		{"connections", ptr("hello"), ptr("connections"), Connections, nil},
		{"explicit public", ptr("hello"), ptr("public"), Public, nil},
		{"5000 characters", ptr(strings.Repeat("é", 5000)), nil, Public, nil},
		{"empty", ptr(""), nil, "", []string{"body"}},
		{"white space only", ptr(" \t\n\u00a0"), nil, "", []string{"body"}},
		{"too long", ptr(strings.Repeat("a", 5001)), nil, "", []string{"body"}},
		{"NUL", ptr("a\x00b"), nil, "", []string{"body"}},
		{"bad visibility", ptr("hello"), ptr("friends"), "", []string{"visibility"}},
		{"both wrong at once", ptr(""), ptr("Public"), "", []string{"body", "visibility"}},
		{"missing", nil, nil, "", []string{"body"}},
		{"missing is reported alone", nil, ptr("Public"), "", []string{"body"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d, err := ParseDraft(tc.body, tc.visibility)
			if tc.fields == nil {
				if err != nil || d.Visibility != tc.want || d.Body != *tc.body {
					t.Fatalf("ParseDraft = %+v, %v", d, err)
				}
				return
			}
			if !errors.Is(err, errs.ErrInvalid) {
				t.Fatalf("err = %v, want invalid", err)
			}
			var got []string
			for _, f := range errs.FieldsOf(err) {
				got = append(got, f.Field)
			}
			if strings.Join(got, ",") != strings.Join(tc.fields, ",") {
				t.Fatalf("fields = %v, want %v", got, tc.fields)
			}
			if tc.body == nil && errs.FieldsOf(err)[0].Message != "is required" {
				t.Fatalf("missing body: %v", err)
			}
		})
	}
}

// Visibility is parsed like every other value: a value or an error, here a
// field error on "visibility".
func TestParseVisibility(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"public", "connections"} {
		if v, err := ParseVisibility(s); err != nil || string(v) != s {
			t.Fatalf("%q: %q %v", s, v, err)
		}
	}
	for _, s := range []string{"", "Public", "friends"} {
		v, err := ParseVisibility(s)
		if f := errs.FieldsOf(err); v != "" || !errors.Is(err, errs.ErrInvalid) || len(f) != 1 || f[0].Field != "visibility" {
			t.Fatalf("%q: %q %v", s, v, err)
		}
	}
}

func TestPatchAndApply(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	p := New(uuid.New(), uuid.New(), Draft{Body: "one", Visibility: Public}, t0)

	patch, err := ParsePatch(nil, ptr("connections"))
	if err != nil {
		t.Fatal(err)
	}
	q := p.Apply(patch, t0.Add(time.Second))
	if q.Body != "one" || q.Visibility != Connections || !q.UpdatedAt.Equal(t0.Add(time.Second)) || !q.CreatedAt.Equal(t0) {
		t.Fatalf("apply visibility: %+v", q)
	}
	patch, err = ParsePatch(ptr("two"), nil)
	if err != nil {
		t.Fatal(err)
	}
	// The clock did not move (or went back): updated_at still moves forward.
	r := q.Apply(patch, t0)
	if r.Body != "two" || r.Visibility != Connections || !r.UpdatedAt.After(q.UpdatedAt) {
		t.Fatalf("apply body with a stuck clock: %+v", r)
	}
	if _, err := ParsePatch(ptr("  "), ptr("x")); len(errs.FieldsOf(err)) != 2 {
		t.Fatalf("bad patch: %v", err)
	}
	if p, err := ParsePatch(nil, nil); err != nil || p.Body != nil || p.Visibility != nil {
		t.Fatalf("empty patch: %+v %v", p, err)
	}
}

func TestVisibilityAndModification(t *testing.T) {
	t.Parallel()
	author, other := uuid.New(), uuid.New()
	public := Post{AuthorID: author, Visibility: Public}
	private := Post{AuthorID: author, Visibility: Connections}
	cases := []struct {
		name      string
		post      Post
		access    Access
		visible   bool
		modifyErr error
	}{
		{"author, public", public, Access{Viewer: author}, true, nil},
		{"author, connections", private, Access{Viewer: author}, true, nil},
		{"stranger, public", public, Access{Viewer: other}, true, errs.ErrForbidden},
		{"stranger, connections", private, Access{Viewer: other}, false, errs.ErrNotFound},
		{"connection, connections", private, Access{Viewer: other, Connected: true}, true, errs.ErrForbidden},
		{"blocked, public", public, Access{Viewer: other, Blocked: true}, false, errs.ErrNotFound},
		{"blocked, connections", private, Access{Viewer: other, Blocked: true, Connected: true}, false, errs.ErrNotFound},
	}
	for _, tc := range cases {
		if got := tc.post.VisibleTo(tc.access); got != tc.visible {
			t.Errorf("%s: visible = %v", tc.name, got)
		}
		err := tc.post.CheckModify(tc.access)
		if tc.modifyErr == nil && err != nil || tc.modifyErr != nil && !errors.Is(err, tc.modifyErr) {
			t.Errorf("%s: CheckModify = %v, want %v", tc.name, err, tc.modifyErr)
		}
	}
}

func TestBodyTextRules(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body string
		ok         bool
	}{
		{"lines and tabs", "Hello\n\tworld\r\n", true},
		{"emoji sequence", "👩\u200d💻", true},
		{"zero-width space only", "\u200b", false},
		{"zero-width spaces and newlines only", "\u200b\n\u200b\n", false},
		{"BOM and no-break space only", "\ufeff\u00a0", false},
		{"Hangul filler only", "\u3164", false},
		{"NUL", "hi\x00", false},
		{"escape sequence", "\x1b[31mred", false},
		{"vertical tab", "a\vb", false},
		{"C1 control", "a\u0085b", false},
		{"invalid UTF-8", "a\xffb", false},
	} {
		_, err := ParseDraft(&tc.body, nil)
		if tc.ok != (err == nil) {
			t.Errorf("%s: %q: %v", tc.name, tc.body, err)
		}
		b := tc.body
		if _, err := ParsePatch(&b, nil); tc.ok != (err == nil) {
			t.Errorf("%s (patch): %q: %v", tc.name, tc.body, err)
		}
	}
}
