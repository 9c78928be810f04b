package http

import "github.com/labstack/echo/v4"

// IdentityDeps are the services behind the auth and account endpoints.
type IdentityDeps struct{}

// registerIdentityRoutes mounts auth, account and user endpoints, and the JWKS.
func (s *Server) registerIdentityRoutes(root *echo.Echo, api *echo.Group) {}
