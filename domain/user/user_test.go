package user_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"agora/domain/errs"
	"agora/domain/user"
)

func fields(err error) map[string]bool {
	out := map[string]bool{}
	for _, f := range errs.FieldsOf(err) {
		out[f.Field] = true
	}
	return out
}

func TestParseUsername(t *testing.T) {
	t.Parallel()
	for s, ok := range map[string]bool{
		"ada": true, "Ada_Lovelace_1": true, strings.Repeat("a", 30): true,
		"ab": false, strings.Repeat("a", 31): false, "ada lovelace": false, "ada-l": false,
		"ädä": false, "": false, "ada@x": false, "ada\n": false,
	} {
		u, err := user.ParseUsername(s)
		if ok != (err == nil) {
			t.Errorf("%q: err=%v", s, err)
		}
		if user.IsUsername(s) != ok {
			t.Errorf("IsUsername(%q) = %v", s, !ok)
		}
		if err != nil && (!errors.Is(err, errs.ErrInvalid) || !fields(err)["username"]) {
			t.Errorf("%q: wrong error %v", s, err)
		}
		if ok && u.Key() != strings.ToLower(s) {
			t.Errorf("%q: key %q", s, u.Key())
		}
	}
}

func TestParseEmail(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".com" // 254
	for s, ok := range map[string]bool{
		"ada@example.com": true, "Ada.Lovelace+x@Example.COM": true, long: true, "a@b.c": true,
		// A dotless domain or an address literal reaches no public mailbox.
		"a@b": false, "root@localhost": false, "a@b.": false, "a@.b": false, "a@b..c": false,
		"a@[127.0.0.1]": false, "a@[IPv6:::1]": false,
		"": false, "ada": false, "@example.com": false, "ada@": false, long + "m": false,
		"Ada <ada@example.com>": false, " ada@example.com": false, "ada@example.com ": false,
		"ada@@example.com": false, "a\x00@b.c": false,
	} {
		e, err := user.ParseEmail(s)
		if ok != (err == nil) {
			t.Errorf("%q: err=%v", s, err)
		}
		if err != nil && !fields(err)["email"] {
			t.Errorf("%q: wrong field %v", s, err)
		}
		if ok && e.Key() != strings.ToLower(s) {
			t.Errorf("%q: key %q", s, e.Key())
		}
	}
}

func TestParsePasswordCountsCharacters(t *testing.T) {
	t.Parallel()
	for s, ok := range map[string]bool{
		"12345678": true, strings.Repeat("x", 128): true, strings.Repeat("é", 128): true, "ééééééé€": true,
		"1234567": false, strings.Repeat("x", 129): false, "": false, "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8": false,
	} {
		_, err := user.ParsePassword("new_password", s)
		if ok != (err == nil) {
			t.Errorf("%q: err=%v", s, err)
		}
		if err != nil && !fields(err)["new_password"] {
			t.Errorf("%q: field not named after the input: %v", s, err)
		}
	}
}

// A password never shows up in formatted output.
func TestPasswordIsRedacted(t *testing.T) {
	t.Parallel()
	p, err := user.ParsePassword("password", "hunter2hunter2")
	if err != nil {
		t.Fatal(err)
	}
	r := user.Registration{Password: p}
	for _, s := range []string{fmt.Sprint(p), fmt.Sprintf("%v %+v %#v %s", p, r, r, p)} {
		if strings.Contains(s, "hunter2") {
			t.Fatalf("leaked: %s", s)
		}
	}
	if b, _ := p.MarshalText(); strings.Contains(string(b), "hunter2") {
		t.Fatal("leaked through MarshalText")
	}
	if p.Reveal() != "hunter2hunter2" {
		t.Fatal("Reveal")
	}
}

func TestCandidatePasswordOnlyBoundsLength(t *testing.T) {
	t.Parallel()
	if _, err := user.CandidatePassword("password", "short"); err != nil {
		t.Errorf("a short candidate is checked against the hash, not refused: %v", err)
	}
	for _, s := range []string{"", strings.Repeat("x", 129)} {
		if _, err := user.CandidatePassword("password", s); err == nil || !fields(err)["password"] {
			t.Errorf("%d chars: %v", len(s), err)
		}
	}
}

func TestParseRegistrationReportsEveryField(t *testing.T) {
	t.Parallel()
	empty := ""
	_, err := user.ParseRegistration("a", "nope", "short", &empty)
	f := fields(err)
	if !errors.Is(err, errs.ErrInvalid) || len(f) != 4 || !f["username"] || !f["email"] || !f["password"] || !f["display_name"] {
		t.Fatalf("got %v", err)
	}
	r, err := user.ParseRegistration("Ada_L", "ada@example.com", "long enough", nil)
	if err != nil || r.DisplayName != "Ada_L" || r.Username != "Ada_L" {
		t.Fatalf("display name must default to the username: %+v %v", r, err)
	}
	name := "Ada Lovelace"
	r, err = user.ParseRegistration("Ada_L", "ada@example.com", "long enough", &name)
	if err != nil || r.DisplayName != name {
		t.Fatalf("%+v %v", r, err)
	}
	long := strings.Repeat("é", 101)
	if _, err := user.ParseRegistration("Ada_L", "ada@example.com", "long enough", &long); !fields(err)["display_name"] {
		t.Fatalf("101 characters: %v", err)
	}
}

