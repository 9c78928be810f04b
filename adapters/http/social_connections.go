package http

import (
	"context"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"agora/domain/connection"
	"agora/domain/errs"
	"agora/domain/user"
	"agora/ports"
	"agora/ports/social"
)

// newConnectionRequestDTO is the body of POST /connection-requests.
type newConnectionRequestDTO struct {
	Username nullableString `json:"username"`
	Message  nullableString `json:"message"`
}

// parse checks presence and nulls, the username rule and the message rule,
// and reports every one that fails at once.
func (r newConnectionRequestDTO) parse() (connectionAsk, error) {
	var fe errs.Fields
	to, uerr := user.ParseUsername(r.Username.required(&fe, "username"))
	var msg connection.Message
	var merr error
	if message := r.Message.ptr(&fe, "message"); message != nil {
		msg, merr = connection.ParseMessage(*message)
	}
	if err := withFieldErrors(fe, uerr, merr); err != nil {
		return connectionAsk{}, err
	}
	return connectionAsk{to: to, message: msg}, nil
}

// connectionAsk is a parsed connection request body.
type connectionAsk struct {
	to      user.Username
	message connection.Message
}

func (s *Server) getProfile(c echo.Context) error {
	caller, err := callerOf(c)
	if err != nil {
		return err
	}
	username, err := pathUsername(c)
	if err != nil {
		return err
	}
	p, err := s.opts.Social.Service.Profile(c.Request().Context(), caller.UserID, username)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toProfileDTO(p))
}

func (s *Server) exportMe(c echo.Context) error {
	caller, err := callerOf(c)
	if err != nil {
		return err
	}
	e, err := s.opts.Social.Service.Export(c.Request().Context(), caller.UserID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toExportDTO(e))
}

func (s *Server) createConnectionRequest(c echo.Context) error {
	caller, err := callerOf(c)
	if err != nil {
		return err
	}
	ask, err := decodeBody[newConnectionRequestDTO](c)
	if err != nil {
		return err
	}
	v, err := s.opts.Social.Service.SendRequest(c.Request().Context(), caller.UserID, ask.to, ask.message)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/connection-requests/"+v.ID.String())
	return c.JSON(http.StatusCreated, toConnectionRequestDTO(v))
}

func (s *Server) listConnectionRequests(c echo.Context) error {
	return respondList(c, func(ctx context.Context, me uuid.UUID, page ports.PageRequest) (ports.Page[social.RequestView], error) {
		dir, err := connection.ParseDirection(c.QueryParam("direction"))
		if err != nil {
			return ports.Page[social.RequestView]{}, err
		}
		return s.opts.Social.Service.PendingRequests(ctx, me, dir, page)
	}, toConnectionRequestDTO)
}

func (s *Server) acceptConnectionRequest(c echo.Context) error {
	return respondOnID(c, connection.ErrNotFound, s.opts.Social.Service.AcceptRequest, toConnectionRequestDTO)
}

func (s *Server) declineConnectionRequest(c echo.Context) error {
	return respondOnID(c, connection.ErrNotFound, s.opts.Social.Service.DeclineRequest, toConnectionRequestDTO)
}

func (s *Server) withdrawConnectionRequest(c echo.Context) error {
	return actOnID(c, connection.ErrNotFound, s.opts.Social.Service.WithdrawRequest)
}

func (s *Server) listConnections(c echo.Context) error {
	return respondList(c, s.opts.Social.Service.Connections, toConnectionDTO)
}

func (s *Server) listUserConnections(c echo.Context) error {
	return respondList(c, ofUser(c, s.opts.Social.Service.UserConnections), toConnectionDTO)
}

func (s *Server) listMutualConnections(c echo.Context) error {
	return respondList(c, ofUser(c, s.opts.Social.Service.MutualConnections), toSummaryDTO)
}

func (s *Server) removeConnection(c echo.Context) error {
	return actOnUser(c, s.opts.Social.Service.RemoveConnection)
}

func (s *Server) listBlocks(c echo.Context) error {
	return respondList(c, s.opts.Social.Service.Blocks, toSummaryDTO)
}

func (s *Server) blockUser(c echo.Context) error {
	return actOnUser(c, s.opts.Social.Service.Block)
}

func (s *Server) unblockUser(c echo.Context) error {
	return actOnUser(c, s.opts.Social.Service.Unblock)
}
