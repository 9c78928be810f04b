package http

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"agora/domain/errs"
)

type sampleDTO struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

func decodeString(contentType, body string) error {
	e := echo.New()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	if contentType != "" {
		req.Header.Set(echo.HeaderContentType, contentType)
	}
	c := e.NewContext(req, httptest.NewRecorder())
	var v sampleDTO
	return decodeJSON(c, &v)
}

func TestDecodeJSON(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, ct, body string
		want           error
		detail         string
	}{
		{"ok", "application/json", `{"name":"a","count":1}`, nil, ""},
		{"ok with charset", "application/json; charset=utf-8", `{"name":"a"}`, nil, ""},
		{"ok with charset in capitals", "application/json; charset=UTF-8", `{"name":"a"}`, nil, ""},
		// JSON is UTF-8: a body declared in another charset is not JSON this API reads.
		{"latin1", "application/json; charset=latin1", `{"name":"a"}`, errUnsupportedMediaType, "UTF-8"},
		{"utf-16", "application/json; charset=utf-16", `{"name":"a"}`, errUnsupportedMediaType, "UTF-8"},
		{"empty charset", "application/json; charset=", `{"name":"a"}`, errUnsupportedMediaType, ""},
		{"no content type", "", `{"name":"a"}`, errUnsupportedMediaType, ""},
		{"form", "application/x-www-form-urlencoded", `name=a`, errUnsupportedMediaType, ""},
		{"text", "text/plain", `{"name":"a"}`, errUnsupportedMediaType, ""},
		{"empty", "application/json", ``, errs.ErrBadRequest, "empty"},
		{"not json", "application/json", `{name:a}`, errs.ErrBadRequest, "not valid JSON"},
		{"truncated", "application/json", `{"name":"a"`, errs.ErrBadRequest, "truncated"},
		{"unknown field", "application/json", `{"name":"a","admin":true}`, errs.ErrBadRequest, `"admin"`},
		{"wrong type", "application/json", `{"name":1}`, errs.ErrBadRequest, `"name" must be of JSON type string`},
		{"array", "application/json", `[1,2]`, errs.ErrBadRequest, "must be a JSON object"},
		{"trailing data", "application/json", `{"name":"a"} {"name":"b"}`, errs.ErrBadRequest, "after the JSON object"},
		{"trailing garbage", "application/json", `{"name":"a"}x`, errs.ErrBadRequest, ""},
		// The contract's Input line: invalid UTF-8, duplicate names and names
		// that differ from a field only by case are malformed.
		{"invalid UTF-8 in a string", "application/json", "{\"name\":\"a\xffb\"}", errs.ErrBadRequest, "UTF-8"},
		{"invalid UTF-8 in a name", "application/json", "{\"na\xc3me\":\"a\"}", errs.ErrBadRequest, "UTF-8"},
		{"lone surrogate escape", "application/json", `{"name":"\ud800"}`, errs.ErrBadRequest, ""},
		{"duplicate name", "application/json", `{"name":"a","name":"b"}`, errs.ErrBadRequest, `"name" more than once`},
		{"duplicate name, other field", "application/json", `{"count":1,"name":"a","count":2}`, errs.ErrBadRequest, `"count" more than once`},
		{"name in other case", "application/json", `{"NAME":"a"}`, errs.ErrBadRequest, `"NAME"`},
		{"name and its other case", "application/json", `{"name":"a","Name":"b"}`, errs.ErrBadRequest, `"Name"`},
		{"escaped NUL is well-formed (the domain refuses it)", "application/json", `{"name":"\u0000"}`, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := decodeString(c.ct, c.body)
			if c.want == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if !strings.Contains(errs.MessageOf(err), c.detail) {
				t.Fatalf("message %q lacks %q", errs.MessageOf(err), c.detail)
			}
		})
	}
}

