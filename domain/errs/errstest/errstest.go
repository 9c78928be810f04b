// Package errstest holds the two error assertions every test of a use case
// or a store contract makes, so that both areas write them one way.
package errstest

import (
	"errors"
	"testing"
)

// Must fails the test on an error.
func Must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// WantKind fails the test unless err is of the given kind (errors.Is).
func WantKind(t *testing.T, err, kind error) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("err = %v, want %v", err, kind)
	}
}
