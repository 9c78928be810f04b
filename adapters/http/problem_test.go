package http

import (
	"fmt"
	"net/http"
	"testing"

	"agora/domain/errs"
)

// A 422 has one detail, the one clients see from errs.Invalid, whether the
// error carries field errors or is a bare ErrInvalid without a message.
func TestUnprocessableHasOneWording(t *testing.T) {
	t.Parallel()
	s := &Server{}
	const want = "the request breaks one or more rules"
	for _, err := range []error{
		errs.Invalid(errs.FieldError{Field: "username", Message: "is required"}),
		fmt.Errorf("wrapped: %w", errs.ErrInvalid),
		errs.New(errs.ErrInvalid, ""),
	} {
		status, detail, _ := s.classify(err, nil)
		if status != http.StatusUnprocessableEntity || detail != want {
			t.Errorf("%v: %d %q, want 422 %q", err, status, detail, want)
		}
	}
}
