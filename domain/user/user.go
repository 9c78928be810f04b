// Package user holds the account: who a user is (username, email, display
// name, headline, bio) and the rules each of those values obeys. Raw input
// becomes these values through the Parse functions, which report every broken
// rule at once as field errors named after the API's JSON fields.
package user

import (
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"agora/domain/errs"
	"agora/domain/text"
)

// Limits of the contract's validation rules.
const (
	MinUsername    = 3
	MaxUsername    = 30
	MaxEmail       = 254
	MaxDisplayName = 100
	MaxHeadline    = 200
	MaxBio         = 2000
)

// User is an account as stored. PasswordHash is an encoded hash (PHC string),
// never the password; it never leaves the identity service.
type User struct {
	ID              uuid.UUID
	Username        Username
	Email           Email
	EmailVerifiedAt *time.Time
	PasswordHash    string
	DisplayName     string
	Headline        string
	Bio             string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// EmailVerified reports whether the address was confirmed.
func (u User) EmailVerified() bool { return u.EmailVerifiedAt != nil }

// Summary is how a user appears in other people's lists.
func (u User) Summary() Summary {
	return Summary{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName}
}

// Summary is a user as others see them in lists.
type Summary struct {
	ID          uuid.UUID
	Username    Username
	DisplayName string
}

// ErrNotFound is the one answer for a user who is absent, hidden by a block,
// or named by something that cannot be a username.
var ErrNotFound = errs.New(errs.ErrNotFound, "The user does not exist.")

// Username is 3-30 characters of A-Z, a-z, 0-9 and _. The spelling given at
// registration is kept; comparisons and lookups ignore case (Key).
type Username string

var usernamePattern = regexp.MustCompile(`^[A-Za-z0-9_]{3,30}$`)

// Message texts shared by the parsers (and so by the API's errors[].message).
const (
	msgUsername    = "must be 3-30 characters of A-Z, a-z, 0-9 and _"
	msgEmail       = "must be a valid email address (name@example.com, no invisible characters) of at most 254 characters"
	msgPassword    = "must be 8-128 characters" //nolint:gosec // a rule, not a credential
	msgDisplayName = "must be 1-100 characters"
	msgHeadline    = "must be at most 200 characters"
	msgBio         = "must be at most 2000 characters"
)

// IsUsername reports whether s obeys the username rule: what a lookup by
// name asks to answer "no such user" without a query, from the one rule
// ParseUsername enforces rather than a copy of it.
func IsUsername(s string) bool { return usernamePattern.MatchString(s) }

// ParseUsername checks the username rule.
func ParseUsername(s string) (Username, error) {
	if !IsUsername(s) {
		return "", errs.Invalid(errs.FieldError{Field: "username", Message: msgUsername})
	}
	return Username(s), nil
}

// Key is the case-insensitive form under which a username is unique.
func (u Username) Key() string { return strings.ToLower(string(u)) }

func (u Username) String() string { return string(u) }

// Email is a single address (no display name) of at most 254 characters.
// Uniqueness and lookup ignore case (Key); the spelling given is kept.
type Email string

// ParseEmail checks the email rule. The address must be nothing but an
// address: "Ada <ada@example.com>" or surrounding spaces are refused. It
// holds no control, format or invisible character anywhere (a bidi
// override such as U+202E would show a different address than the one
// mail goes to, and reaches the To: header as it is), and its domain is a
// dotted host name: a dotless domain ("a@b", "root@localhost") or an
// address literal ("a@[127.0.0.1]") reaches no mailbox on the public
// Internet (ICANN forbids dotless top-level domains), so it is a typo or
// an attempt to make the server mail itself.
func ParseEmail(s string) (Email, error) {
	bad := errs.Invalid(errs.FieldError{Field: "email", Message: msgEmail})
	if s == "" || len(s) > MaxEmail || text.Problem(s, text.SingleLine) != "" ||
		strings.IndexFunc(s, text.IsInvisible) >= 0 {
		return "", bad
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", bad
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || !dottedDomain(s[at+1:]) {
		return "", bad
	}
	return Email(s), nil
}

// dottedDomain reports a host name of at least two non-empty labels.
func dottedDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(labels) < 2 || strings.ContainsAny(d, "[]") {
		return false
	}
	for _, l := range labels {
		if l == "" {
			return false
		}
	}
	return true
}

// Key is the case-insensitive form under which an address is unique.
func (e Email) Key() string { return strings.ToLower(string(e)) }

func (e Email) String() string { return string(e) }

// Login is what a sign-in names its account by: an email address when it
// holds '@' (usernames never do), else a username. A login that obeys
// neither rule is kept (it names no account, and a sign-in with it is
// refused like any unknown login, not as malformed input).
type Login struct {
	raw   string
	email bool
}

// ParseLogin checks a login: present, at most MaxEmail characters of clean
// text.
func ParseLogin(s string) (Login, error) {
	if p := text.RequiredProblem(s, MaxEmail); p != "" {
		return Login{}, errs.Invalid(errs.FieldError{Field: "login", Message: p})
	}
	return Login{raw: s, email: strings.Contains(s, "@")}, nil
}

// Email is the address the login gives, when it gives a valid one.
func (l Login) Email() (Email, bool) {
	if !l.email {
		return "", false
	}
	e, err := ParseEmail(l.raw)
	return e, err == nil
}

// Username is the username the login gives, when it gives a valid one.
func (l Login) Username() (Username, bool) {
	if l.email || !IsUsername(l.raw) {
		return "", false
	}
	return Username(l.raw), true
}

// Key is the case-insensitive form of the login: the same rule as
// Username.Key and Email.Key, so that any spelling of one name is one key.
func (l Login) Key() string { return strings.ToLower(l.raw) }

func chars(s string) int { return utf8.RuneCountInString(s) }

// checkDisplayName applies the name rule and returns the name to store: white
// space around it is trimmed; what is left must be 1-100 characters with no
// control character, not only invisible characters, and no character that
// hides text or reverses its direction (text.HasHidden), so that a name
// always shows what it is.
func checkDisplayName(f *errs.Fields, s string) string {
	s = text.TrimSpace(s)
	if p := text.Problem(s, text.SingleLine); p != "" {
		f.Add("display_name", p)
		return s
	}
	switch n := chars(s); {
	case n < 1 || n > MaxDisplayName:
		f.Add("display_name", msgDisplayName)
	case text.HasHidden(s):
		f.Add("display_name", text.MsgHidden)
	}
	return s
}

// checkHeadline trims the one-line headline; "" clears it, but a value
// given must show something (only white space, NBSP, U+3000 or invisible
// characters is 422, as for every other text field: the rule is checked
// before trimming, which would turn it into ""), and it holds no control
// character.
func checkHeadline(f *errs.Fields, s string) string {
	p := text.Problem(s, text.SingleLine)
	s = text.TrimSpace(s)
	if p != "" {
		f.Add("headline", p)
	} else if chars(s) > MaxHeadline {
		f.Add("headline", msgHeadline)
	}
	return s
}

// checkBio keeps the bio as written (line breaks and tabs are allowed); it
// may be empty, else it must show something.
func checkBio(f *errs.Fields, s string) {
	if p := text.Problem(s, text.MultiLine); p != "" {
		f.Add("bio", p)
	} else if chars(s) > MaxBio {
		f.Add("bio", msgBio)
	}
}

// Registration is a valid request for a new account.
type Registration struct {
	Username    Username
	Email       Email
	Password    Password
	DisplayName string
}

// ParseRegistration checks every field and reports all broken rules at once.
// displayName nil means "not given": it defaults to the username.
func ParseRegistration(username, email, password string, displayName *string) (Registration, error) {
	var f errs.Fields
	var r Registration
	var err error
	if r.Username, err = ParseUsername(username); err != nil {
		f = append(f, errs.FieldsOf(err)...)
	}
	if r.Email, err = ParseEmail(email); err != nil {
		f = append(f, errs.FieldsOf(err)...)
	}
	if r.Password, err = ParsePassword("password", password); err != nil {
		f = append(f, errs.FieldsOf(err)...)
	}
	r.DisplayName = username
	if displayName != nil {
		r.DisplayName = checkDisplayName(&f, *displayName)
	}
	if err := f.Err(); err != nil {
		return Registration{}, err
	}
	return r, nil
}

// ProfileChanges is a valid partial update of the caller's profile: a nil
// field stays as it is.
type ProfileChanges struct {
	DisplayName *string
	Headline    *string
	Bio         *string
}

// Empty reports whether the update changes nothing.
func (c ProfileChanges) Empty() bool {
	return c.DisplayName == nil && c.Headline == nil && c.Bio == nil
}

// ParseProfileChanges checks the fields that are present; display name and
// headline come back trimmed.
func ParseProfileChanges(displayName, headline, bio *string) (ProfileChanges, error) {
	var f errs.Fields
	if displayName != nil {
		v := checkDisplayName(&f, *displayName)
		displayName = &v
	}
	if headline != nil {
		v := checkHeadline(&f, *headline)
		headline = &v
	}
	if bio != nil {
		checkBio(&f, *bio)
	}
	if err := f.Err(); err != nil {
		return ProfileChanges{}, err
	}
	return ProfileChanges{DisplayName: displayName, Headline: headline, Bio: bio}, nil
}

// Apply returns u with the changes made; updated_at moves only when
// something was asked to change.
func (c ProfileChanges) Apply(u User, now time.Time) User {
	if c.Empty() {
		return u
	}
	if c.DisplayName != nil {
		u.DisplayName = *c.DisplayName
	}
	if c.Headline != nil {
		u.Headline = *c.Headline
	}
	if c.Bio != nil {
		u.Bio = *c.Bio
	}
	u.UpdatedAt = now
	return u
}

// MaxSearchQuery is the longest prefix GET /users?q= accepts.
const MaxSearchQuery = 100

// SearchQuery is a checked directory search prefix; empty lists everyone.
type SearchQuery string

// ParseSearchQuery checks a directory search prefix (0-100 characters of
// valid UTF-8 with no control character; empty lists everyone). It is a
// query parameter, so a bad one is a bad request.
func ParseSearchQuery(q string) (SearchQuery, error) {
	msg := "must be at most " + strconv.Itoa(MaxSearchQuery) + " characters"
	if p := text.Problem(q, text.SingleLine); p != "" && p != text.MsgBlank {
		msg = p
	} else if chars(q) <= MaxSearchQuery {
		return SearchQuery(q), nil
	}
	return "", errs.BadParameter("q", msg, "")
}
