package http

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/throttled/throttled/v2"
	"github.com/throttled/throttled/v2/store/memstore"
	"go.uber.org/zap"
)

// Limit names one budget.
type Limit string

// The budgets. Login is limited twice, per client IP and per account (keyed
// by identity.Service.LoginBudgetKey, one key whether the login is the
// username or the email), so neither one address nor one targeted account
// can be hammered.
const (
	LimitGeneral       Limit = "general"
	LimitLoginIP       Limit = "login_ip"
	LimitLoginName     Limit = "login_name"
	LimitRegister      Limit = "register"
	LimitRefresh       Limit = "refresh"
	LimitPasswordReset Limit = "password_reset"
)

// RateLimitConfig sets the general budget; the auth budgets follow the contract.
type RateLimitConfig struct {
	GeneralPerSecond int
	GeneralBurst     int
	// MaxKeys bounds the in-memory store (least recently used keys go first),
	// so a flood of distinct addresses cannot grow memory without limit.
	MaxKeys int
	// Store replaces the in-memory store (e.g. Redis, shared by replicas).
	Store throttled.GCRAStoreCtx
}

// RateLimiter holds one GCRA (token-bucket equivalent) limiter per budget.
type RateLimiter struct {
	limiters map[Limit]*throttled.GCRARateLimiterCtx
}

// NewRateLimiter builds the budgets over one store.
func NewRateLimiter(cfg RateLimitConfig) (*RateLimiter, error) {
	if cfg.GeneralPerSecond <= 0 || cfg.GeneralBurst <= 0 {
		return nil, errors.New("rate limit: general rate and burst must be positive")
	}
	store := cfg.Store
	if store == nil {
		if cfg.MaxKeys <= 0 {
			cfg.MaxKeys = 100_000
		}
		var err error
		if store, err = memstore.NewCtx(cfg.MaxKeys); err != nil {
			return nil, err
		}
	}
	quotas := map[Limit]throttled.RateQuota{
		LimitGeneral: {MaxRate: throttled.PerSec(cfg.GeneralPerSecond), MaxBurst: cfg.GeneralBurst - 1},
		// At most 5 attempts in any minute: a burst of 5, then one more a minute.
		LimitLoginIP:   {MaxRate: throttled.PerMin(1), MaxBurst: 4},
		LimitLoginName: {MaxRate: throttled.PerMin(1), MaxBurst: 4},
		// A household or office behind one address may register a few accounts.
		LimitRegister:      {MaxRate: throttled.PerHour(10), MaxBurst: 9},
		LimitRefresh:       {MaxRate: throttled.PerMin(30), MaxBurst: 19},
		LimitPasswordReset: {MaxRate: throttled.PerMin(1), MaxBurst: 4},
	}
	rl := &RateLimiter{limiters: map[Limit]*throttled.GCRARateLimiterCtx{}}
	for name, q := range quotas {
		l, err := throttled.NewGCRARateLimiterCtx(prefixedStore{store, string(name) + ":"}, q)
		if err != nil {
			return nil, fmt.Errorf("rate limit %s: %w", name, err)
		}
		rl.limiters[name] = l
	}
	return rl, nil
}

// rateLimited is a 429 with the time after which a retry can succeed.
type rateLimited struct{ retryAfter time.Duration }

func (e *rateLimited) Error() string        { return "rate limited" }
func (e *rateLimited) Is(target error) bool { return target == errTooManyRequests }

// retryAfterHeader rounds up to whole seconds, at least 1.
func (e *rateLimited) retryAfterHeader() string {
	return strconv.Itoa(max(1, int(math.Ceil(e.retryAfter.Seconds()))))
}

// allow spends one unit of the budget for key. A store failure lets the
// request through (and is logged): limits protect the service, they must
// not take it down.
func (s *Server) allow(ctx context.Context, limit Limit, key string) error {
	if s.opts.RateLimiter == nil {
		return nil
	}
	limited, res, err := s.opts.RateLimiter.limiters[limit].RateLimitCtx(ctx, key, 1)
	if err != nil {
		s.log.Warn("rate limit store failed", zap.String("limit", string(limit)), zap.Error(err))
		return nil
	}
	if limited {
		return &rateLimited{retryAfter: res.RetryAfter}
	}
	return nil
}

// rateLimit applies the general per-client budget.
func (s *Server) rateLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return s.limitIP(LimitGeneral)(next)
}

// limitIP spends one unit of the limit's budget for the client's address
// before the handler runs (before its body is read).
func (s *Server) limitIP(limit Limit) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := s.allow(c.Request().Context(), limit, c.RealIP()); err != nil {
				return err
			}
			return next(c)
		}
	}
}

// prefixedStore namespaces one budget's keys in a shared store.
type prefixedStore struct {
	throttled.GCRAStoreCtx
	prefix string
}

func (p prefixedStore) GetWithTime(ctx context.Context, key string) (int64, time.Time, error) {
	return p.GCRAStoreCtx.GetWithTime(ctx, p.prefix+key)
}

func (p prefixedStore) SetIfNotExistsWithTTL(ctx context.Context, key string, value int64, ttl time.Duration) (bool, error) {
	return p.GCRAStoreCtx.SetIfNotExistsWithTTL(ctx, p.prefix+key, value, ttl)
}

func (p prefixedStore) CompareAndSwapWithTTL(ctx context.Context, key string, old, value int64, ttl time.Duration) (bool, error) {
	return p.GCRAStoreCtx.CompareAndSwapWithTTL(ctx, p.prefix+key, old, value, ttl)
}
