package postgres

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"agora/adapters/postgres/internal/db"
)

// revokedChannel is where the sessions triggers (migration 00004) announce
// every session that stops being live, with its id as the payload.
const revokedChannel = "agora_session_revoked"

// ListenerApplicationName names the listening connection in pg_stat_activity.
const ListenerApplicationName = "agora-session-listener"

// Timings of the listener: how long it may stay silent before it proves the
// connection with a ping, how stale that proof may get before the cache is
// bypassed (a connection that died without a word), and the wait between
// reconnection attempts.
const (
	listenerHeartbeat = time.Second
	listenerStale     = 3 * time.Second
	listenerRetry     = 250 * time.Millisecond
	listenerMaxRetry  = 5 * time.Second
	maxCachedSessions = 10_000
)

// SessionCache remembers the sessions this process has found live, so that
// an authenticated request costs no statement of its own, and forgets them
// as soon as PostgreSQL says they ended: Listen holds a connection that
// LISTENs on revokedChannel, so a logout on any replica reaches every other
// within the time of a notification.
//
// It fails closed: while the listening connection is down, has not yet been
// (re)established, or has not proved itself within listenerStale, every
// check goes to the database, and the cache is emptied whenever the
// connection is lost or made, because notifications sent meanwhile are lost.
// A check that raced a notification is not remembered (gen).
type SessionCache struct {
	q        *db.Queries
	cfg      *pgx.ConnConfig
	mu       sync.RWMutex
	live     map[uuid.UUID]cachedSession
	gen      uint64 // bumped by every forget; a check remembers only if unchanged
	up       bool   // LISTEN is in place on a live connection
	alive    atomic.Int64
	hits     atomic.Int64
	drops    atomic.Int64
	stopped  chan struct{}
	listener atomic.Bool
}

type cachedSession struct {
	userID  uuid.UUID
	expires time.Time
}

// newSessionCache returns a cache whose checks query through q and whose
// listener connects with cfg (application_name set to
// ListenerApplicationName). It serves nothing from memory until Listen runs.
func newSessionCache(q *db.Queries, cfg *pgx.ConnConfig) *SessionCache {
	cfg = cfg.Copy()
	cfg.RuntimeParams["application_name"] = ListenerApplicationName
	cfg.Tracer = nil // a wait of hours is not a query to trace
	return &SessionCache{q: q, cfg: cfg, live: map[uuid.UUID]cachedSession{}, stopped: make(chan struct{})}
}

// Live reports whether the session exists, belongs to the user, is not
// revoked and has not expired: from memory when the listener vouches for
// it, else from the database (and then remembered).
func (c *SessionCache) Live(ctx context.Context, sessionID, userID uuid.UUID, now time.Time) (bool, error) {
	c.mu.RLock()
	e, ok := c.live[sessionID]
	gen, trusted := c.gen, c.up && c.fresh()
	c.mu.RUnlock()
	if trusted && ok && e.userID == userID && now.Before(e.expires) {
		c.hits.Add(1)
		return true, nil
	}
	expires, err := c.q.SessionExpiry(ctx, db.SessionExpiryParams{ID: sessionID, UserID: userID, Now: now})
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, translate(err)
	}
	if trusted {
		c.mu.Lock()
		// Only when no notification (nor a reconnection) came in since the
		// check started: it may have been about this session.
		if c.gen == gen && c.up {
			if len(c.live) >= maxCachedSessions {
				c.makeRoom(now)
			}
			c.live[sessionID] = cachedSession{userID: userID, expires: expires}
		}
		c.mu.Unlock()
	}
	return true, nil
}

// makeRoom drops what a full cache holds of sessions that have expired
// (expiry sends no notification, so they would stay for good), and when
// that frees too little, a tenth of the rest, whichever the map yields
// first. Dropping an entry only ever costs a database check. c.mu is held.
func (c *SessionCache) makeRoom(now time.Time) {
	for id, e := range c.live {
		if !now.Before(e.expires) {
			delete(c.live, id)
		}
	}
	for id := range c.live {
		if len(c.live) < maxCachedSessions*9/10 {
			break
		}
		delete(c.live, id)
	}
}

