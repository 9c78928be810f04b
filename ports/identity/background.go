package identity

import (
	"context"
	"errors"
	"sync"
	"time"
)

// background runs email jobs off the request path, each with its own
// deadline, at most max at a time; a job beyond that is dropped and
// reported rather than queued without bound.
type background struct {
	slots   chan struct{}
	timeout time.Duration
	onError func(string, error)
	wg      sync.WaitGroup
}

var errMailBacklog = errors.New("too many emails pending; job dropped")

func newBackground(maxPending int, timeout time.Duration, onError func(string, error)) *background {
	return &background{slots: make(chan struct{}, maxPending), timeout: timeout, onError: onError}
}

func (b *background) submit(job func(context.Context) error) {
	select {
	case b.slots <- struct{}{}:
	default:
		b.onError("email job dropped", errMailBacklog)
		return
	}
	b.wg.Add(1)
	go func() {
		defer func() { <-b.slots; b.wg.Done() }()
		ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
		defer cancel()
		if err := job(ctx); err != nil {
			b.onError("email job failed", err)
		}
	}()
}

// wait blocks until every job has finished or ctx ends.
func (b *background) wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { b.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
