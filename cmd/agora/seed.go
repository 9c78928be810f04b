package main

import (
	"context"
	"fmt"
	"io"
)

// seed loads bulk demo and benchmark data (issue: performance).
func seed(_ context.Context, _ []string, _ map[string]string, _ io.Writer) error {
	return fmt.Errorf("%w: seed is not built yet", errUsage)
}
