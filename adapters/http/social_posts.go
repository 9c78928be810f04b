package http

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"agora/domain/errs"
	"agora/domain/post"
)

// postRequestDTO is the body of POST /posts.
type postRequestDTO struct {
	Body       nullableString `json:"body"`
	Visibility nullableString `json:"visibility"`
}

// postPatchRequestDTO is the body of PATCH /posts/{id}: the same fields,
// every one optional.
type postPatchRequestDTO postRequestDTO

// parse reports nulls and the post rules together.
func (r postRequestDTO) parse() (post.Draft, error) { return parsePost(r, post.ParseDraft) }

// parse reports nulls and the post rules together.
func (r postPatchRequestDTO) parse() (post.Patch, error) {
	return parsePost(postRequestDTO(r), post.ParsePatch)
}

// parsePost hands the two fields to a post parser; a null field is a field
// error of its own and keeps that one error (withFieldErrors).
func parsePost[T any](r postRequestDTO, parse func(body, visibility *string) (T, error)) (T, error) {
	var f errs.Fields
	body, vis := r.Body.ptr(&f, "body"), r.Visibility.ptr(&f, "visibility")
	v, err := parse(body, vis)
	if err := withFieldErrors(f, err); err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}

func (s *Server) createPost(c echo.Context) error {
	caller, err := callerOf(c)
	if err != nil {
		return err
	}
	draft, err := decodeBody[postRequestDTO](c)
	if err != nil {
		return err
	}
	v, err := s.opts.Social.Service.CreatePost(c.Request().Context(), caller.UserID, draft)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/posts/"+v.ID.String())
	return c.JSON(http.StatusCreated, toPostDTO(v))
}

func (s *Server) getPost(c echo.Context) error {
	return respondOnID(c, post.ErrNotFound, s.opts.Social.Service.GetPost, toPostDTO)
}

func (s *Server) updatePost(c echo.Context) error {
	me, id, err := callerOn(c, post.ErrNotFound)
	if err != nil {
		return err
	}
	patch, err := decodeBody[postPatchRequestDTO](c)
	if err != nil {
		return err
	}
	v, err := s.opts.Social.Service.UpdatePost(c.Request().Context(), me, id, patch)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPostDTO(v))
}

func (s *Server) deletePost(c echo.Context) error {
	return actOnID(c, post.ErrNotFound, s.opts.Social.Service.DeletePost)
}

func (s *Server) getFeed(c echo.Context) error {
	return respondList(c, s.opts.Social.Service.Feed, toPostDTO)
}

func (s *Server) listUserPosts(c echo.Context) error {
	return respondList(c, ofUser(c, s.opts.Social.Service.UserPosts), toPostDTO)
}
