package http

import (
	"strings"

	"github.com/labstack/echo/v4"

	"agora/domain/errs"
)

// maxAuthorization bounds the header we are willing to look at.
const maxAuthorization = 4096

var errNoToken = errs.New(errs.ErrUnauthenticated, "A valid access token is required.")

// errTwoAuthorizations refuses a request with more than one Authorization
// header: which one a server, a proxy or a log reads first is not defined,
// so none is believed (the same 401 as any unusable token).
var errTwoAuthorizations = errs.New(errs.ErrUnauthenticated,
	"More than one Authorization header was sent; send exactly one.")

// authenticate admits a request only with a valid access token of a live
// session, and records its caller (the verified claims). Any token problem is the same 401 with
// WWW-Authenticate; a database outage during the session check is a 503, so
// that clients do not throw away good tokens.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if len(c.Request().Header.Values(echo.HeaderAuthorization)) > 1 {
			return errTwoAuthorizations
		}
		token, ok := bearerToken(c.Request().Header.Get(echo.HeaderAuthorization))
		if !ok {
			return errNoToken
		}
		claims, err := s.opts.Identity.Service.Authenticate(c.Request().Context(), token)
		if err != nil {
			return err
		}
		setCaller(c, claims)
		return next(c)
	}
}

// bearerToken extracts the token of "Authorization: Bearer <token>" (the
// scheme is case-insensitive, RFC 7235).
func bearerToken(h string) (string, bool) {
	if h == "" || len(h) > maxAuthorization {
		return "", false
	}
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}
