package http

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"agora/domain/errs"
	"agora/domain/user"
)

// maxOpaqueToken is the longest refresh or emailed token accepted (ours are
// 43 characters; the bound keeps hashing garbage cheap).
const maxOpaqueToken = 512

type registerRequestDTO struct {
	Username    string         `json:"username"`
	Email       string         `json:"email"`
	Password    string         `json:"password"`
	DisplayName nullableString `json:"display_name"`
}

func (s *Server) register(c echo.Context) error {
	if err := s.allow(c.Request().Context(), LimitRegister, c.RealIP()); err != nil {
		return err
	}
	var req registerRequestDTO
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	var f errs.Fields
	displayName := req.DisplayName.ptr(&f, "display_name")
	reg, err := user.ParseRegistration(req.Username, req.Email, req.Password, displayName)
	if err := withFieldErrors(f, err); err != nil {
		return err
	}
	out, err := s.opts.Identity.Service.Register(c.Request().Context(), reg)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toTokensDTO(out))
}

type loginRequestDTO struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

func (s *Server) login(c echo.Context) error {
	var req loginRequestDTO
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	var f errs.Fields
	requireText(&f, "login", req.Login, user.MaxEmail)
	pw, err := user.CandidatePassword("password", req.Password)
	if err := withFieldErrors(f, err); err != nil {
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
		nameErr = s.allow(ctx, LimitLoginName, s.opts.Identity.Service.LoginBudgetKey(ctx, req.Login))
	}
	if ipErr != nil || nameErr != nil {
		if s.opts.Metrics != nil {
			s.opts.Metrics.LoginAttempt("rate_limited")
		}
		if ipErr != nil {
			return ipErr
		}
		return nameErr
	}
	out, err := s.opts.Identity.Service.Login(ctx, req.Login, pw)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toTokensDTO(out))
}

type refreshRequestDTO struct {
	RefreshToken string `json:"refresh_token"`
}

func (r refreshRequestDTO) check() error {
	var f errs.Fields
	requireText(&f, "refresh_token", r.RefreshToken, maxOpaqueToken)
	return f.Err()
}

func (s *Server) refresh(c echo.Context) error {
	if err := s.allow(c.Request().Context(), LimitRefresh, c.RealIP()); err != nil {
		return err
	}
	var req refreshRequestDTO
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := req.check(); err != nil {
		return err
	}
	out, err := s.opts.Identity.Service.Refresh(c.Request().Context(), req.RefreshToken)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toTokensDTO(out))
}

func (s *Server) logout(c echo.Context) error {
	var req refreshRequestDTO
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := req.check(); err != nil {
		return err
	}
	if err := s.opts.Identity.Service.Logout(c.Request().Context(), req.RefreshToken); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type passwordResetRequestDTO struct {
	Email string `json:"email"`
}

func (s *Server) requestPasswordReset(c echo.Context) error {
	if err := s.allow(c.Request().Context(), LimitPasswordReset, c.RealIP()); err != nil {
		return err
	}
	var req passwordResetRequestDTO
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if _, err := user.ParseEmail(req.Email); err != nil {
		return err
	}
	if err := s.opts.Identity.Service.RequestPasswordReset(c.Request().Context(), req.Email); err != nil {
		return err
	}
	return c.NoContent(http.StatusAccepted)
}

type passwordResetConfirmRequestDTO struct {
	Token       string `json:"token"`
	NewPassword string `json:"new_password"`
}

func (s *Server) confirmPasswordReset(c echo.Context) error {
	var req passwordResetConfirmRequestDTO
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	var f errs.Fields
	requireText(&f, "token", req.Token, maxOpaqueToken)
	pw, err := user.ParsePassword("new_password", req.NewPassword)
	if err := withFieldErrors(f, err); err != nil {
		return err
	}
	if err := s.opts.Identity.Service.ConfirmPasswordReset(c.Request().Context(), req.Token, pw); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) requestEmailVerification(c echo.Context) error {
	p, _ := principalOf(c)
	if err := s.opts.Identity.Service.RequestEmailVerification(c.Request().Context(), p.UserID); err != nil {
		return err
	}
	return c.NoContent(http.StatusAccepted)
}

type verifyEmailConfirmRequestDTO struct {
	Token string `json:"token"`
}

func (s *Server) confirmEmail(c echo.Context) error {
	var req verifyEmailConfirmRequestDTO
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	var f errs.Fields
	requireText(&f, "token", req.Token, maxOpaqueToken)
	if err := f.Err(); err != nil {
		return err
	}
	if err := s.opts.Identity.Service.ConfirmEmail(c.Request().Context(), req.Token); err != nil {
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
