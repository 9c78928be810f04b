package postgres

import (
	"testing"
	"time"
)

// The external tests (which need pgtest, and pgtest imports this package)
// reach these internals through test-only names.
var (
	// WithinTx is withinTx.
	WithinTx = withinTx
	// Translate is translate: driver errors in, domain error kinds out.
	Translate = translate
	// ParsePoolConfig is parsePoolConfig.
	ParsePoolConfig = parsePoolConfig
)

// PretendListening marks the cache as listening on a connection that keeps
// proving itself, for the rest of the test, without any connection: no
// notification is ever heard. It stands for the moment between a commit and
// its notification's arrival, made as long as a test needs it to be.
func (c *SessionCache) PretendListening(t testing.TB) {
	c.setUp(true)
	stop := make(chan struct{})
	go func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				c.alive.Store(time.Now().UnixNano())
			}
		}
	}()
	t.Cleanup(func() { close(stop) })
}