// fresh reports whether the listener proved its connection recently.
func (c *SessionCache) fresh() bool {
	return time.Since(time.Unix(0, c.alive.Load())) < listenerStale
}

// Forget drops sessions from memory at once (this replica's own
// revocations, before their notification comes back).
func (c *SessionCache) Forget(ids ...uuid.UUID) {
	c.mu.Lock()
	for _, id := range ids {
		delete(c.live, id)
	}
	c.gen++
	c.mu.Unlock()
}

// ForgetUser drops every session of a user from memory.
func (c *SessionCache) ForgetUser(userID uuid.UUID) {
	c.mu.Lock()
	for id, e := range c.live {
		if e.userID == userID {
			delete(c.live, id)
		}
	}
	c.gen++
	c.mu.Unlock()
}

// setUp empties the cache and marks the listener up or down.
func (c *SessionCache) setUp(up bool) {
	if up {
		c.alive.Store(time.Now().UnixNano())
	}
	c.mu.Lock()
	clear(c.live)
	c.gen++
	c.up = up
	c.mu.Unlock()
}

// Listening reports whether the cache may serve from memory now.
func (c *SessionCache) Listening() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.up && c.fresh()
}

// Hits counts the checks answered from memory (cmd/agora exports it as
// agora_auth_session_cache_hits_total).
func (c *SessionCache) Hits() int64 { return c.hits.Load() }

// Drops counts lost or failed listening connections (cmd/agora exports it
// as agora_auth_session_cache_drops_total).
func (c *SessionCache) Drops() int64 { return c.drops.Load() }

// Listen keeps a LISTENing connection until ctx ends, reconnecting after
// every failure, which it reports to onError. Run it once, in its own
// goroutine; Wait returns after it.
func (c *SessionCache) Listen(ctx context.Context, onError func(msg string, err error)) {
	if !c.listener.CompareAndSwap(false, true) {
		panic("SessionCache.Listen called twice")
	}
	defer close(c.stopped)
	wait := listenerRetry
	for ctx.Err() == nil {
		listened, err := c.listenOnce(ctx)
		c.setUp(false)
		if ctx.Err() != nil {
			return
		}
		c.drops.Add(1)
		onError("session cache: no listening connection; checking every request in the database", err)
		// Retry soon after a lost connection, less and less often while
		// the database cannot be reached.
		if listened {
			wait = listenerRetry
		} else {
			wait = min(2*wait, listenerMaxRetry)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// Wait blocks until Listen has returned (or returns at once if it never ran).
func (c *SessionCache) Wait() {
	if c.listener.Load() {
		<-c.stopped
	}
}

// listenOnce listens on one connection until it fails; listened reports
// whether LISTEN was in place at all.
func (c *SessionCache) listenOnce(ctx context.Context) (listened bool, err error) {
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	conn, err := pgx.ConnectConfig(cctx, c.cfg)
	cancel()
	if err != nil {
		return false, err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+revokedChannel); err != nil {
		return false, err
	}
	// From here on every revocation that commits is heard; the ones that
	// committed before were seen by no check made after this point.
	c.setUp(true)
	for {
		wctx, cancel := context.WithTimeout(ctx, listenerHeartbeat)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			c.alive.Store(time.Now().UnixNano())
			id, perr := uuid.Parse(n.Payload)
			if perr != nil {
				c.setUp(true) // not ours to read: forget everything, keep listening
				continue
			}
			c.Forget(id)
		case ctx.Err() != nil:
			return true, ctx.Err()
		case errors.Is(err, context.DeadlineExceeded) && !conn.IsClosed():
			// Silence: prove the connection still answers.
			pctx, cancel := context.WithTimeout(ctx, listenerHeartbeat)
			err = conn.Ping(pctx)
			cancel()
			if err != nil {
				return true, err
			}
			c.alive.Store(time.Now().UnixNano())
		default:
			return true, err
		}
	}
}
