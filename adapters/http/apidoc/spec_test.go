package apidoc_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"agora/adapters/http/apidoc"
)

// contractEndpoints is every endpoint of shared/CONTRACT.md, written as the
// document writes it (method, full path).
var contractEndpoints = []struct {
	method, path string
	public       bool
}{
	{"POST", "/api/v1/auth/register", true},
	{"POST", "/api/v1/auth/login", true},
	{"POST", "/api/v1/auth/refresh", true},
	{"POST", "/api/v1/auth/logout", true},
	{"POST", "/api/v1/auth/password-reset", true},
	{"POST", "/api/v1/auth/password-reset/confirm", true},
	{"POST", "/api/v1/auth/verify-email", false},
	{"POST", "/api/v1/auth/verify-email/confirm", true},
	{"GET", "/.well-known/jwks.json", true},
	{"GET", "/api/v1/users/me", false},
	{"PATCH", "/api/v1/users/me", false},
	{"PUT", "/api/v1/users/me/password", false},
	{"DELETE", "/api/v1/users/me", false},
	{"GET", "/api/v1/users/me/export", false},
	{"GET", "/api/v1/users/{username}", false},
	{"GET", "/api/v1/users", false},
	{"POST", "/api/v1/posts", false},
	{"GET", "/api/v1/posts/{id}", false},
	{"PATCH", "/api/v1/posts/{id}", false},
	{"DELETE", "/api/v1/posts/{id}", false},
	{"GET", "/api/v1/users/{username}/posts", false},
	{"GET", "/api/v1/feed", false},
	{"POST", "/api/v1/connection-requests", false},
	{"GET", "/api/v1/connection-requests", false},
	{"POST", "/api/v1/connection-requests/{id}/accept", false},
	{"POST", "/api/v1/connection-requests/{id}/decline", false},
	{"DELETE", "/api/v1/connection-requests/{id}", false},
	{"GET", "/api/v1/connections", false},
	{"GET", "/api/v1/users/{username}/connections", false},
	{"GET", "/api/v1/users/{username}/connections/mutual", false},
	{"DELETE", "/api/v1/connections/{username}", false},
	{"PUT", "/api/v1/blocks/{username}", false},
	{"DELETE", "/api/v1/blocks/{username}", false},
	{"GET", "/api/v1/blocks", false},
	{"GET", "/healthz", true},
	{"GET", "/readyz", true},
	{"GET", "/metrics", true},
	{"GET", "/api/v1/openapi.yaml", true},
	{"GET", "/docs", true},
}

// paginated lists the operations that take limit and cursor.
var paginated = []string{
	"GET /api/v1/users", "GET /api/v1/users/{username}/posts", "GET /api/v1/feed",
	"GET /api/v1/connection-requests", "GET /api/v1/connections",
	"GET /api/v1/users/{username}/connections", "GET /api/v1/users/{username}/connections/mutual",
	"GET /api/v1/blocks",
}

// probes are not rate limited and have no client errors.
var probes = []string{"GET /healthz", "GET /readyz", "GET /metrics"}

func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(apidoc.Spec)
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("openapi.yaml does not validate: %v", err)
	}
	return doc
}

func TestSpecLoadsAndValidates(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi version = %q, want 3.x", doc.OpenAPI)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "/" {
		t.Errorf("servers must be [{url: /}]")
	}
	for _, word := range []string{"Authorization: Bearer", "next_cursor", "application/problem+json", "Retry-After", "429"} {
		if !strings.Contains(doc.Info.Description, word) {
			t.Errorf("info.description does not mention %q", word)
		}
	}
	if s := doc.Components.SecuritySchemes["bearerAuth"]; s == nil || s.Value.Type != "http" || s.Value.Scheme != "bearer" || s.Value.BearerFormat != "JWT" {
		t.Errorf("components.securitySchemes.bearerAuth must be http bearer JWT")
	}
	if len(doc.Security) != 1 || doc.Security[0]["bearerAuth"] == nil {
		t.Errorf("bearerAuth must be the global security requirement")
	}
	for _, name := range []string{"UserSummary", "Me", "Profile", "Post", "ConnectionRequest", "Connection", "Tokens",
		"UserSummaryPage", "PostPage", "ConnectionPage", "ConnectionRequestPage", "Problem", "FieldError",
		"Export", "Session", "JWKS"} {
		if doc.Components.Schemas[name] == nil {
			t.Errorf("components.schemas.%s is missing", name)
		}
	}
	for _, name := range []string{"BadRequest", "Unauthorized", "Forbidden", "NotFound", "Conflict", "PayloadTooLarge",
		"UnsupportedMediaType", "UnprocessableEntity", "TooManyRequests", "ServiceUnavailable"} {
		if doc.Components.Responses[name] == nil {
			t.Errorf("components.responses.%s is missing", name)
		}
	}
	for _, name := range []string{"Limit", "CursorParam"} {
		if doc.Components.Parameters[name] == nil {
			t.Errorf("components.parameters.%s is missing", name)
		}
	}
}

