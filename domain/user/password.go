package user

import (
	"unicode/utf8"

	"agora/domain/errs"
	"agora/domain/text"
)

// Password lengths of the contract, in characters.
const (
	MinPassword = 8
	MaxPassword = 128
)

// Password is a plain-text password that obeys the length rule. It prints as
// a placeholder, so that a stray log line or %v cannot leak it; Reveal gives
// the text to the one place that needs it (the hasher).
type Password struct{ text string }

// ParsePassword checks the rule; field is the JSON name reported on failure
// ("password", "new_password"). A password is text like any other: valid
// UTF-8 and no control characters (a password manager never makes them, and
// a NUL is cut off by some hashing libraries).
func ParsePassword(field, s string) (Password, error) {
	if p := controlProblem(s); p != "" {
		return Password{}, errs.Invalid(errs.FieldError{Field: field, Message: p})
	}
	if n := utf8.RuneCountInString(s); n < MinPassword || n > MaxPassword {
		return Password{}, errs.Invalid(errs.FieldError{Field: field, Message: msgPassword})
	}
	return Password{text: s}, nil
}

// controlProblem is text.Problem without the blank rule: a password of
// spaces is weak but not malformed.
func controlProblem(s string) string {
	if p := text.Problem(s, text.SingleLine); p != text.MsgBlank {
		return p
	}
	return ""
}

// CandidatePassword wraps a password typed to sign in or to confirm a change.
// It is not held to the length rule (an old account may predate it), only
// to the maximum, which bounds the hashing work.
func CandidatePassword(field, s string) (Password, error) {
	if p := controlProblem(s); p != "" {
		return Password{}, errs.Invalid(errs.FieldError{Field: field, Message: p})
	}
	if s == "" || utf8.RuneCountInString(s) > MaxPassword {
		return Password{}, errs.Invalid(errs.FieldError{Field: field, Message: "must be 1-128 characters"})
	}
	return Password{text: s}, nil
}

// Reveal returns the plain text, for hashing only.
func (p Password) Reveal() string { return p.text }

// String hides the password from fmt and loggers.
func (p Password) String() string { return "[REDACTED]" }

// GoString hides the password from %#v.
func (p Password) GoString() string { return "user.Password{[REDACTED]}" }

// MarshalText hides the password from encoders (JSON, zap's reflection).
func (p Password) MarshalText() ([]byte, error) { return []byte("[REDACTED]"), nil }