func TestQueryLimit(t *testing.T) {
	t.Parallel()
	e := echo.New()
	for raw, want := range map[string]int{"": 20, "limit=1": 1, "limit=100": 100, "limit=050": 50, "q=x": 20} {
		c := e.NewContext(httptest.NewRequest(http.MethodGet, "/?"+raw, nil), httptest.NewRecorder())
		if got, err := queryLimit(c); err != nil || got != want {
			t.Errorf("%q: %d, %v", raw, got, err)
		}
	}
	// An integer outside 1-100 breaks a rule: 422 with an errors entry for limit.
	for _, raw := range []string{"0", "101", "-1", "99999999999999999999", "-99999999999999999999"} {
		c := e.NewContext(httptest.NewRequest(http.MethodGet, "/?limit="+raw, nil), httptest.NewRecorder())
		_, err := queryLimit(c)
		if !errors.Is(err, errs.ErrInvalid) || len(errs.FieldsOf(err)) != 1 || errs.FieldsOf(err)[0].Field != "limit" {
			t.Errorf("limit=%q: %v", raw, err)
		}
	}
	// Something that is not an integer is malformed: 400.
	// An empty "?limit=" is given but not an integer.
	for _, raw := range []string{"", "ten", "1.5", "%00", "1e2", "%205"} {
		c := e.NewContext(httptest.NewRequest(http.MethodGet, "/?limit="+raw, nil), httptest.NewRecorder())
		_, err := queryLimit(c)
		if !errors.Is(err, errs.ErrBadRequest) || len(errs.FieldsOf(err)) != 1 || errs.FieldsOf(err)[0].Field != "limit" {
			t.Errorf("limit=%q: %v", raw, err)
		}
	}
}

// A content coding is not decoded, so a body that declares one is refused
// as unsupported (415) instead of reaching the JSON decoder as binary.
func TestDecodeJSONRefusesContentCodings(t *testing.T) {
	t.Parallel()
	e := echo.New()
	for codings, ok := range map[string]bool{"": true, "identity": true, "gzip": false, "GZIP": false, "br": false, "identity, gzip": false, "x-anything": false} {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"name":"a"}`))
		req.Header.Set(echo.HeaderContentType, "application/json")
		if codings != "" {
			req.Header.Set("Content-Encoding", codings)
		}
		var v sampleDTO
		err := decodeJSON(e.NewContext(req, httptest.NewRecorder()), &v)
		if ok != (err == nil) || !ok && !errors.Is(err, errUnsupportedMediaType) {
			t.Errorf("Content-Encoding %q: %v", codings, err)
		}
	}
}

// No input makes the decoder panic or return an error of an unexpected kind.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"name":"a","count":1}`, `{}`, `[]`, `{"name":null}`, `{"count":1e400}`, "\xff", `{"name":"\ud800"}`} {
		f.Add("application/json", s)
	}
	f.Add("text/plain", "x")
	f.Fuzz(func(t *testing.T, ct, body string) {
		err := decodeString(ct, body)
		if err == nil {
			return
		}
		if !errors.Is(err, errs.ErrBadRequest) && !errors.Is(err, errUnsupportedMediaType) && !errors.Is(err, errPayloadTooLarge) {
			t.Fatalf("unexpected error kind for %q %q: %v", ct, body, err)
		}
	})
}

// A client that goes away mid-request is recorded as 499, not as a server error.
func TestClientGoneIs499NotServerError(t *testing.T) {
	t.Parallel()
	s := newServer(t, Options{})
	e := echo.New()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest(http.MethodGet, "/", nil).WithContext(ctx)
	rec := httptest.NewRecorder()
	c := e.NewContext(req, rec)
	s.handleError(fmt.Errorf("load feed: %w", context.Canceled), c)
	if rec.Code != 499 {
		t.Fatalf("status %d, want 499", rec.Code)
	}
}

// An explicit null, an omitted field and a value stay distinguishable under
// the strict decoder (the contract answers 422 for a null).
func TestNullableStringUnderTheStrictDecoder(t *testing.T) {
	t.Parallel()
	e := echo.New()
	for body, want := range map[string]nullableString{
		`{"body":null}`: {Set: true, Null: true},
		`{}`:            {},
		`{"body":"x"}`:  {Set: true, Value: "x"},
		`{"body":""}`:   {Set: true},
	} {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set(echo.HeaderContentType, "application/json")
		var v postRequestDTO
		if err := decodeJSON(e.NewContext(req, httptest.NewRecorder()), &v); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if v.Body != want {
			t.Errorf("%s: %+v, want %+v", body, v.Body, want)
		}
	}
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"body":1}`))
	req.Header.Set(echo.HeaderContentType, "application/json")
	var v postRequestDTO
	if err := decodeJSON(e.NewContext(req, httptest.NewRecorder()), &v); !errors.Is(err, errs.ErrBadRequest) {
		t.Fatalf("a number for a string: %v", err)
	}
}

// A member name comes from the client: the detail quotes at most 64 bytes of it.
func TestUnknownNameIsQuotedShort(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 5000)
	err := decodeString("application/json", `{"`+long+`":1}`)
	msg := errs.MessageOf(err)
	if !errors.Is(err, errs.ErrBadRequest) || len(msg) > 200 || !strings.Contains(msg, strings.Repeat("x", 64)+"…") {
		t.Fatalf("%v: %q", err, msg)
	}
}
