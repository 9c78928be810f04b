package http

import (
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// Principal is who an authenticated request acts for.
type Principal struct {
	UserID    uuid.UUID
	SessionID uuid.UUID
}

const principalKey = "agora.principal"

func setPrincipal(c echo.Context, p Principal) { c.Set(principalKey, p) }

// principalOf returns the caller of an authenticated request.
func principalOf(c echo.Context) (Principal, bool) {
	p, ok := c.Get(principalKey).(Principal)
	return p, ok
}
