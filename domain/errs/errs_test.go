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