func TestSpecListsExactlyTheContractEndpoints(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t)
	want := map[string]bool{}
	for _, e := range contractEndpoints {
		key := e.method + " " + e.path
		want[key] = true
		op := doc.Paths.Find(e.path)
		if op == nil || op.GetOperation(e.method) == nil {
			t.Errorf("%s is not in the document", key)
			continue
		}
		o := op.GetOperation(e.method)
		public := o.Security != nil && len(*o.Security) == 0
		if public != e.public {
			t.Errorf("%s: public = %v, want %v (security: [] marks a public endpoint)", key, public, e.public)
		}
	}
	for p, item := range doc.Paths.Map() {
		for m := range item.Operations() {
			if !want[m+" "+p] {
				t.Errorf("%s %s is in the document but not in the contract", m, p)
			}
		}
	}
}

func TestSpecOperationsAreComplete(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t)
	tags := map[string]bool{}
	for _, tag := range doc.Tags {
		tags[tag.Name] = true
	}
	for _, want := range []string{"auth", "account", "users", "posts", "connections", "blocks", "operations"} {
		if !tags[want] {
			t.Errorf("tag %q is missing", want)
		}
	}
	ids := map[string]bool{}
	for p, item := range doc.Paths.Map() {
		for m, op := range item.Operations() {
			key := m + " " + p
			if op.OperationID == "" || ids[op.OperationID] {
				t.Errorf("%s: operationId %q missing or duplicate", key, op.OperationID)
			}
			ids[op.OperationID] = true
			if len(op.Tags) != 1 || !tags[op.Tags[0]] {
				t.Errorf("%s: wants exactly one declared tag, has %v", key, op.Tags)
			}
			if op.Summary == "" {
				t.Errorf("%s: no summary", key)
			}
			checkRequestBody(t, key, op)
			checkResponses(t, key, op)
			if slices.Contains(paginated, key) {
				checkPaginated(t, key, item, op)
			}
		}
	}
}

func checkRequestBody(t *testing.T, key string, op *openapi3.Operation) {
	t.Helper()
	if op.RequestBody == nil {
		return
	}
	rb := op.RequestBody.Value
	if !rb.Required || len(rb.Content) != 1 || rb.Content["application/json"] == nil {
		t.Errorf("%s: request body must be required and application/json only", key)
		return
	}
	mt := rb.Content["application/json"]
	s := mt.Schema.Value
	if s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has {
		t.Errorf("%s: request body schema must set additionalProperties: false", key)
	}
	if mt.Example == nil && len(mt.Examples) == 0 {
		t.Errorf("%s: request body has no example", key)
	}
	for _, code := range []string{"400", "413", "415", "422"} {
		if op.Responses.Value(code) == nil {
			t.Errorf("%s: takes a body but does not document %s", key, code)
		}
	}
}

func checkResponses(t *testing.T, key string, op *openapi3.Operation) {
	t.Helper()
	public := op.Security != nil && len(*op.Security) == 0
	if !public && op.Responses.Value("401") == nil {
		t.Errorf("%s: authenticated but no 401", key)
	}
	if !slices.Contains(probes, key) && op.Responses.Value("429") == nil {
		t.Errorf("%s: no 429", key)
	}
	if op.Responses.Default() != nil {
		t.Errorf("%s: a default response would hide undocumented statuses", key)
	}
	for code, ref := range op.Responses.Map() {
		r := ref.Value
		where := key + " " + code
		if h := r.Headers["X-Request-ID"]; h == nil || !h.Value.Required {
			t.Errorf("%s: X-Request-ID header missing or not required", where)
		}
		for ct, mt := range r.Content {
			if mt.Example == nil && len(mt.Examples) == 0 {
				t.Errorf("%s %s: no example", where, ct)
			}
		}
		isError := code[0] == '4' || code[0] == '5'
		if isError && key != "GET /readyz" {
			mt := r.Content["application/problem+json"]
			if len(r.Content) != 1 || mt == nil || mt.Schema.Ref != "#/components/schemas/Problem" {
				t.Errorf("%s: an error must be application/problem+json with the Problem schema", where)
			}
			if ref.Ref == "" {
				t.Errorf("%s: use the reusable components.responses", where)
			}
		}
		switch code {
		case "401":
			requireHeader(t, where, r, "WWW-Authenticate")
		case "429", "503":
			requireHeader(t, where, r, "Retry-After")
		case "201":
			if key != "POST /api/v1/auth/register" { // Tokens, not a resource with a URL
				requireHeader(t, where, r, "Location")
			}
		}
	}
}

func requireHeader(t *testing.T, where string, r *openapi3.Response, name string) {
	t.Helper()
	if h := r.Headers[name]; h == nil || !h.Value.Required {
		t.Errorf("%s: required header %s missing", where, name)
	}
}

