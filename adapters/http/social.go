package http

import "github.com/labstack/echo/v4"

// SocialDeps are the services behind posts, connections and blocks.
type SocialDeps struct{}

// registerSocialRoutes mounts posts, feed, connection and block endpoints.
func (s *Server) registerSocialRoutes(api *echo.Group) {}
