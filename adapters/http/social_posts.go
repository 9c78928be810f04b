package http

import (
	"context"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"agora/domain/errs"
	"agora/domain/post"
	"agora/ports"
	"agora/ports/social"
)

type createPostRequest struct {
	Body       nullableString `json:"body"`
	Visibility nullableString `json:"visibility"`
}

type updatePostRequest struct {
	Body       nullableString `json:"body"`
	Visibility nullableString `json:"visibility"`
}

func (s *Server) createPost(c echo.Context) error {
	svc, me, err := s.socialCaller(c)
	if err != nil {
		return err
	}
	var req createPostRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	var fe errs.Fields
	body := req.Body.ptr(&fe, "body")
	vis := req.Visibility.ptr(&fe, "visibility")
	if err := fe.Err(); err != nil {
		return err
	}
	if body == nil {
		return errs.Invalid(errs.FieldError{Field: "body", Message: "is required"})
	}
	v, err := svc.CreatePost(c.Request().Context(), me, *body, vis)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/posts/"+v.ID.String())
	return c.JSON(http.StatusCreated, toPostDTO(v))
}

func (s *Server) getPost(c echo.Context) error {
	svc, me, err := s.socialCaller(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, post.ErrNotFound)
	if err != nil {
		return err
	}
	v, err := svc.GetPost(c.Request().Context(), me, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPostDTO(v))
}

func (s *Server) updatePost(c echo.Context) error {
	svc, me, err := s.socialCaller(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, post.ErrNotFound)
	if err != nil {
		return err
	}
	var req updatePostRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	var fe errs.Fields
	body := req.Body.ptr(&fe, "body")
	vis := req.Visibility.ptr(&fe, "visibility")
	if err := fe.Err(); err != nil {
		return err
	}
	v, err := svc.UpdatePost(c.Request().Context(), me, id, body, vis)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPostDTO(v))
}

func (s *Server) deletePost(c echo.Context) error {
	svc, me, err := s.socialCaller(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, post.ErrNotFound)
	if err != nil {
		return err
	}
	if err := svc.DeletePost(c.Request().Context(), me, id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) getFeed(c echo.Context) error {
	return respondList(s, c, func(svc *social.Service, ctx context.Context, me uuid.UUID, page ports.PageRequest) (ports.Page[social.PostView], error) {
		return svc.Feed(ctx, me, page)
	}, toPostDTO)
}

func (s *Server) listUserPosts(c echo.Context) error {
	return respondList(s, c, func(svc *social.Service, ctx context.Context, me uuid.UUID, page ports.PageRequest) (ports.Page[social.PostView], error) {
		return svc.UserPosts(ctx, me, c.Param("username"), page)
	}, toPostDTO)
}
