package http

import (
	"github.com/labstack/echo/v4"

	"agora/ports/identity"
)

// callerKey holds, in the Echo context, the identity.AccessClaims that
// authenticate verified: who an authenticated request acts for. The
// claims are kept as the identity use cases return and take them, not
// copied into a type of the adapter's own.
const callerKey = "agora.caller"

func setCaller(c echo.Context, claims identity.AccessClaims) { c.Set(callerKey, claims) }

// callerIfAny returns the caller of an authenticated request, and false
// for a request that did not pass authenticate (the access log asks).
func callerIfAny(c echo.Context) (identity.AccessClaims, bool) {
	claims, ok := c.Get(callerKey).(identity.AccessClaims)
	return claims, ok
}

// callerOf is the caller of a handler behind authenticate: every
// authenticated handler, identity's and social's, asks the same way, and a
// route mounted without authenticate answers 401 rather than acting for the
// zero user.
func callerOf(c echo.Context) (identity.AccessClaims, error) {
	claims, ok := callerIfAny(c)
	if !ok {
		return identity.AccessClaims{}, errNoToken
	}
	return claims, nil
}
