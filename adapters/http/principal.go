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
