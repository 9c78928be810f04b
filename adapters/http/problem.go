package http

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
	"go.uber.org/zap"

	"agora/domain/errs"
)

// retryAfterSeconds is what 503 answers suggest; a database restart or
// failover usually takes a few seconds.
const retryAfterSeconds = "5"

// statusClientClosed is Nginx's code for a request whose client went away
// before the answer: it is recorded (metrics, logs) but never really sent,
// and it is not a server error.
const statusClientClosed = 499

// problemDTO is an RFC 9457 problem document.
type problemDTO struct {
	Type      string          `json:"type"`
	Title     string          `json:"title"`
	Status    int             `json:"status"`
	Detail    string          `json:"detail"`
	RequestID string          `json:"request_id"`
	Errors    []fieldErrorDTO `json:"errors,omitempty"`
}

type fieldErrorDTO struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// statusOf is the one table from error kind to HTTP status.
var statusOf = []struct {
	kind   error
	status int
}{
	{errs.ErrInvalid, http.StatusUnprocessableEntity},
	{errs.ErrBadRequest, http.StatusBadRequest},
	{errs.ErrNotFound, http.StatusNotFound},
	{errs.ErrConflict, http.StatusConflict},
	{errs.ErrForbidden, http.StatusForbidden},
	{errs.ErrUnauthenticated, http.StatusUnauthorized},
	{errs.ErrUnavailable, http.StatusServiceUnavailable},
	{errTooManyRequests, http.StatusTooManyRequests},
	{errUnsupportedMediaType, http.StatusUnsupportedMediaType},
	{errPayloadTooLarge, http.StatusRequestEntityTooLarge},
	{errHeaderTooLarge, http.StatusRequestHeaderFieldsTooLarge},
	{context.DeadlineExceeded, http.StatusServiceUnavailable},
	{context.Canceled, statusClientClosed},
}

// invalidDetail is the one wording of a 422: the message errs.Invalid
// gives every field error the domain and the adapter collect, taken from it
// rather than kept a second time here, so that an ErrInvalid without a
// message of its own reads the same as all the others.
var invalidDetail = errs.MessageOf(errs.Invalid(errs.FieldError{}))

// defaultDetail is said when an error of a kind carries no message of its own.
var defaultDetail = map[int]string{
	http.StatusBadRequest:                  "The request is malformed.",
	http.StatusUnauthorized:                "A valid access token is required.",
	http.StatusForbidden:                   "You are not allowed to do this.",
	http.StatusNotFound:                    "The resource does not exist.",
	http.StatusMethodNotAllowed:            "The method is not allowed on this resource.",
	http.StatusConflict:                    "The request conflicts with the current state.",
	http.StatusRequestEntityTooLarge:       "The request body is larger than 64 KiB.",
	http.StatusUnsupportedMediaType:        "The request body must be application/json.",
	http.StatusRequestHeaderFieldsTooLarge: "The request line and headers take more than 16 KiB.",
	http.StatusUnprocessableEntity:         invalidDetail,
	http.StatusTooManyRequests:             "Too many requests; retry later.",
	http.StatusInternalServerError:         "An internal error occurred.",
	http.StatusServiceUnavailable:          "The service is temporarily unavailable; retry later.",
	statusClientClosed:                     "The client closed the connection before the answer.",
}

// handleError turns any error into a problem+json response. Internal text is
// logged, never sent.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, detail, fields := s.classify(err, c)
	title := http.StatusText(status)
	if status == statusClientClosed {
		title = "Client Closed Request"
	}
	p := problemDTO{
		Type:      "about:blank",
		Title:     title,
		Status:    status,
		Detail:    detail,
		RequestID: requestIDOf(c),
	}
	for _, f := range fields {
		p.Errors = append(p.Errors, fieldErrorDTO{Field: f.Field, Message: f.Message})
	}
	h := c.Response().Header()
	// Every error answer carries the same headers, whichever middleware
	// refused the request (the body limit runs before the API's no-store).
	h.Set("Cache-Control", "no-store")
	switch status {
	case http.StatusUnauthorized:
		h.Set("WWW-Authenticate", s.challenge(c))
	case http.StatusServiceUnavailable:
		h.Set("Retry-After", retryAfterSeconds)
	case http.StatusTooManyRequests:
		retry := "60"
		var rl *rateLimited
		if errors.As(err, &rl) {
			retry = rl.retryAfterHeader()
		}
		h.Set("Retry-After", retry)
	}
	if status >= 500 {
		s.log.Error("request failed", zap.Int("status", status), zapError(err), zapRequestID(c))
	}
	h.Set(echo.HeaderContentType, "application/problem+json")
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	if werr := c.JSON(status, p); werr != nil {
		s.log.Warn("write problem", zapError(werr), zapRequestID(c))
	}
}

// loginRoute answers 401 for a wrong password, not for a token.
const loginRoute = "/api/v1/auth/login"

// challenge is the WWW-Authenticate of a 401. The contract gives every
// refused token (missing, malformed, expired, revoked; access or refresh)
// error="invalid_token". A failed login involves no token at all, so,
// as RFC 6750 section 3.1 asks of a request without authentication, its
// challenge names the scheme and no error code.
func (s *Server) challenge(c echo.Context) string {
	if s.routeOf(c) == loginRoute {
		return "Bearer"
	}
	return `Bearer error="invalid_token"`
}

func (s *Server) classify(err error, c echo.Context) (status int, detail string, fields []errs.FieldError) {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		status = he.Code
		if status == http.StatusNotFound && s.routeOf(c) == routeUnmatched {
			return status, "No resource at this path.", nil
		}
		return status, defaultDetail[status], nil
	}
	for _, row := range statusOf {
		if errors.Is(err, row.kind) {
			status = row.status
			break
		}
	}
	if status == 0 {
		return http.StatusInternalServerError, defaultDetail[http.StatusInternalServerError], nil
	}
	detail = errs.MessageOf(err)
	if detail == "" || status >= 500 {
		detail = defaultDetail[status]
	}
	return status, detail, errs.FieldsOf(err)
}

func zapError(err error) zap.Field { return zap.Error(err) }

func zapRequestID(c echo.Context) zap.Field { return zap.String("request_id", requestIDOf(c)) }
