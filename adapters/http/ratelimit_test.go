package http

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestLoginBudgetIsFivePerMinute(t *testing.T) {
	t.Parallel()
	rl, err := NewRateLimiter(RateLimitConfig{GeneralPerSecond: 10, GeneralBurst: 10})
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{opts: Options{RateLimiter: rl}}
	ctx := context.Background()
	for i := 1; i <= 5; i++ {
		if err := s.allow(ctx, LimitLoginIP, "198.51.100.7"); err != nil {
			t.Fatalf("attempt %d refused: %v", i, err)
		}
	}
	err = s.allow(ctx, LimitLoginIP, "198.51.100.7")
	var rlErr *rateLimited
	if !errors.As(err, &rlErr) || !errors.Is(err, errTooManyRequests) {
		t.Fatalf("6th attempt: %v, want rate limited", err)
	}
	if h := rlErr.retryAfterHeader(); h == "0" || h == "" {
		t.Fatalf("Retry-After %q", h)
	}
	// Budgets are separate: the same key in another budget is untouched.
	if err := s.allow(ctx, LimitLoginName, "198.51.100.7"); err != nil {
		t.Fatalf("login-name budget shares the IP budget: %v", err)
	}
}

// The in-memory store forgets the least recently used keys, so a flood of
// distinct addresses cannot grow memory without bound.
func TestLimiterMemoryIsBounded(t *testing.T) {
	t.Parallel()
	rl, err := NewRateLimiter(RateLimitConfig{GeneralPerSecond: 1, GeneralBurst: 1, MaxKeys: 1000})
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{opts: Options{RateLimiter: rl}}
	ctx := context.Background()
	if err := s.allow(ctx, LimitGeneral, "first"); err != nil {
		t.Fatal(err)
	}
	if err := s.allow(ctx, LimitGeneral, "first"); err == nil {
		t.Fatal("budget of 1 allowed 2")
	}
	for i := 0; i < 20_000; i++ {
		_ = s.allow(ctx, LimitGeneral, fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
	}
	if err := s.allow(ctx, LimitGeneral, "first"); err != nil {
		t.Fatalf("the oldest key was not evicted after 20,000 newer ones: %v", err)
	}
}

func TestRateLimiterRejectsBadConfig(t *testing.T) {
	t.Parallel()
	for _, cfg := range []RateLimitConfig{{GeneralPerSecond: 0, GeneralBurst: 1}, {GeneralPerSecond: 1, GeneralBurst: 0}} {
		if _, err := NewRateLimiter(cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}
