package user_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"agora/domain/errs"
	"agora/domain/text"
	"agora/domain/user"
)

var usernameRule = regexp.MustCompile(`^[A-Za-z0-9_]{3,30}$`)

// FuzzParseRegistration: any input either parses into values that keep the
// contract's rules, or fails as ErrInvalid with at least one field error.
func FuzzParseRegistration(f *testing.F) {
	f.Add("alice", "alice@example.com", "correct horse", "Alice", true)
	f.Add("a", "not-an-email", "short", "", true)
	f.Add("ALICE_42", "A@B.CO", strings.Repeat("p", 128), strings.Repeat("d", 101), false)
	f.Add("carol", "carol@example.com", "pass\x00word", "\u202eevil", true)
	f.Add("bob\x00", "bob@exa\nmple.com", "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8", "  ", true)
	f.Fuzz(func(t *testing.T, username, email, password, displayName string, hasDisplayName bool) {
		var dn *string
		if hasDisplayName {
			dn = &displayName
		}
		r, err := user.ParseRegistration(username, email, password, dn)
		if err != nil {
			if !errors.Is(err, errs.ErrInvalid) || len(errs.FieldsOf(err)) == 0 {
				t.Fatalf("error without field errors: %v", err)
			}
			return
		}
		if !usernameRule.MatchString(r.Username.String()) {
			t.Fatalf("accepted username %q", r.Username)
		}
		if n := len(r.Email.String()); n > 254 || !strings.Contains(r.Email.String(), "@") {
			t.Fatalf("accepted email %q", r.Email)
		}
		if n := utf8.RuneCountInString(password); n < 8 || n > 128 || text.HasControl(password, text.SingleLine) {
			t.Fatalf("accepted a password of %d characters", n)
		}
		if n := utf8.RuneCountInString(r.DisplayName); n < 1 || n > 100 || text.Problem(r.DisplayName, text.SingleLine) != "" ||
			text.HasHidden(r.DisplayName) || text.TrimSpace(r.DisplayName) != r.DisplayName {
			t.Fatalf("accepted display name %q", r.DisplayName)
		}
	})
}
