// Package errs defines the few kinds of failure that the domain and its ports
// report, so that every adapter can react to the kind (errors.Is) without
// knowing where the error came from. The HTTP adapter turns each kind into one
// status code in exactly one place.
package errs

import (
	"errors"
	"strings"
)

// The kinds. Compare with errors.Is; never with ==.
var (
	// ErrInvalid: well-formed input that breaks a rule (422). Carries field errors.
	ErrInvalid = errors.New("invalid")
	// ErrBadRequest: malformed input, such as an undecodable cursor (400).
	ErrBadRequest = errors.New("bad request")
	// ErrNotFound: absent, or not visible to the caller (404).
	ErrNotFound = errors.New("not found")
	// ErrConflict: the request clashes with the current state (409).
	ErrConflict = errors.New("conflict")
	// ErrForbidden: authenticated but not allowed (403).
	ErrForbidden = errors.New("forbidden")
	// ErrUnauthenticated: missing, invalid, expired or revoked credentials (401).
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrUnavailable: a dependency such as the database is down (503).
	ErrUnavailable = errors.New("unavailable")
)

// FieldError names one input field and what is wrong with it.
type FieldError struct {
	Field   string
	Message string
}

// Error is a failure of a known kind with a message that is safe to show to
// the caller, optional field errors, and an optional cause that is only logged.
type Error struct {
	Kind    error
	Message string
	Fields  []FieldError
	Cause   error
	// sentinel is the error WithCause copied, so that errors.Is still
	// matches it (identity.ErrUsernameTaken, connection.ErrNotPending).
	sentinel error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind.Error())
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	for _, f := range e.Fields {
		b.WriteString("; ")
		b.WriteString(f.Field)
		b.WriteString(": ")
		b.WriteString(f.Message)
	}
	if e.Cause != nil {
		b.WriteString(": ")
		b.WriteString(e.Cause.Error())
	}
	return b.String()
}

// Unwrap exposes both the kind and the cause to errors.Is and errors.As.
func (e *Error) Unwrap() []error {
	out := []error{e.Kind}
	if e.sentinel != nil {
		out = append(out, e.sentinel)
	}
	if e.Cause != nil {
		out = append(out, e.Cause)
	}
	return out
}

// New returns an error of the given kind with a caller-safe message.
func New(kind error, message string) error {
	return &Error{Kind: kind, Message: message}
}

// Wrap returns an error of the given kind whose cause is logged but never shown.
func Wrap(kind error, message string, cause error) error {
	return &Error{Kind: kind, Message: message, Cause: cause}
}

// WithCause returns sentinel (an *Error made by New) again with a cause
// attached: the same kind and caller-safe message, the cause only logged,
// and errors.Is still matches the sentinel. Anything else comes back as it
// is.
func WithCause(sentinel, cause error) error {
	var e *Error
	if !errors.As(sentinel, &e) {
		return sentinel
	}
	return &Error{Kind: e.Kind, Message: e.Message, Fields: e.Fields, Cause: cause, sentinel: sentinel}
}

// BadParameter is a malformed query parameter (400): one field error on
// field, and detail, the whole sentence the problem's detail shows. When
// detail is "" it is the field error as a sentence ("q must be ...").
func BadParameter(field, message, detail string) error {
	if detail == "" {
		detail = field + " " + message + "."
	}
	return &Error{Kind: ErrBadRequest, Message: detail, Fields: []FieldError{{Field: field, Message: message}}}
}

// Invalid returns an ErrInvalid error carrying the given field errors, or nil
// when there are none, so that collected validation results can be returned as is.
func Invalid(fields ...FieldError) error {
	if len(fields) == 0 {
		return nil
	}
	return &Error{Kind: ErrInvalid, Message: "the request breaks one or more rules", Fields: fields}
}

// Fields collects field errors; its Err method returns nil when it is empty.
// It lets a constructor check every field before reporting all problems at once.
type Fields []FieldError

// Add records a problem with a field.
func (f *Fields) Add(field, message string) {
	*f = append(*f, FieldError{Field: field, Message: message})
}

// Err returns the collected problems as an ErrInvalid error, or nil.
func (f Fields) Err() error {
	return Invalid(f...)
}

// FieldsOf returns the field errors carried by err, if any.
func FieldsOf(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// MessageOf returns the caller-safe message carried by err, or "".
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return ""
}
