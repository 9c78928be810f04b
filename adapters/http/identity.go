package http

import (
	"github.com/labstack/echo/v4"

	"agora/ports/identity"
)

// IdentityDeps are the services behind the auth and account endpoints.
type IdentityDeps struct {
	// Service holds the identity use cases (required).
	Service *identity.Service
	// JWKS is the JSON Web Key Set served at /.well-known/jwks.json.
	JWKS []byte
}

// registerIdentityRoutes mounts auth, account and user endpoints, and the JWKS.
func (s *Server) registerIdentityRoutes(root *echo.Echo, api *echo.Group) {
	get(root, "/.well-known/jwks.json", s.jwks, s.rateLimit)

	api.POST("/auth/register", s.register, s.limitIP(LimitRegister))
	api.POST("/auth/login", s.login)
	api.POST("/auth/refresh", s.refresh, s.limitIP(LimitRefresh))
	api.POST("/auth/logout", s.logout)
	api.POST("/auth/password-reset", s.requestPasswordReset, s.limitIP(LimitPasswordReset))
	api.POST("/auth/password-reset/confirm", s.confirmPasswordReset)
	api.POST("/auth/verify-email", s.requestEmailVerification, s.authenticate)
	api.POST("/auth/verify-email/confirm", s.confirmEmail)

	get(api, "/users/me", s.getMe, s.authenticate)
	api.PATCH("/users/me", s.updateMe, s.authenticate)
	api.DELETE("/users/me", s.deleteMe, s.authenticate)
	api.PUT("/users/me/password", s.changePassword, s.authenticate)
	get(api, "/users", s.searchUsers, s.authenticate)
}
