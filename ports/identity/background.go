package identity

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"
)

// background runs email jobs off the request path, each with its own
// deadline, at most max at a time; a job beyond that is dropped and
// reported rather than queued without bound. A job starts after a short
// random delay, so that its work (a database write, an SMTP dial) never
// competes with the response of the request that asked for it: a request
// for a known address must not be measurably slower than for an unknown one.
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
		time.Sleep(startDelay())
		ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
		defer cancel()
		if err := job(ctx); err != nil {
			b.onError("email job failed", err)
		}
	}()
}

// startDelay is 5-50 ms, drawn anew for every job.
func startDelay() time.Duration {
	return 5*time.Millisecond + rand.N(45*time.Millisecond) //nolint:gosec // jitter, not a secret
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
