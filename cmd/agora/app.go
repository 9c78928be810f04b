package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
	goredisstore "github.com/throttled/throttled/v2/store/goredisstore.v9"
	"go.uber.org/zap"

	httpapi "agora/adapters/http"
	"agora/adapters/postgres"
	"agora/adapters/telemetry"
)

func buildInfo() telemetry.BuildInfo { return telemetry.ReadBuildInfo(version) }

// app is the wired service: every adapter built from the configuration and
// handed to the services, top to bottom.
type app struct {
	log      *zap.Logger
	purge    func(context.Context) (int64, error)
	pool     *pgxpool.Pool
	sessions *postgres.SessionCache
	api      *httpapi.Server
	closers  []func()
	internal http.Handler
}

func newApp(ctx context.Context, cfg config, log *zap.Logger, tracing *telemetry.Tracing) (*app, error) {
	if cfg.DatabaseURL == "" {
		return nil, errors.New("invalid configuration: DATABASE_URL: must be set")
	}
	metrics := telemetry.NewMetrics(buildInfo())

	pool, err := postgres.Open(ctx, cfg.DatabaseURL, postgres.PoolOptions{
		StatementTimeout: cfg.DBStatementTimeout,
		Tracer:           tracing.QueryTracer(),
	})
	if err != nil {
		return nil, err
	}
	a := &app{log: log, pool: pool}
	a.closers = append(a.closers, pool.Close)
	metrics.RegisterPool(pool)
	pools := dbPools{primary: pool}
	if cfg.DatabaseReadURL != "" {
		read, err := postgres.Open(ctx, cfg.DatabaseReadURL, postgres.PoolOptions{
			StatementTimeout: cfg.DBStatementTimeout,
			Tracer:           tracing.QueryTracer(),
			ApplicationName:  "agora-read",
		})
		if err != nil {
			a.close()
			return nil, fmt.Errorf("DATABASE_READ_URL: %w", err)
		}
		a.closers = append(a.closers, read.Close)
		metrics.RegisterPoolAs(read, "agora_db_read_pool")
		// Reads go to the replica only while its replay lag is within bounds.
		lag := postgres.NewReplicaLag(read, cfg.DatabaseReadMaxLag)
		lagCtx, stopLag := context.WithCancel(context.Background())
		a.closers = append(a.closers, stopLag)
		go lag.Run(lagCtx, cfg.DatabaseReadMaxLag/5)
		metrics.RegisterGaugeFunc("agora_db_read_replica_lag_seconds",
			"Replay lag of the read replica (DATABASE_READ_URL); -1 when it does not answer.", lag.Seconds)
		pools.read, pools.readUsable = read, lag.Usable
	}
	ready, err := postgres.NewReadiness(pool)
	if err != nil {
		a.close()
		return nil, err
	}

	store := identityStore(pools)
	// The session cache serves authenticated requests from memory while its
	// listener hears every revocation (adapters/postgres/sessions.go).
	sessions := store.SessionCache()
	listenCtx, stopListen := context.WithCancel(context.Background())
	go sessions.Listen(listenCtx, func(msg string, err error) { log.Warn(msg, zap.Error(err)) })
	a.closers = append(a.closers, func() { stopListen(); sessions.Wait() })
	a.sessions = sessions
	metrics.RegisterGaugeFunc("agora_auth_session_cache_listening",
		"1 while the session cache hears revocations and may answer from memory, 0 while every request is checked in the database.",
		func() float64 {
			if sessions.Listening() {
				return 1
			}
			return 0
		})
	metrics.RegisterCounterFunc("agora_auth_session_cache_hits_total",
		"Session checks of authenticated requests answered from memory instead of the database.",
		func() float64 { return float64(sessions.Hits()) })
	metrics.RegisterCounterFunc("agora_auth_session_cache_drops_total",
		"Listening connections of the session cache lost or failed; each empties the cache until it listens again.",
		func() float64 { return float64(sessions.Drops()) })
	identity, err := wireIdentity(cfg, store, log, metrics)
	if err != nil {
		a.close()
		return nil, err
	}
	a.purge = identity.Service.PurgeExpired
	// Closers run in reverse: queued mail (which may read the database)
	// finishes before the pool closes.
	a.closers = append(a.closers, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := identity.Service.Close(ctx); err != nil {
			log.Warn("background identity work unfinished at shutdown", zap.Error(err))
		}
	})
	social, err := wireSocial(socialStore(pools), metrics)
	if err != nil {
		a.close()
		return nil, err
	}

	limiter, err := a.rateLimiter(cfg)
	if err != nil {
		a.close()
		return nil, err
	}

	opts := httpapi.Options{
		Logger:          log,
		Metrics:         metrics,
		Tracer:          tracing.Tracer(),
		Propagator:      tracing.Propagator,
		Ready:           ready.Check,
		TrustedProxies:  cfg.TrustedProxies,
		RateLimiter:     limiter,
		RequestTimeout:  cfg.RequestTimeout,
		SeparateMetrics: cfg.MetricsAddr != "",
		Identity:        identity,
		Social:          social,
	}
	wireDocs(&opts)
	a.api, err = httpapi.New(opts)
	if err != nil {
		a.close()
		return nil, err
	}
	a.internal = a.api.InternalHandler()
	return a, nil
}