func TestProfileChanges(t *testing.T) {
	t.Parallel()
	s := func(v string) *string { return &v }
	for name, tc := range map[string]struct {
		dn, hl, bio *string
		bad         []string
	}{
		"nothing":          {},
		"clear headline":   {hl: s(""), bio: s("")},
		"max lengths":      {dn: s(strings.Repeat("x", 100)), hl: s(strings.Repeat("é", 200)), bio: s(strings.Repeat("b", 2000))},
		"empty name":       {dn: s(""), bad: []string{"display_name"}},
		"everything long":  {dn: s(strings.Repeat("x", 101)), hl: s(strings.Repeat("h", 201)), bio: s(strings.Repeat("b", 2001)), bad: []string{"display_name", "headline", "bio"}},
		"invalid encoding": {hl: s("\xff"), bad: []string{"headline"}},
	} {
		c, err := user.ParseProfileChanges(tc.dn, tc.hl, tc.bio)
		f := fields(err)
		if len(f) != len(tc.bad) {
			t.Errorf("%s: %v", name, err)
		}
		for _, b := range tc.bad {
			if !f[b] {
				t.Errorf("%s: %s not reported", name, b)
			}
		}
		if err == nil && c.Empty() != (tc.dn == nil && tc.hl == nil && tc.bio == nil) {
			t.Errorf("%s: Empty()", name)
		}
	}
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	u := user.User{DisplayName: "A", Headline: "H", Bio: "B", UpdatedAt: t0}
	if got := (user.ProfileChanges{}).Apply(u, t0.Add(time.Hour)); got != u {
		t.Fatal("an empty change moved something")
	}
	c, _ := user.ParseProfileChanges(nil, s(""), nil)
	got := c.Apply(u, t0.Add(time.Hour))
	if got.Headline != "" || got.DisplayName != "A" || got.Bio != "B" || !got.UpdatedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("apply: %+v", got)
	}
}

func TestParseSearchQuery(t *testing.T) {
	t.Parallel()
	for q, ok := range map[string]bool{"": true, "ada": true, strings.Repeat("é", 100): true, strings.Repeat("a", 101): false} {
		_, err := user.ParseSearchQuery(q)
		if ok != (err == nil) {
			t.Errorf("%d chars: %v", len(q), err)
		}
		if err != nil && (!errors.Is(err, errs.ErrBadRequest) || !fields(err)["q"]) {
			t.Errorf("must be a 400 naming q: %v", err)
		}
	}
}

func TestParseLogin(t *testing.T) {
	t.Parallel()
	l, err := user.ParseLogin("Ada_L")
	if un, ok := l.Username(); err != nil || !ok || un != "Ada_L" || l.Key() != "ada_l" {
		t.Fatalf("username login: %v %q %v %q", err, un, ok, l.Key())
	}
	if _, ok := l.Email(); ok {
		t.Fatal("a username is not an email")
	}
	l, _ = user.ParseLogin("Ada@Example.com")
	if e, ok := l.Email(); !ok || e != "Ada@Example.com" || l.Key() != e.Key() {
		t.Fatalf("email login: %q %v %q", e, ok, l.Key())
	}
	if _, ok := l.Username(); ok {
		t.Fatal("an email is not a username")
	}
	// Names no account, but is not malformed input: no error, no lookup.
	l, err = user.ParseLogin("no such@name")
	if _, ok := l.Email(); err != nil || ok {
		t.Fatalf("invalid address: %v %v", err, ok)
	}
	for _, bad := range []string{"", strings.Repeat("a", user.MaxEmail+1), "ada\x00"} {
		if _, err := user.ParseLogin(bad); !errors.Is(err, errs.ErrInvalid) || !fields(err)["login"] {
			t.Errorf("ParseLogin(%q) = %v, want a field error on login", bad, err)
		}
	}
}

func TestUserHelpers(t *testing.T) {
	t.Parallel()
	now := time.Now()
	u := user.User{Username: "ada", DisplayName: "Ada"}
	if u.EmailVerified() {
		t.Fatal("verified without a time")
	}
	u.EmailVerifiedAt = &now
	if !u.EmailVerified() || u.Summary().Username != "ada" || u.Summary().DisplayName != "Ada" {
		t.Fatal("helpers")
	}
}
