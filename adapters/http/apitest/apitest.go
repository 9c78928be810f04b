// Package apitest drives the real HTTP API in tests and validates every
// request it sends and every response it gets against the OpenAPI document,
// so that the server and its document cannot drift apart.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Spec is a loaded, validated OpenAPI document with its router.
type Spec struct {
	doc    *openapi3.T
	router routers.Router
}

var specCache sync.Map // string(raw) -> *Spec

// LoadSpec parses and validates the document once per test binary.
func LoadSpec(t testing.TB, raw []byte) *Spec {
	t.Helper()
	if s, ok := specCache.Load(string(raw)); ok {
		return s.(*Spec)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		t.Fatalf("apitest: load OpenAPI document: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("apitest: invalid OpenAPI document: %v", err)
	}
	// Match paths regardless of the host the test server listens on.
	doc.Servers = openapi3.Servers{{URL: "/"}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("apitest: router: %v", err)
	}
	s := &Spec{doc: doc, router: router}
	specCache.Store(string(raw), s)
	return s
}

// Client sends requests to a running server.
type Client struct {
	t       testing.TB
	baseURL string
	spec    *Spec
	http    *http.Client
}

// New returns a client for the server at baseURL.
func New(t testing.TB, baseURL string, spec *Spec) *Client {
	return &Client{t: t, baseURL: strings.TrimRight(baseURL, "/"), spec: spec, http: &http.Client{}}
}

// Request describes one call. Body is JSON-encoded unless it is a []byte or
// string, which are sent as they are (to test malformed bodies).
type Request struct {
	Method  string
	Path    string
	Token   string
	Body    any
	Header  http.Header
	NoCheck bool // skip OpenAPI validation of the request (for deliberately bad requests)
}

// Response is a received answer with its body read.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test when it does not decode.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Map decodes the body as a JSON object.
func (r *Response) Map(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// Do sends the request and validates both sides against the document.
func (c *Client) Do(req Request) *Response {
	c.t.Helper()
	var body []byte
	switch b := req.Body.(type) {
	case nil:
	case []byte:
		body = b
	case string:
		body = []byte(b)
	default:
		var err error
		if body, err = json.Marshal(b); err != nil {
			c.t.Fatalf("encode body: %v", err)
		}
	}
	hreq, err := http.NewRequest(req.Method, c.baseURL+req.Path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatalf("new request: %v", err)
	}
	setHeaders(hreq.Header, req, body)
	res, err := c.http.Do(hreq)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.Path, err)
	}
	defer res.Body.Close()
	resBody, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("read body: %v", err)
	}
	out := &Response{Status: res.StatusCode, Header: res.Header, Body: resBody}
	c.validate(req, body, out)
	return out
}

// setHeaders puts the request's headers on h, as sent and as validated
// alike: the caller's own, JSON as the default type of a body, the token.
func setHeaders(h http.Header, req Request, body []byte) {
	for k, vs := range req.Header {
		h[k] = vs
	}
	if body != nil && h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	if req.Token != "" {
		h.Set("Authorization", "Bearer "+req.Token)
	}
}

func (c *Client) validate(req Request, body []byte, res *Response) {
	c.t.Helper()
	u, err := url.Parse("http://spec" + req.Path)
	if err != nil {
		c.t.Fatalf("parse path: %v", err)
	}
	vreq, _ := http.NewRequest(req.Method, u.String(), bytes.NewReader(body))
	setHeaders(vreq.Header, req, body)
	route, params, err := c.spec.router.FindRoute(vreq)
	if err != nil {
		if res.Status == http.StatusNotFound || res.Status == http.StatusMethodNotAllowed {
			return // probing unknown paths and methods is allowed; the problem body is checked by the caller
		}
		c.t.Fatalf("%s %s answered %d but is not in the OpenAPI document: %v", req.Method, req.Path, res.Status, err)
	}
	input := &openapi3filter.RequestValidationInput{
		Request: vreq, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	}
	if !req.NoCheck {
		if err := openapi3filter.ValidateRequest(context.Background(), input); err != nil {
			c.t.Fatalf("request %s %s does not match the OpenAPI document: %v", req.Method, req.Path, err)
		}
	}
	rvi := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: input,
		Status:                 res.Status,
		Header:                 res.Header,
		Body:                   io.NopCloser(bytes.NewReader(res.Body)),
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
			// Only JSON bodies are validated against schemas; the YAML
			// document and the HTML page are checked by their own tests.
			ExcludeResponseBody: !strings.Contains(res.Header.Get("Content-Type"), "json"),
		},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), rvi); err != nil {
		c.t.Fatalf("response to %s %s (%d %s) does not match the OpenAPI document: %v", req.Method, req.Path, res.Status, res.Body, err)
	}
}
