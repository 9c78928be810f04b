package http

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"agora/domain/errs"
	"agora/domain/user"
	"agora/ports/identity"
)

func (s *Server) getMe(c echo.Context) error {
	caller, err := callerOf(c)
	if err != nil {
		return err
	}
	u, err := s.opts.Identity.Service.Me(c.Request().Context(), caller.UserID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toMeDTO(u))
}

type updateMeRequestDTO struct {
	DisplayName nullableString `json:"display_name"`
	Headline    nullableString `json:"headline"`
	Bio         nullableString `json:"bio"`
}

// parse reports nulls and the profile rules together.
func (r updateMeRequestDTO) parse() (user.ProfileChanges, error) {
	var f errs.Fields
	dn, hl, bio := r.DisplayName.ptr(&f, "display_name"), r.Headline.ptr(&f, "headline"), r.Bio.ptr(&f, "bio")
	changes, err := user.ParseProfileChanges(dn, hl, bio)
	if err := withFieldErrors(f, err); err != nil {
		return user.ProfileChanges{}, err
	}
	return changes, nil
}

func (s *Server) updateMe(c echo.Context) error {
	caller, err := callerOf(c)
	if err != nil {
		return err
	}
	changes, err := decodeBody[updateMeRequestDTO](c)
	if err != nil {
		return err
	}
	u, err := s.opts.Identity.Service.UpdateMe(c.Request().Context(), caller.UserID, changes)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toMeDTO(u))
}

func (s *Server) deleteMe(c echo.Context) error {
	caller, err := callerOf(c)
	if err != nil {
		return err
	}
	if err := s.opts.Identity.Service.DeleteMe(c.Request().Context(), caller.UserID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type changePasswordRequestDTO struct {
	CurrentPassword nullableString `json:"current_password"`
	NewPassword     nullableString `json:"new_password"`
}

// passwordChange is a parsed password change.
type passwordChange struct{ current, next user.Password }

// parse reports both passwords' rules together.
func (r changePasswordRequestDTO) parse() (passwordChange, error) {
	var f errs.Fields
	current, cerr := user.CandidatePassword("current_password", r.CurrentPassword.required(&f, "current_password"))
	next, nerr := user.ParsePassword("new_password", r.NewPassword.required(&f, "new_password"))
	if err := withFieldErrors(f, cerr, nerr); err != nil {
		return passwordChange{}, err
	}
	return passwordChange{current: current, next: next}, nil
}

func (s *Server) changePassword(c echo.Context) error {
	caller, err := callerOf(c)
	if err != nil {
		return err
	}
	change, err := decodeBody[changePasswordRequestDTO](c)
	if err != nil {
		return err
	}
	// Each guess at current_password spends the account's login budget
	// (the one POST /auth/login spends), so a stolen access token gives no
	// more guesses at the password than the login form.
	ctx := c.Request().Context()
	if err := s.allow(ctx, LimitLoginName, identity.AccountBudgetKey(caller.UserID)); err != nil {
		s.opts.Identity.Service.CountRateLimitedLogin()
		return err
	}
	if err := s.opts.Identity.Service.ChangePassword(ctx, caller, change.current, change.next); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) searchUsers(c echo.Context) error {
	caller, err := callerOf(c)
	if err != nil {
		return err
	}
	q, err := user.ParseSearchQuery(c.QueryParam("q"))
	if err != nil {
		return err
	}
	page, err := pageRequest(c)
	if err != nil {
		return err
	}
	res, err := s.opts.Identity.Service.Search(c.Request().Context(), caller.UserID, q, page)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPageDTO(res, toSummaryDTO))
}
