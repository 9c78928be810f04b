// Command goclient walks the README's walk-through (docs/walkthrough.sh) with
// the Go client that oapi-codegen generates from the OpenAPI document, with its
// default settings, the way a consumer would start. Every response must decode
// into its typed field (JSON200, JSON201, YAML200, ApplicationproblemJSON4xx,
// and the typed headers of the 204s); a transport or decode error, an
// unexpected status or an empty typed field ends the walk with exit status 1.
//
// The package goclient/agora does not exist in the repository: the test
// TestGeneratedGoClientWalksThrough (cmd/agora) copies this module to a temp
// dir, generates agora/client.gen.go there, builds it and runs it:
//
//	goclient BASE_URL SUFFIX
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"time"

	"goclient/agora"
)

const password = "correct horse battery staple"

func main() {
	if len(os.Args) != 3 || os.Args[1] == "" || os.Args[2] == "" {
		fmt.Fprintln(os.Stderr, "usage: goclient BASE_URL SUFFIX")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := agora.NewClientWithResponses(os.Args[1], agora.WithHTTPClient(&http.Client{Timeout: 30 * time.Second}))
	if err != nil {
		fail("client: %v", err)
	}
	walk(ctx, c, os.Args[2])
	fmt.Fprintln(os.Stderr, "walk-through complete")
}

func walk(ctx context.Context, c *agora.ClientWithResponses, s string) {
	aliceName, bobName := "alice_"+s, "bob_"+s

	step("Register alice and bob (each answer carries tokens)")
	alice := "Alice"
	reg, err := c.RegisterWithResponse(ctx, agora.RegisterRequest{
		Username: aliceName, Email: agora.Email(aliceName + "@example.com"), Password: password, DisplayName: &alice,
	})
	expect("POST /auth/register", reg, err, http.StatusCreated)
	if t := decoded("POST /auth/register", reg.JSON201); t.User.Username != aliceName || t.User.DisplayName != "Alice" || t.AccessToken == "" {
		fail("POST /auth/register: tokens for %q (%q), want alice", t.User.Username, t.User.DisplayName)
	}
	reg, err = c.RegisterWithResponse(ctx, agora.RegisterRequest{
		Username: bobName, Email: agora.Email(bobName + "@example.com"), Password: password,
	})
	expect("POST /auth/register", reg, err, http.StatusCreated)
	bobToken := decoded("POST /auth/register", reg.JSON201).AccessToken

	step("A bad registration answers a problem document that decodes too")
	reg, err = c.RegisterWithResponse(ctx, agora.RegisterRequest{Username: "x", Email: "x@example.com", Password: password})
	expect("POST /auth/register (bad username)", reg, err, http.StatusUnprocessableEntity)
	if p := decoded("POST /auth/register (bad username)", reg.ApplicationproblemJSON422); p.Status != 422 || p.Errors == nil ||
		len(*p.Errors) == 0 || (*p.Errors)[0].Field != "username" {
		fail("POST /auth/register (bad username): problem %+v, want 422 with errors[0].field username", p)
	}

	step("Log in as alice")
	login, err := c.LoginWithResponse(ctx, agora.LoginRequest{Login: aliceName, Password: password})
	expect("POST /auth/login", login, err, http.StatusOK)
	tokens := decoded("POST /auth/login", login.JSON200)

	step("Refresh: a new pair; the old refresh token is spent")
	ref, err := c.RefreshTokensWithResponse(ctx, agora.RefreshRequest{RefreshToken: tokens.RefreshToken})
	expect("POST /auth/refresh", ref, err, http.StatusOK)
	tokens = decoded("POST /auth/refresh", ref.JSON200)
	token, refresh := tokens.AccessToken, tokens.RefreshToken

	step("Who am I")
	me, err := c.GetMeWithResponse(ctx, bearer(token))
	expect("GET /users/me", me, err, http.StatusOK)
	if m := decoded("GET /users/me", me.JSON200); m.Username != aliceName || m.CreatedAt.IsZero() {
		fail("GET /users/me: %q created %v, want %q with a timestamp", m.Username, m.CreatedAt, aliceName)
	}

	step("Alice posts to her connections only")
	connectionsOnly := agora.CreatePostRequestVisibility("connections")
	created, err := c.CreatePostWithResponse(ctx, agora.CreatePostRequest{Body: "Hello, network!", Visibility: &connectionsOnly}, bearer(token))
	expect("POST /posts", created, err, http.StatusCreated)
	post := decoded("POST /posts", created.JSON201)
	if post.Visibility != "connections" || post.Author.Username != aliceName {
		fail("POST /posts: %+v, want alice's connections-only post", post)
	}

	step("Alice asks bob to connect; bob accepts")
	note := "We met at the meetup"
	cr, err := c.CreateConnectionRequestWithResponse(ctx, agora.NewConnectionRequest{Username: bobName, Message: &note}, bearer(token))
	expect("POST /connection-requests", cr, err, http.StatusCreated)
	req := decoded("POST /connection-requests", cr.JSON201)
	incoming, err := c.ListConnectionRequestsWithResponse(ctx, &agora.ListConnectionRequestsParams{Direction: "incoming"}, bearer(bobToken))
	expect("GET /connection-requests?direction=incoming", incoming, err, http.StatusOK)
	if items := decoded("GET /connection-requests?direction=incoming", incoming.JSON200).Items; len(items) != 1 || items[0].Id != req.Id {
		fail("GET /connection-requests?direction=incoming: %+v, want the request %s", items, req.Id)
	}
	acc, err := c.AcceptConnectionRequestWithResponse(ctx, req.Id, bearer(bobToken))
	expect("POST /connection-requests/{id}/accept", acc, err, http.StatusOK)
	if r := decoded("POST /connection-requests/{id}/accept", acc.JSON200); r.Status != agora.Accepted || r.RespondedAt == nil {
		fail("POST /connection-requests/{id}/accept: status %q responded_at %v", r.Status, r.RespondedAt)
	}

	step("Bob now sees alice's post, in his feed and by id")
	ten := 10
	feed, err := c.GetFeedWithResponse(ctx, &agora.GetFeedParams{Limit: &ten}, bearer(bobToken))
	expect("GET /feed?limit=10", feed, err, http.StatusOK)
	if items := decoded("GET /feed?limit=10", feed.JSON200).Items; len(items) == 0 || items[0].Id != post.Id {
		fail("GET /feed?limit=10: %+v, want alice's post first", items)
	}
	got, err := c.GetPostWithResponse(ctx, post.Id, bearer(bobToken))
	expect("GET /posts/{id}", got, err, http.StatusOK)
	if p := decoded("GET /posts/{id}", got.JSON200); p.Author.DisplayName != "Alice" {
		fail("GET /posts/{id}: author %q, want Alice", p.Author.DisplayName)
	}

	step("Alice's profile as bob sees it")
	prof, err := c.GetProfileWithResponse(ctx, aliceName, bearer(bobToken))
	expect("GET /users/{username}", prof, err, http.StatusOK)
	if p := decoded("GET /users/{username}", prof.JSON200); p.Connection != agora.ProfileConnection("connected") || p.ConnectionsCount != 1 {
		fail("GET /users/{username}: connection %q, connections_count %d", p.Connection, p.ConnectionsCount)
	}

	step("Pages: limit and next_cursor (keyset, stable while posts arrive)")
	created, err = c.CreatePostWithResponse(ctx, agora.CreatePostRequest{Body: "A second, public post."}, bearer(token))
	expect("POST /posts", created, err, http.StatusCreated)
	if p := decoded("POST /posts", created.JSON201); p.Visibility != "public" {
		fail("POST /posts: visibility %q, want the default public", p.Visibility)
	}
	one := 1
	page1, err := c.GetFeedWithResponse(ctx, &agora.GetFeedParams{Limit: &one}, bearer(bobToken))
	expect("GET /feed?limit=1", page1, err, http.StatusOK)
	cursor := decoded("GET /feed?limit=1", page1.JSON200).NextCursor
	if cursor == nil {
		fail("GET /feed?limit=1: next_cursor is null on the first of two pages")
	}
	page2, err := c.GetFeedWithResponse(ctx, &agora.GetFeedParams{Limit: &one, Cursor: cursor}, bearer(bobToken))
	expect("GET /feed?limit=1&cursor=...", page2, err, http.StatusOK)
	if items := decoded("GET /feed?limit=1&cursor=...", page2.JSON200).Items; len(items) != 1 || items[0].Id != post.Id {
		fail("GET /feed?limit=1&cursor=...: %+v, want alice's first post", items)
	}

	step("Connections; everything stored about you (sessions without secrets)")
	conns, err := c.ListConnectionsWithResponse(ctx, &agora.ListConnectionsParams{}, bearer(token))
	expect("GET /connections", conns, err, http.StatusOK)
	if items := decoded("GET /connections", conns.JSON200).Items; len(items) != 1 || items[0].User.Username != bobName {
		fail("GET /connections: %+v, want bob", items)
	}
	exp, err := c.ExportMeWithResponse(ctx, bearer(token))
	expect("GET /users/me/export", exp, err, http.StatusOK)
	if e := decoded("GET /users/me/export", exp.JSON200); len(e.Posts) != 2 || len(e.Sessions) < 1 || e.ExportedAt.IsZero() {
		fail("GET /users/me/export: %d posts, %d sessions, exported_at %v", len(e.Posts), len(e.Sessions), e.ExportedAt)
	}

	step("The public keys that verify access tokens")
	jwks, err := c.GetJWKSWithResponse(ctx)
	expect("GET /.well-known/jwks.json", jwks, err, http.StatusOK)
	if k := decoded("GET /.well-known/jwks.json", jwks.JSON200).Keys; len(k) == 0 || k[0].Alg != "EdDSA" {
		fail("GET /.well-known/jwks.json: keys %+v, want an EdDSA key first", k)
	}

	step("This API's own document, decoded as what it is (a YAML mapping)")
	doc, err := c.GetOpenAPIDocumentWithResponse(ctx)
	expect("GET /api/v1/openapi.yaml", doc, err, http.StatusOK)
	if d := *decoded("GET /api/v1/openapi.yaml", doc.YAML200); d["openapi"] == nil || d["paths"] == nil {
		fail("GET /api/v1/openapi.yaml: decoded without openapi or paths")
	}

	step("Bob blocks alice: each is now 404 to the other (and their connection is gone)")
	blk, err := c.BlockUserWithResponse(ctx, aliceName, bearer(bobToken))
	expect("PUT /blocks/{username}", blk, err, http.StatusNoContent)
	decoded("PUT /blocks/{username}", blk.Headers204)
	hidden, err := c.GetProfileWithResponse(ctx, bobName, bearer(token))
	expect("GET /users/{username} (blocked)", hidden, err, http.StatusNotFound)
	if p := decoded("GET /users/{username} (blocked)", hidden.ApplicationproblemJSON404); p.Status != 404 || p.RequestId == "" {
		fail("GET /users/{username} (blocked): problem %+v", p)
	}
	unblk, err := c.UnblockUserWithResponse(ctx, aliceName, bearer(bobToken))
	expect("DELETE /blocks/{username}", unblk, err, http.StatusNoContent)
	decoded("DELETE /blocks/{username}", unblk.Headers204)

	step("Log out: the refresh token and the access token stop working at once")
	out, err := c.LogoutWithResponse(ctx, agora.LogoutRequest{RefreshToken: refresh})
	expect("POST /auth/logout", out, err, http.StatusNoContent)
	decoded("POST /auth/logout", out.Headers204)
	me, err = c.GetMeWithResponse(ctx, bearer(token))
	expect("GET /users/me (after logout)", me, err, http.StatusUnauthorized)
	if p := decoded("GET /users/me (after logout)", me.ApplicationproblemJSON401); p.Status != 401 {
		fail("GET /users/me (after logout): problem %+v", p)
	}
	if h := me.HTTPResponse.Header.Get("WWW-Authenticate"); h == "" {
		fail("GET /users/me (after logout): no WWW-Authenticate header")
	}
}

// response is what every generated *XxxResponse has.
type response interface {
	StatusCode() int
}

func bearer(token string) agora.RequestEditorFn {
	return func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+token)
		return nil
	}
}

func step(what string) { fmt.Fprintf(os.Stderr, "\n== %s\n", what) }

// expect ends the walk unless the call returned without a transport or decode
// error and answered the wanted status.
func expect(what string, r response, err error, want int) {
	if err != nil {
		fail("%s: %v", what, err)
	}
	fmt.Fprintf(os.Stderr, "%s -> %d\n", what, r.StatusCode())
	if r.StatusCode() != want {
		fail("%s: status %d, want %d; body: %s", what, r.StatusCode(), want, bodyOf(r))
	}
}

// decoded ends the walk unless the generated client filled the typed field.
func decoded[T any](what string, v *T) *T {
	if v == nil {
		fail("%s: the typed %T field is empty (the response did not decode into it)", what, v)
	}
	return v
}

// bodyOf reads the raw Body field that every generated response carries.
func bodyOf(r response) string {
	v := reflect.Indirect(reflect.ValueOf(r)).FieldByName("Body")
	if !v.IsValid() {
		return "(no body field)"
	}
	return string(v.Bytes())
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "goclient: FAIL: "+format+"\n", args...)
	os.Exit(1)
}
