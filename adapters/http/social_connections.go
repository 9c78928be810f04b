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
	username := r.Username.ptr(&fe, "username")
	message := r.Message.ptr(&fe, "message")
	var to user.Username
	var uerr, merr error
	switch {
	case username != nil:
		to, uerr = user.ParseUsername(*username)
	case !r.Username.Null:
		fe.Add("username", "is required")
	}
	var msg connection.Message
	if message != nil {
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
	svc, me, err := s.socialCaller(c)
	if err != nil {
		return err
	}
	username, err := pathUsername(c)
	if err != nil {
		return err
	}
	p, err := svc.Profile(c.Request().Context(), me, username)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toProfileDTO(p))
}

func (s *Server) exportMe(c echo.Context) error {
	svc, me, err := s.socialCaller(c)
	if err != nil {
		return err
	}
	e, err := svc.Export(c.Request().Context(), me)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toExportDTO(e))
}

func (s *Server) createConnectionRequest(c echo.Context) error {
	svc, me, err := s.socialCaller(c)
	if err != nil {
		return err
	}
	ask, err := decodeBody[newConnectionRequestDTO](c)
	if err != nil {
		return err
	}
	v, err := svc.SendRequest(c.Request().Context(), me, ask.to, ask.message)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/connection-requests/"+v.ID.String())
	return c.JSON(http.StatusCreated, toConnectionRequestDTO(v))
}

func (s *Server) listConnectionRequests(c echo.Context) error {
	return respondList(s, c, func(svc *social.Service, ctx context.Context, me uuid.UUID, page ports.PageRequest) (ports.Page[social.RequestView], error) {
		dir, err := connection.ParseDirection(c.QueryParam("direction"))
		if err != nil {
			return ports.Page[social.RequestView]{}, err
		}
		return svc.PendingRequests(ctx, me, dir, page)
	}, toConnectionRequestDTO)
}

func (s *Server) acceptConnectionRequest(c echo.Context) error {
	return respondOnID(s, c, connection.ErrNotFound, (*social.Service).AcceptRequest, toConnectionRequestDTO)
}

func (s *Server) declineConnectionRequest(c echo.Context) error {
	return respondOnID(s, c, connection.ErrNotFound, (*social.Service).DeclineRequest, toConnectionRequestDTO)
}

func (s *Server) withdrawConnectionRequest(c echo.Context) error {
	return s.actOnID(c, connection.ErrNotFound, (*social.Service).WithdrawRequest)
}

func (s *Server) listConnections(c echo.Context) error {
	return respondList(s, c, (*social.Service).Connections, toConnectionDTO)
}

func (s *Server) listUserConnections(c echo.Context) error {
	return respondList(s, c, ofUser(c, (*social.Service).UserConnections), toConnectionDTO)
}

func (s *Server) listMutualConnections(c echo.Context) error {
	return respondList(s, c, ofUser(c, (*social.Service).MutualConnections), toSummaryDTO)
}

func (s *Server) removeConnection(c echo.Context) error {
	return s.actOnUser(c, (*social.Service).RemoveConnection)
}

func (s *Server) listBlocks(c echo.Context) error {
	return respondList(s, c, (*social.Service).Blocks, toSummaryDTO)
}

func (s *Server) blockUser(c echo.Context) error {
	return s.actOnUser(c, (*social.Service).Block)
}

func (s *Server) unblockUser(c echo.Context) error {
	return s.actOnUser(c, (*social.Service).Unblock)
}
