package user_test

import (
	"errors"
	"testing"

	"agora/domain/errs"
	"agora/domain/user"
)

// The text rules of every field a person types: what people see must be
// what is stored, and nothing that PostgreSQL refuses (NUL) gets through.
func TestDisplayNameRule(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in, want string // want "" means refused
	}{
		{"plain", "Ada Lovelace", "Ada Lovelace"},
		{"trimmed", "  Ada \t", "Ada"},
		{"no-break spaces trimmed", "\u00a0Ada\u3000", "Ada"},
		{"accents and scripts", "Zoë 李 عربي", "Zoë 李 عربي"},
		{"emoji sequence", "Ada 👩\u200d💻", "Ada 👩\u200d💻"},
		{"only spaces", "     ", ""},
		{"empty", "", ""},
		{"only a zero-width space", "\u200b", ""},
		{"right-to-left override", "Ada\u202eecilA", ""},
		{"isolate", "\u2067Ada", ""},
		{"zero-width space inside", "Ad\u200ba", ""},
		{"zero-width joiner at the end", "Ada\u200d", ""},
		{"BOM", "\ufeffAda", ""},
		{"NUL", "Ada\x00", ""},
		{"newline", "Ada\nLovelace", ""},
		{"escape sequence", "\x1b[2JAda", ""},
		{"C1 control", "Ad\u0085a", ""},
		{"invalid UTF-8", "Ada\xff", ""},
	} {
		in := tc.in
		c, err := user.ParseProfileChanges(&in, nil, nil)
		r, rerr := user.ParseRegistration("ada_l", "ada@example.com", "long enough", &in)
		if tc.want == "" {
			if !fields(err)["display_name"] || !fields(rerr)["display_name"] || !errors.Is(err, errs.ErrInvalid) {
				t.Errorf("%s: %q accepted (%v, %v)", tc.name, tc.in, err, rerr)
			}
			continue
		}
		if err != nil || rerr != nil || *c.DisplayName != tc.want || r.DisplayName != tc.want {
			t.Errorf("%s: %q: %v %v", tc.name, tc.in, err, rerr)
		}
	}
}

func TestHeadlineAndBioRules(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		headline    *string
		bio         *string
		bad         string
		wantHeading string
	}{
		{name: "headline trimmed", headline: ptr("  Engineer "), wantHeading: "Engineer"},
		{name: "headline empty clears it", headline: ptr(""), wantHeading: ""},
		{name: "headline of spaces", headline: ptr("   "), bad: "headline"},
		{name: "headline of NBSP", headline: ptr("\u00a0"), bad: "headline"},
		{name: "headline of ideographic space", headline: ptr("\u3000\u3000"), bad: "headline"},
		{name: "headline of tab and newline", headline: ptr("\t \n"), bad: "headline"},
		{name: "headline trimmed of NBSP", headline: ptr("\u00a0Engineer\u3000"), wantHeading: "Engineer"},
		{name: "headline NUL", headline: ptr("a\x00"), bad: "headline"},
		{name: "headline newline", headline: ptr("a\nb"), bad: "headline"},
		{name: "headline only zero-width", headline: ptr("\u200b\u200b"), bad: "headline"},
		{name: "bio with lines and tabs", bio: ptr("Line one\n\tLine two\r\n")},
		{name: "bio NUL", bio: ptr("a\x00b"), bad: "bio"},
		{name: "bio vertical tab", bio: ptr("a\vb"), bad: "bio"},
		{name: "bio DEL", bio: ptr("a\x7f"), bad: "bio"},
		{name: "bio only a zero-width space", bio: ptr("\u200b"), bad: "bio"},
		{name: "bio invalid UTF-8", bio: ptr("\xc3"), bad: "bio"},
		{name: "bio empty", bio: ptr("")},
	} {
		c, err := user.ParseProfileChanges(nil, tc.headline, tc.bio)
		if tc.bad != "" {
			if !fields(err)[tc.bad] {
				t.Errorf("%s: accepted (%v)", tc.name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if tc.headline != nil && *c.Headline != tc.wantHeading {
			t.Errorf("%s: headline %q", tc.name, *c.Headline)
		}
	}
}

func TestPasswordsRefuseControlCharacters(t *testing.T) {
	t.Parallel()
	for _, pw := range []string{"pass\x00word!", "password\x1b", "pass\tword1", "\xffpassword"} {
		if _, err := user.ParsePassword("password", pw); !fields(err)["password"] {
			t.Errorf("ParsePassword(%q) = %v", pw, err)
		}
		if _, err := user.CandidatePassword("password", pw); !fields(err)["password"] {
			t.Errorf("CandidatePassword(%q) = %v", pw, err)
		}
	}
	if _, err := user.ParsePassword("password", "        "); err != nil {
		t.Errorf("eight spaces are a (weak) password: %v", err)
	}
}

func TestEmailRefusesControlCharacters(t *testing.T) {
	t.Parallel()
	for _, e := range []string{"ada\x00@example.com", "ada@example.com\x00", "ada@exa\x7fmple.com", "ad\u0085a@example.com", "ada@ex\xffample.com"} {
		if _, err := user.ParseEmail(e); !fields(err)["email"] {
			t.Errorf("ParseEmail(%q) = %v", e, err)
		}
	}
}

// A bidi override once reached the mail To: header as it was; every
// format, invisible or control character is refused, anywhere.
func TestEmailRefusesInvisibleAndFormatCharacters(t *testing.T) {
	t.Parallel()
	for _, e := range []string{
		"ab@exam\u202eple.com", "ab\u202d@example.com", "a\u200bb@example.com", "ab@example.com\u200b",
		"\ufeffab@example.com", "ab@exa\u00admple.com", "ab@exa\u2066mple.com", "a\u00a0b@example.com",
		"a\u3000b@example.com", "a\u2028b@example.com", "\"a b\"@example.com", "a\u180eb@example.com",
	} {
		if _, err := user.ParseEmail(e); !fields(err)["email"] {
			t.Errorf("ParseEmail(%q) = %v", e, err)
		}
	}
	if _, err := user.ParseEmail("zoë@exämple.com"); err != nil {
		t.Errorf("a visible non-ASCII address is an address: %v", err)
	}
}

func TestSearchQueryRefusesControlCharacters(t *testing.T) {
	t.Parallel()
	for _, q := range []string{"a\x00", "\x00", "a\nb", "\xff", "a\u009b"} {
		_, err := user.ParseSearchQuery(q)
		if !errors.Is(err, errs.ErrBadRequest) || !fields(err)["q"] {
			t.Errorf("ParseSearchQuery(%q) = %v, want a 400 naming q", q, err)
		}
	}
	if _, err := user.ParseSearchQuery(" "); err != nil {
		t.Errorf("a space is a prefix like any other: %v", err)
	}
}

func ptr(s string) *string { return &s }
