package http

import (
	"context"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"agora/domain/user"
	"agora/ports"
	"agora/ports/social"
)

// SocialDeps are the services behind posts, connections and blocks.
type SocialDeps struct {
	// Service holds the social use cases (required).
	Service *social.Service
}

// registerSocialRoutes mounts posts, feed, profile, connection, block and
// export endpoints. Every one needs an access token.
func (s *Server) registerSocialRoutes(api *echo.Group) {
	auth := s.authenticate
	api.POST("/posts", s.createPost, auth)
	get(api, "/posts/:id", s.getPost, auth)
	api.PATCH("/posts/:id", s.updatePost, auth)
	api.DELETE("/posts/:id", s.deletePost, auth)
	get(api, "/feed", s.getFeed, auth)

	get(api, "/users/me/export", s.exportMe, auth)
	get(api, "/users/:username", s.getProfile, auth)
	get(api, "/users/:username/posts", s.listUserPosts, auth)
	get(api, "/users/:username/connections", s.listUserConnections, auth)
	get(api, "/users/:username/connections/mutual", s.listMutualConnections, auth)

	api.POST("/connection-requests", s.createConnectionRequest, auth)
	get(api, "/connection-requests", s.listConnectionRequests, auth)
	api.DELETE("/connection-requests/:id", s.withdrawConnectionRequest, auth)
	api.POST("/connection-requests/:id/accept", s.acceptConnectionRequest, auth)
	api.POST("/connection-requests/:id/decline", s.declineConnectionRequest, auth)
	get(api, "/connections", s.listConnections, auth)
	api.DELETE("/connections/:username", s.removeConnection, auth)

	get(api, "/blocks", s.listBlocks, auth)
	api.PUT("/blocks/:username", s.blockUser, auth)
	api.DELETE("/blocks/:username", s.unblockUser, auth)
}

// listFetch reads one page of a social list for the caller.
type listFetch[D any] func(ctx context.Context, me uuid.UUID, page ports.PageRequest) (ports.Page[D], error)

// respondList answers a list endpoint: the caller, ?limit and ?cursor, one
// service call, and the contract's envelope.
func respondList[D, T any](c echo.Context, fetch listFetch[D], mapItem func(D) T) error {
	caller, err := callerOf(c)
	if err != nil {
		return err
	}
	page, err := pageRequest(c)
	if err != nil {
		return err
	}
	p, err := fetch(c.Request().Context(), caller.UserID, page)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPageDTO(p, mapItem))
}

// ofUser is a list fetch for the user named in the path. The name is parsed
// after ?limit and ?cursor (respondList reads those first), so a bad page
// parameter answers before an unknown user, as it always has.
func ofUser[D any](c echo.Context,
	list func(ctx context.Context, me uuid.UUID, u user.Username, page ports.PageRequest) (ports.Page[D], error),
) listFetch[D] {
	return func(ctx context.Context, me uuid.UUID, page ports.PageRequest) (ports.Page[D], error) {
		u, err := pathUsername(c)
		if err != nil {
			return ports.Page[D]{}, err
		}
		return list(ctx, me, u, page)
	}
}

// actOnUser runs a use case on the user named in the path for the caller
// and answers 204.
func actOnUser(c echo.Context, act func(ctx context.Context, me uuid.UUID, u user.Username) error) error {
	caller, err := callerOf(c)
	if err != nil {
		return err
	}
	u, err := pathUsername(c)
	if err != nil {
		return err
	}
	if err := act(c.Request().Context(), caller.UserID, u); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// callerOn is callerOf plus the id in the path, checked in that order: an
// unauthenticated call answers 401 before a bad id answers 404.
func callerOn(c echo.Context, notFound error) (me, id uuid.UUID, err error) {
	caller, err := callerOf(c)
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	id, err = pathID(c, notFound)
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	return caller.UserID, id, nil
}

// respondOnID answers 200 with the one value a use case returns for the
// resource whose id is in the path.
func respondOnID[V, T any](c echo.Context, notFound error, fetch func(ctx context.Context, me, id uuid.UUID) (V, error), toDTO func(V) T) error {
	me, id, err := callerOn(c, notFound)
	if err != nil {
		return err
	}
	v, err := fetch(c.Request().Context(), me, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toDTO(v))
}

// actOnID runs a use case on the resource whose id is in the path and
// answers 204.
func actOnID(c echo.Context, notFound error, act func(ctx context.Context, me, id uuid.UUID) error) error {
	me, id, err := callerOn(c, notFound)
	if err != nil {
		return err
	}
	if err := act(c.Request().Context(), me, id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// pathUsername parses the username in the path. A name that breaks the
// username rule names nobody, so it is not found, like an unknown one (and
// costs no query).
func pathUsername(c echo.Context) (user.Username, error) {
	u, err := user.ParseUsername(c.Param("username"))
	if err != nil {
		return "", user.ErrNotFound
	}
	return u, nil
}

// pathID parses an id from the path; anything that is not an id in the
// one spelling the API issues (lower-case, hyphenated, 36 characters) names
// nothing, so it is not found (with the given error). uuid.Parse alone also
// takes upper case, braces, no hyphens and "urn:uuid:", which would give
// one resource several URLs.
func pathID(c echo.Context, notFound error) (uuid.UUID, error) {
	raw := c.Param("id")
	id, err := uuid.Parse(raw)
	if err != nil || id.String() != raw {
		return uuid.Nil, notFound
	}
	return id, nil
}