func checkPaginated(t *testing.T, key string, item *openapi3.PathItem, op *openapi3.Operation) {
	t.Helper()
	refs := map[string]bool{}
	for _, p := range append(slices.Clone(item.Parameters), op.Parameters...) {
		refs[p.Ref] = true
	}
	for _, want := range []string{"#/components/parameters/Limit", "#/components/parameters/CursorParam"} {
		if !refs[want] {
			t.Errorf("%s: does not use %s", key, want)
		}
	}
	if op.Responses.Value("400") == nil {
		t.Errorf("%s: paginated but no 400 for a bad limit or cursor", key)
	}
	ok := op.Responses.Status(http.StatusOK)
	if ok == nil {
		t.Errorf("%s: no 200", key)
		return
	}
	s := ok.Value.Content["application/json"].Schema.Value
	if s.Properties["items"] == nil || s.Properties["next_cursor"] == nil || !s.Properties["next_cursor"].Value.Nullable {
		t.Errorf("%s: 200 is not a page {items, next_cursor|null}", key)
	}
}

// TestSpecSchemasFollowTheContract pins the shapes and limits of the contract.
func TestSpecSchemasFollowTheContract(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t)
	shapes := map[string][]string{
		"UserSummary":       {"id", "username", "display_name"},
		"Me":                {"id", "username", "email", "email_verified", "display_name", "headline", "bio", "created_at", "updated_at"},
		"Profile":           {"id", "username", "display_name", "headline", "bio", "created_at", "connections_count", "mutual_connections_count", "connection"},
		"Post":              {"id", "author", "body", "visibility", "created_at", "updated_at"},
		"ConnectionRequest": {"id", "from", "to", "message", "status", "created_at", "responded_at"},
		"Connection":        {"user", "connected_at"},
		"Tokens":            {"access_token", "refresh_token", "token_type", "expires_in", "user"},
		"Problem":           {"type", "title", "status", "detail", "request_id", "errors"},
		"FieldError":        {"field", "message"},
		"Export":            {"exported_at", "user", "posts", "connection_requests", "connections", "blocks", "sessions"},
		"Session":           {"id", "created_at", "last_used_at", "expires_at", "revoked_at"},
		"JWKS":              {"keys"},
	}
	for name, fields := range shapes {
		s := doc.Components.Schemas[name].Value
		var got []string
		for f := range s.Properties {
			got = append(got, f)
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(fields))
		if !slices.Equal(got, want) {
			t.Errorf("%s fields = %v, want %v", name, got, want)
		}
		if s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has {
			t.Errorf("%s must be closed (additionalProperties: false)", name)
		}
	}
	limits := []struct {
		schema   string
		min, max uint64
	}{
		{"Username", 3, 30}, {"Password", 8, 128}, {"DisplayName", 1, 100}, {"Headline", 0, 200},
		{"Bio", 0, 2000}, {"PostBody", 1, 5000},
	}
	for _, l := range limits {
		s := doc.Components.Schemas[l.schema].Value
		if s.MinLength != l.min || s.MaxLength == nil || *s.MaxLength != l.max {
			t.Errorf("%s length limits = %d..%v, want %d..%d", l.schema, s.MinLength, s.MaxLength, l.min, l.max)
		}
	}
	if s := doc.Components.Schemas["Email"].Value; s.MaxLength == nil || *s.MaxLength != 254 {
		t.Errorf("Email must be at most 254 characters")
	}
	msg := doc.Components.Schemas["NewConnectionRequest"].Value.Properties["message"].Value
	if msg.MaxLength == nil || *msg.MaxLength != 300 {
		t.Errorf("connection request message must be at most 300 characters")
	}
	username := doc.Components.Schemas["Username"].Value
	for _, c := range []struct {
		v  string
		ok bool
	}{{"ada_lovelace", true}, {"Ab1", true}, {"ab", false}, {"has space", false}, {"ümlaut", false}, {strings.Repeat("a", 31), false}} {
		if err := username.VisitJSON(c.v); (err == nil) != c.ok {
			t.Errorf("username %q: valid = %v, want %v", c.v, err == nil, c.ok)
		}
	}
	body := doc.Components.Schemas["PostBody"].Value
	for _, c := range []struct {
		v  string
		ok bool
	}{{"hello", true}, {" \t\n ", false}, {"", false}, {strings.Repeat("é", 5000), true}, {strings.Repeat("x", 5001), false}} {
		if err := body.VisitJSON(c.v); (err == nil) != c.ok {
			t.Errorf("post body %q: valid = %v, want %v", c.v, err == nil, c.ok)
		}
	}
	connection := doc.Components.Schemas["Profile"].Value.Properties["connection"].Value
	var states []string
	for _, e := range connection.Enum {
		states = append(states, e.(string))
	}
	if !slices.Equal(states, []string{"self", "none", "pending_outgoing", "pending_incoming", "connected"}) {
		t.Errorf("Profile.connection enum = %v", states)
	}
	for _, nullable := range []struct{ schema, field string }{{"ConnectionRequest", "responded_at"}, {"Session", "revoked_at"}} {
		if !doc.Components.Schemas[nullable.schema].Value.Properties[nullable.field].Value.Nullable {
			t.Errorf("%s.%s must be nullable", nullable.schema, nullable.field)
		}
	}
}
