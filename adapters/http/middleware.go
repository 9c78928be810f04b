package http

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"

	"agora/adapters/telemetry"
	"agora/domain/errs"
)

const headerRequestID = "X-Request-ID"

// routeUnmatched is the one route label for paths no route matches, so that
// arbitrary URLs cannot blow up metric cardinality.
const routeUnmatched = "unmatched"

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,128}$`)

// requestID keeps a well-formed incoming X-Request-ID and makes a new one
// otherwise, so a request can be followed from Nginx to the logs.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(headerRequestID)
		if !validRequestID.MatchString(id) {
			id = uuid.NewString()
		}
		c.Set(headerRequestID, id)
		c.Response().Header().Set(headerRequestID, id)
		return next(c)
	}
}

func requestIDOf(c echo.Context) string {
	id, _ := c.Get(headerRequestID).(string)
	return id
}

// telemetry counts and times every request and writes its log line. The
// error is handled here (not later by Echo) so that the status it turns
// into is the one recorded. Every value that comes from the request is
// brought into a closed set first (route template or "unmatched", a
// standard method or OTHER), in metrics, logs and span names alike.
func (s *Server) telemetry(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		var done func()
		if s.opts.Metrics != nil {
			done = s.opts.Metrics.RequestStarted()
		}
		route := s.routeOf(c)
		var span trace.Span
		if s.opts.Tracer != nil {
			span = s.startSpan(c, route)
		}
		if err := next(c); err != nil {
			s.handleError(err, c)
		}
		elapsed := time.Since(start)
		if done != nil {
			done()
		}
		req, res := c.Request(), c.Response()
		if span != nil {
			endSpan(span, res.Status)
		}
		if s.opts.Metrics != nil {
			s.opts.Metrics.ObserveRequest(req.Method, route, res.Status, elapsed)
		}
		fields := make([]zap.Field, 0, 12)
		fields = append(fields,
			zap.String("request_id", requestIDOf(c)),
			zap.String("method", telemetry.MethodLabel(req.Method)),
			zap.String("route", route),
			zap.Int("status", res.Status),
			zap.Float64("duration", elapsed.Seconds()),
			zap.Int64("bytes", res.Size),
			zap.String("remote_ip", c.RealIP()),
		)
		if p, ok := callerIfAny(c); ok {
			fields = append(fields, zap.String("user_id", p.UserID.String()))
		}
		fields = append(fields, traceFields(req.Context())...)
		s.log.Info("request", fields...)
		return nil
	}
}

// routeOf returns the matched route template, or the fixed unmatched label.
func (s *Server) routeOf(c echo.Context) string {
	if p := c.Path(); p != "" && s.routes[p] {
		return p
	}
	return routeUnmatched
}

// recover turns a panic into a 500 problem and a logged stack, never a crash.
func (s *Server) recover(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				// net/http's own abort is re-panicked, as net/http expects.
				if e, ok := r.(error); ok && errors.Is(e, http.ErrAbortHandler) {
					panic(r)
				}
				s.log.Error("panic", zap.Any("panic", r), zap.Stack("stack"), zapRequestID(c))
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return next(c)
	}
}

// securityHeaders sets the contract's headers on every response, errors included.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		return next(c)
	}
}

// MaxHeaderBytes is the documented limit on a request line and its headers
// (16 KiB). The API's middleware answers 431 problem+json above it; net/http
// itself stops reading only at the listener's hard cap (Timeouts), which is
// set higher so that every request within it gets the API's answer.
const MaxHeaderBytes = 16 << 10

var errHeaderTooLarge = errors.New("request header fields too large")

// headerLimit refuses a request whose request line and headers, as sent,
// take more than MaxHeaderBytes.
func headerLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if headerSize(c.Request()) > MaxHeaderBytes {
			return errs.New(errHeaderTooLarge, "The request line and headers take more than 16 KiB.")
		}
		return next(c)
	}
}

// headerSize is what the request line and header lines took on the wire
// (net/http trims white space around values, so it can be a few bytes
// less): "METHOD URI PROTO\r\n", "Name: value\r\n" for every header,
// Host and Transfer-Encoding included (net/http moves them out of Header),
// and the blank line.
func headerSize(r *http.Request) int {
	n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + 4
	if r.Host != "" {
		n += len("Host: ") + len(r.Host) + 2
	}
	for _, te := range r.TransferEncoding {
		n += len("Transfer-Encoding: ") + len(te) + 2
	}
	for name, vals := range r.Header {
		for _, v := range vals {
			n += len(name) + 2 + len(v) + 2
		}
	}
	return n + 2
}

// msgBadQuery answers a query string that does not parse. Go's own parser
// silently drops a pair with a malformed percent-escape or a semicolon, so
// "?limit=%zz" would otherwise be served as if no limit were given.
const msgBadQuery = "The query string is malformed (a bad percent-escape or a semicolon); nothing was read from it."

// strictQuery refuses, for every route, a query string that url.ParseQuery
// cannot read whole; handlers then read only what the client really sent.
func strictQuery(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, err := url.ParseQuery(c.Request().URL.RawQuery); err != nil {
			return errs.Wrap(errs.ErrBadRequest, msgBadQuery, err)
		}
		return next(c)
	}
}

// decodePathParams percent-decodes every path parameter exactly once, for
// every route. Echo routes on URL.RawPath when net/url kept one (the path
// was not escaped the default way, as in "u_x%61" or "a%2Fb", so "%2F"
// never splits a segment) and then hands the parameters over still escaped;
// otherwise it routes on the decoded URL.Path. RFC 3986 makes "/users/u_x%61"
// and "/users/u_xa" the same resource, so handlers always see the decoded
// value (a decoded "/" or NUL then fails the parameter's own rule: 404).
func decodePathParams(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Request().URL.RawPath == "" {
			return next(c) // Echo matched the decoded path
		}
		vals := c.ParamValues()
		for i, v := range vals {
			if !strings.Contains(v, "%") {
				continue
			}
			d, err := url.PathUnescape(v)
			if err != nil {
				return errs.Wrap(errs.ErrBadRequest, "The path holds a malformed percent-escape.", err)
			}
			vals[i] = d
		}
		c.SetParamValues(vals...)
		return next(c)
	}
}

// noStore keeps API answers, which are mostly private, out of every cache.
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		return next(c)
	}
}

// deadline bounds a request's context; queries run under it, so a stuck
// database cannot hold a request past the timeout.
func (s *Server) deadline(timeout time.Duration) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ctx, cancel := context.WithTimeout(c.Request().Context(), timeout)
			defer cancel()
			c.SetRequest(c.Request().WithContext(ctx))
			return next(c)
		}
	}
}

// under applies middleware only to requests whose path starts with prefix.
func (s *Server) under(prefix string, mw ...echo.MiddlewareFunc) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		wrapped := next
		for i := len(mw) - 1; i >= 0; i-- {
			wrapped = mw[i](wrapped)
		}
		return func(c echo.Context) error {
			if strings.HasPrefix(c.Request().URL.Path, prefix) {
				return wrapped(c)
			}
			return next(c)
		}
	}
}
