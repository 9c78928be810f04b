package http

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"agora/domain/errs"
	"agora/domain/session"
	"agora/domain/user"
)

type registerRequestDTO struct {
	Username    nullableString `json:"username"`
	Email       nullableString `json:"email"`
	Password    nullableString `json:"password"`
	DisplayName nullableString `json:"display_name"`
}

// parse checks every field, the adapter's presence and null rules with the
// domain's, and reports all broken rules at once.
func (r registerRequestDTO) parse() (user.Registration, error) {
	var f errs.Fields
	username, email, password := r.Username.required(&f, "username"), r.Email.required(&f, "email"), r.Password.required(&f, "password")
	displayName := r.DisplayName.ptr(&f, "display_name")
	reg, err := user.ParseRegistration(username, email, password, displayName)
	if err := withFieldErrors(f, err); err != nil {
		return user.Registration{}, err
	}
	return reg, nil
}

// register is limited per client address (LimitRegister, on its route).
func (s *Server) register(c echo.Context) error {
	reg, err := decodeBody[registerRequestDTO](c)
	if err != nil {
		return err
	}
	out, err := s.opts.Identity.Service.Register(c.Request().Context(), reg)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toTokensDTO(out))
}

type loginRequestDTO struct {
	Login    nullableString `json:"login"`
	Password nullableString `json:"password"`
}

// credentials is a parsed login body.
type credentials struct {
	login    user.Login
	password user.Password
}

// parse reports a bad login and a bad password together.
func (r loginRequestDTO) parse() (credentials, error) {
	var f errs.Fields
	login, lerr := user.ParseLogin(r.Login.required(&f, "login"))
	pw, perr := user.CandidatePassword("password", r.Password.required(&f, "password"))
	if err := withFieldErrors(f, lerr, perr); err != nil {
		return credentials{}, err
	}
	return credentials{login: login, password: pw}, nil
}

func (s *Server) login(c echo.Context) error {
	cred, err := decodeBody[loginRequestDTO](c)
	if err != nil {
		return err
	}
	// The client's address is checked first, then the account (one budget
	// whichever form, username or email in any case, names it), so neither one
	// address nor one targeted account can be hammered. An attempt refused
	// for its address does not spend the account's budget: one address
	// cannot keep a victim locked out beyond its own 5 attempts a minute.
	ctx := c.Request().Context()
	ipErr := s.allow(ctx, LimitLoginIP, c.RealIP())
	var nameErr error
	if ipErr == nil && s.opts.RateLimiter != nil { // resolving the account costs a lookup
		nameErr = s.allow(ctx, LimitLoginName, s.opts.Identity.Service.LoginBudgetKey(ctx, cred.login))
	}
	if ipErr != nil || nameErr != nil {
		s.opts.Identity.Service.CountRateLimitedLogin()
		if ipErr != nil {
			return ipErr
		}
		return nameErr
	}
	out, err := s.opts.Identity.Service.Login(ctx, cred.login, cred.password)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toTokensDTO(out))
}

type refreshRequestDTO struct {
	RefreshToken nullableString `json:"refresh_token"`
}

func (r refreshRequestDTO) parse() (session.Secret, error) {
	return parseSecret(r.RefreshToken, "refresh_token")
}

// parseSecret reads a body's one required token field.
func parseSecret(v nullableString, field string) (session.Secret, error) {
	return parseRequired(v, field, func(s string) (session.Secret, error) { return session.ParseSecret(field, s) })
}

// parseRequired reads a body's one required field with its domain parser,
// reporting a missing or null field as the other parsers do.
func parseRequired[T any](v nullableString, field string, parse func(string) (T, error)) (T, error) {
	var f errs.Fields
	out, err := parse(v.required(&f, field))
	if err := withFieldErrors(f, err); err != nil {
		var zero T
		return zero, err
	}
	return out, nil
}

// refresh is limited per client address (LimitRefresh, on its route).
func (s *Server) refresh(c echo.Context) error {
	secret, err := decodeBody[refreshRequestDTO](c)
	if err != nil {
		return err
	}
	out, err := s.opts.Identity.Service.Refresh(c.Request().Context(), secret)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toTokensDTO(out))
}

func (s *Server) logout(c echo.Context) error {
	secret, err := decodeBody[refreshRequestDTO](c)
	if err != nil {
		return err
	}
	if err := s.opts.Identity.Service.Logout(c.Request().Context(), secret); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type passwordResetRequestDTO struct {
	Email nullableString `json:"email"`
}

func (r passwordResetRequestDTO) parse() (user.Email, error) {
	return parseRequired(r.Email, "email", user.ParseEmail)
}

// requestPasswordReset is limited per client address (LimitPasswordReset,
// on its route).
func (s *Server) requestPasswordReset(c echo.Context) error {
	email, err := decodeBody[passwordResetRequestDTO](c)
	if err != nil {
		return err
	}
	if err := s.opts.Identity.Service.RequestPasswordReset(c.Request().Context(), email); err != nil {
		return err
	}
	return c.NoContent(http.StatusAccepted)
}

type passwordResetConfirmRequestDTO struct {
	Token       nullableString `json:"token"`
	NewPassword nullableString `json:"new_password"`
}

// passwordReset is a parsed password reset confirmation.
type passwordReset struct {
	token    session.Secret
	password user.Password
}

// parse reports a bad token and a bad new password together.
func (r passwordResetConfirmRequestDTO) parse() (passwordReset, error) {
	var f errs.Fields
	token, terr := session.ParseSecret("token", r.Token.required(&f, "token"))
	pw, perr := user.ParsePassword("new_password", r.NewPassword.required(&f, "new_password"))
	if err := withFieldErrors(f, terr, perr); err != nil {
		return passwordReset{}, err
	}
	return passwordReset{token: token, password: pw}, nil
}

func (s *Server) confirmPasswordReset(c echo.Context) error {
	reset, err := decodeBody[passwordResetConfirmRequestDTO](c)
	if err != nil {
		return err
	}
	if err := s.opts.Identity.Service.ConfirmPasswordReset(c.Request().Context(), reset.token, reset.password); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) requestEmailVerification(c echo.Context) error {
	caller, err := callerOf(c)
	if err != nil {
		return err
	}
	if err := s.opts.Identity.Service.RequestEmailVerification(c.Request().Context(), caller.UserID); err != nil {
		return err
	}
	return c.NoContent(http.StatusAccepted)
}

type verifyEmailConfirmRequestDTO struct {
	Token nullableString `json:"token"`
}

func (r verifyEmailConfirmRequestDTO) parse() (session.Secret, error) {
	return parseSecret(r.Token, "token")
}

func (s *Server) confirmEmail(c echo.Context) error {
	token, err := decodeBody[verifyEmailConfirmRequestDTO](c)
	if err != nil {
		return err
	}
	if err := s.opts.Identity.Service.ConfirmEmail(c.Request().Context(), token); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// jwks serves the public keys. They change only with a restart (a new key
// file), so caches may keep them a few minutes.
func (s *Server) jwks(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, s.opts.Identity.JWKS)
}
