package block

import (
	"errors"
	"testing"

	"github.com/google/uuid"

	"agora/domain/errs"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	a, b := uuid.New(), uuid.New()
	if err := Check(a, b); err != nil {
		t.Fatalf("blocking someone else: %v", err)
	}
	if err := Check(a, a); !errors.Is(err, errs.ErrInvalid) {
		t.Fatalf("blocking yourself: %v", err)
	}
}
