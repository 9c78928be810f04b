package http

import (
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// principal is who an authenticated request acts for.
type principal struct {
	UserID    uuid.UUID
	SessionID uuid.UUID
}

const principalKey = "agora.principal"

func setPrincipal(c echo.Context, p principal) { c.Set(principalKey, p) }

// principalOf returns the caller of an authenticated request.
func principalOf(c echo.Context) (principal, bool) {
	p, ok := c.Get(principalKey).(principal)
	return p, ok
}

// callerOf is the caller of a handler behind authenticate: every
// authenticated handler, identity's and social's, asks the same way, and a
// route mounted without authenticate answers 401 rather than acting for the
// zero user.
func callerOf(c echo.Context) (principal, error) {
	p, ok := principalOf(c)
	if !ok {
		return principal{}, errNoToken
	}
	return p, nil
}
