package http

import (
	"net/http"
	"net/http/pprof"

	"github.com/labstack/echo/v4"
)

type statusDTO struct {
	Status string `json:"status"`
}

// healthz answers while the process serves; it never touches the database,
// so an outage does not make the orchestrator restart a healthy process.
func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, statusDTO{Status: "ok"})
}

// readyz answers 200 only when the database answers and its schema is current.
func (s *Server) readyz(c echo.Context) error {
	if s.opts.Ready != nil {
		if err := s.opts.Ready(c.Request().Context()); err != nil {
			s.log.Warn("not ready", zapError(err), zapRequestID(c))
			c.Response().Header().Set("Retry-After", retryAfterSeconds)
			c.Response().Header().Set("Cache-Control", "no-store") // as on every error answer
			return c.JSON(http.StatusServiceUnavailable, statusDTO{Status: "unavailable"})
		}
	}
	return c.JSON(http.StatusOK, statusDTO{Status: "ready"})
}

func (s *Server) openAPI(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.Blob(http.StatusOK, "application/yaml; charset=utf-8", s.opts.OpenAPISpec)
}

// docs serves the documentation page with its own, looser CSP.
func (s *Server) docs(c echo.Context) error {
	if s.opts.DocsCSP != "" {
		c.Response().Header().Set("Content-Security-Policy", s.opts.DocsCSP)
	}
	s.opts.Docs.ServeHTTP(c.Response(), c.Request())
	return nil
}

func registerPprof(mux *http.ServeMux) {
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
}
