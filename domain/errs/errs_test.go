package errs_test

import (
	"errors"
	"fmt"
	"testing"

	"agora/domain/errs"
)

func TestKindsSurviveWrapping(t *testing.T) {
	t.Parallel()
	cause := errors.New("driver: connection refused")
	err := fmt.Errorf("load user: %w", errs.Wrap(errs.ErrUnavailable, "database unavailable", cause))
	if !errors.Is(err, errs.ErrUnavailable) {
		t.Fatal("kind lost through wrapping")
	}
	if !errors.Is(err, cause) {
		t.Fatal("cause lost through wrapping")
	}
	if errors.Is(err, errs.ErrNotFound) {
		t.Fatal("matched a kind it is not")
	}
	if got := errs.MessageOf(err); got != "database unavailable" {
		t.Fatalf("MessageOf = %q", got)
	}
}

func TestFieldsCollectsEveryProblem(t *testing.T) {
	t.Parallel()
	var f errs.Fields
	if f.Err() != nil {
		t.Fatal("empty Fields must be no error")
	}
	f.Add("username", "too short")
	f.Add("email", "not an address")
	err := f.Err()
	if !errors.Is(err, errs.ErrInvalid) {
		t.Fatalf("want ErrInvalid, got %v", err)
	}
	got := errs.FieldsOf(err)
	if len(got) != 2 || got[0].Field != "username" || got[1].Field != "email" {
		t.Fatalf("fields = %+v", got)
	}
	if want := "invalid: the request breaks one or more rules; username: too short; email: not an address"; err.Error() != want {
		t.Fatalf("Error() = %q", err.Error())
	}
}

func TestInvalidWithoutFieldsIsNil(t *testing.T) {
	t.Parallel()
	if errs.Invalid() != nil {
		t.Fatal("Invalid() with no fields must be nil")
	}
	if errs.FieldsOf(errors.New("plain")) != nil {
		t.Fatal("plain errors carry no fields")
	}
}

func TestWithCauseKeepsKindAndMessage(t *testing.T) {
	t.Parallel()
	sentinel := errs.New(errs.ErrUnauthenticated, "no entry")
	cause := errors.New("token expired")
	err := errs.WithCause(sentinel, cause)
	if !errors.Is(err, errs.ErrUnauthenticated) || !errors.Is(err, cause) || errs.MessageOf(err) != "no entry" {
		t.Fatalf("WithCause = %v", err)
	}
	if !errors.Is(err, sentinel) || errors.Is(err, errs.New(errs.ErrUnauthenticated, "no entry")) {
		t.Fatal("WithCause must still match its own sentinel, and only it")
	}
	if got, want := err.Error(), "unauthenticated: no entry: token expired"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
	plain := errors.New("plain")
	if got := errs.WithCause(plain, cause); !errors.Is(got, plain) || errors.Is(got, cause) {
		t.Fatal("a non-*Error must come back as it is")
	}
}

func TestBadParameter(t *testing.T) {
	t.Parallel()
	err := errs.BadParameter("q", "must be short", "")
	if !errors.Is(err, errs.ErrBadRequest) || errs.MessageOf(err) != "q must be short." {
		t.Fatalf("BadParameter = %v", err)
	}
	if f := errs.FieldsOf(err); len(f) != 1 || f[0] != (errs.FieldError{Field: "q", Message: "must be short"}) {
		t.Fatalf("fields = %v", f)
	}
	if errs.MessageOf(errs.BadParameter("c", "bad", "c is not ours.")) != "c is not ours." {
		t.Fatal("detail ignored")
	}
}