// rateLimiter builds the limits over memory (one host) or Redis (replicas
// share one budget), or returns nil when they are switched off.
func (a *app) rateLimiter(cfg config) (*httpapi.RateLimiter, error) {
	if !cfg.RateLimitEnabled {
		a.log.Warn("rate limits are off (RATE_LIMIT_ENABLED=false)")
		return nil, nil
	}
	rl := httpapi.RateLimitConfig{
		GeneralPerSecond: cfg.RateLimitPerSecond,
		GeneralBurst:     cfg.RateLimitBurst,
		MaxKeys:          cfg.RateLimitMaxKeys,
	}
	if cfg.RateLimitStore == "redis" {
		opts, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return nil, fmt.Errorf("REDIS_URL: %w", err)
		}
		// A slow Redis must not slow the API: the limiter lets requests
		// through when its store fails.
		opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout = time.Second, 250*time.Millisecond, 250*time.Millisecond
		client := redis.NewClient(opts)
		a.closers = append(a.closers, func() { _ = client.Close() })
		if rl.Store, err = goredisstore.NewCtx(client, cfg.RedisKeyPrefix+"ratelimit:"); err != nil {
			return nil, err
		}
	}
	return httpapi.NewRateLimiter(rl)
}

// dbPools are the primary and, when DATABASE_READ_URL is set, a streaming
// replica for the reads that tolerate lag.
type dbPools struct {
	primary *pgxpool.Pool
	read    *pgxpool.Pool
	// readUsable says whether the replica is close enough to read from now.
	readUsable func() bool
}

func (a *app) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
}

// serve runs the API until ctx is cancelled (SIGTERM, SIGINT), then stops
// accepting, lets in-flight requests finish within SHUTDOWN_TIMEOUT, closes
// the pool and returns nil, so the process exits 0.
func serve(ctx context.Context, env map[string]string, stdout io.Writer) error {
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	// The memory budget is 64 MiB (docs/benchmarks.md). Under 64 busy
	// connections the default pacing (collect at twice the live heap) took
	// the process to 71-75 MB in `make bench` while the hasher's 7 MiB
	// workspaces lived on the Go heap; they are mapped outside it now, and
	// with this pacing the runs peak at 55-57 MB (the default was not
	// measured since). Collecting at 1.5x costs a few percent of CPU. GOGC,
	// when set, still decides.
	if _, set := env["GOGC"]; !set {
		debug.SetGCPercent(50)
	}
	log, err := telemetry.NewLogger(cfg.LogLevel, stdout)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()

	tracing, err := telemetry.NewTracing(ctx, cfg.OTel, buildInfo())
	if err != nil {
		return err
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := tracing.Shutdown(ctx); err != nil {
			log.Warn("trace flush failed", zap.Error(err))
		}
	}()

	// Every core may hash a password at once, on threads of the lowest
	// priority (adapters/password). Each running hash holds a Go processor,
	// so there are that many more: request goroutines always find one, and
	// the kernel gives their threads the cores first. The pool is sized by
	// cores, before the raise (newApp).
	cfg.cores = runtime.GOMAXPROCS(0)
	a, err := newApp(ctx, cfg, log, tracing)
	if err != nil {
		return err
	}
	defer a.close()
	runtime.GOMAXPROCS(cfg.cores + hashThreads(cfg))

	servers := []*http.Server{httpapi.NewHTTPServer(cfg.HTTPAddr, a.api, log, httpapi.DefaultTimeouts())}
	if cfg.MetricsAddr != "" {
		servers = append(servers, httpapi.NewHTTPServer(cfg.MetricsAddr, a.internal, log, httpapi.DefaultTimeouts()))
	}
	errc := make(chan error, len(servers))
	for _, srv := range servers {
		go func() {
			// The listener turns net/http's own refusals (bad request
			// line, HTTP version, header over the hard cap) into problems.
			if err := httpapi.ListenAndServe(ctx, srv); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("listen on %s: %w", srv.Addr, err)
			}
		}()
	}
	go a.purgeLoop(ctx, time.Hour)
	b := buildInfo()
	log.Info("server started", zap.String("addr", cfg.HTTPAddr), zap.String("metrics_addr", cfg.MetricsAddr),
		zap.String("version", b.Version), zap.String("revision", b.Revision))

	select {
	case err := <-errc:
		shutdown(servers, time.Second, log)
		return err
	case <-ctx.Done():
	}
	log.Info("shutdown started", zap.Duration("timeout", cfg.ShutdownTimeout))
	shutdown(servers, cfg.ShutdownTimeout, log)
	log.Info("shutdown complete")
	return nil
}

// purgeLoop deletes ended sessions and expired tokens every interval until
// ctx ends. Every replica may run it: the deletes are idempotent.
func (a *app) purgeLoop(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := a.purge(ctx)
		if err != nil {
			a.log.Warn("purge of expired sessions failed", zap.Error(err))
			continue
		}
		a.log.Info("purged expired sessions and tokens", zap.Int64("rows", n))
	}
}

func shutdown(servers []*http.Server, timeout time.Duration, log *zap.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for _, srv := range servers {
		if err := srv.Shutdown(ctx); err != nil {
			log.Warn("shutdown incomplete", zap.String("addr", srv.Addr), zap.Error(err))
			_ = srv.Close()
		}
	}
}
