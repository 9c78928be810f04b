package http

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"agora/domain/errs"
	"agora/domain/post"
	"agora/ports/social"
)

// postRequestDTO is the body of POST /posts and PATCH /posts/{id}.
type postRequestDTO struct {
	Body       nullableString `json:"body"`
	Visibility nullableString `json:"visibility"`
}

// decodePostRequest reads the body's two fields; a null is a field error of
// its own, reported before any rule of the domain is looked at.
func decodePostRequest(c echo.Context) (body, visibility *string, err error) {
	var r postRequestDTO
	if err := decodeJSON(c, &r); err != nil {
		return nil, nil, err
	}
	var fe errs.Fields
	body = r.Body.ptr(&fe, "body")
	visibility = r.Visibility.ptr(&fe, "visibility")
	return body, visibility, fe.Err()
}

func (s *Server) createPost(c echo.Context) error {
	svc, me, err := s.socialCaller(c)
	if err != nil {
		return err
	}
	body, vis, err := decodePostRequest(c)
	if err != nil {
		return err
	}
	draft, err := post.NewDraft(body, vis)
	if err != nil {
		return err
	}
	v, err := svc.CreatePost(c.Request().Context(), me, draft)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/posts/"+v.ID.String())
	return c.JSON(http.StatusCreated, toPostDTO(v))
}

func (s *Server) getPost(c echo.Context) error {
	return respondOnID(s, c, post.ErrNotFound, (*social.Service).GetPost, toPostDTO)
}

func (s *Server) updatePost(c echo.Context) error {
	svc, me, id, err := s.socialCallerOn(c, post.ErrNotFound)
	if err != nil {
		return err
	}
	body, vis, err := decodePostRequest(c)
	if err != nil {
		return err
	}
	patch, err := post.NewPatch(body, vis)
	if err != nil {
		return err
	}
	v, err := svc.UpdatePost(c.Request().Context(), me, id, patch)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPostDTO(v))
}

func (s *Server) deletePost(c echo.Context) error {
	return s.actOnID(c, post.ErrNotFound, (*social.Service).DeletePost)
}

func (s *Server) getFeed(c echo.Context) error {
	return respondList(s, c, (*social.Service).Feed, toPostDTO)
}

func (s *Server) listUserPosts(c echo.Context) error {
	return respondList(s, c, ofUser(c, (*social.Service).UserPosts), toPostDTO)
}
