package http

import (
	"github.com/labstack/echo/v4"

	"agora/domain/errs"
)

// authenticate admits a request only with a valid access token of a live
// session, and records its Principal. (Owned by the identity work.)
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		return errs.New(errs.ErrUnauthenticated, "A valid access token is required.")
	}
}
