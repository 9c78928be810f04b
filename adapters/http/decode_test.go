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
	for raw, want := range map[string]int{"": 20, "1": 1, "100": 100} {
		c := e.NewContext(httptest.NewRequest(http.MethodGet, "/?limit="+raw, nil), httptest.NewRecorder())
		if got, err := queryLimit(c); err != nil || got != want {
			t.Errorf("limit=%q: %d, %v", raw, got, err)
		}
	}
	for _, raw := range []string{"0", "101", "-1", "ten", "1.5", "99999999999999999999"} {
		c := e.NewContext(httptest.NewRequest(http.MethodGet, "/?limit="+raw, nil), httptest.NewRecorder())
		_, err := queryLimit(c)
		if !errors.Is(err, errs.ErrBadRequest) || len(errs.FieldsOf(err)) != 1 || errs.FieldsOf(err)[0].Field != "limit" {
			t.Errorf("limit=%q: %v", raw, err)
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
	s := New(Options{})
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
