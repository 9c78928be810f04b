package http

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/google/uuid"
)

// fuzzAPI is the whole HTTP adapter over in-memory fakes of every store,
// with one registered user and a post of theirs.
type fuzzAPI struct {
	srv    *Server
	token  string
	postID string
}

var fuzzOnce struct {
	sync.Once
	api *fuzzAPI
	err error
}

func newFuzzAPI(tb testing.TB) *fuzzAPI {
	tb.Helper()
	fuzzOnce.Do(func() {
		m, err := newMemServices()
		if err != nil {
			fuzzOnce.err = err
			return
		}
		srv, err := New(Options{Identity: m.identity, Social: m.social})
		if err != nil {
			fuzzOnce.err = err
			return
		}
		ids, socialStore := m.identity.Service, m.socialStore
		api := &fuzzAPI{srv: srv}
		var reg struct {
			AccessToken string `json:"access_token"`
			User        struct {
				ID string `json:"id"`
			} `json:"user"`
		}
		rec := api.do(http.MethodPost, "/api/v1/auth/register", "application/json",
			[]byte(`{"username":"fuzzer","email":"fuzzer@example.com","password":"correct horse battery"}`))
		if err := json.Unmarshal(rec.Body.Bytes(), &reg); err != nil || rec.Code != http.StatusCreated {
			fuzzOnce.err = err
			return
		}
		api.token = reg.AccessToken
		me, _ := ids.Me(context.Background(), mustUUID(reg.User.ID))
		socialStore.AddUser(me)
		rec = api.do(http.MethodPost, "/api/v1/posts", "application/json", []byte(`{"body":"hello"}`))
		var p struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(rec.Body.Bytes(), &p)
		api.postID = p.ID
		fuzzOnce.api = api
	})
	if fuzzOnce.err != nil || fuzzOnce.api == nil {
		tb.Fatalf("fuzz API set-up: %v", fuzzOnce.err)
	}
	return fuzzOnce.api
}

func (a *fuzzAPI) do(method, path, contentType string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	rec := httptest.NewRecorder()
	a.srv.ServeHTTP(rec, req)
	return rec
}

// bodyEndpoints is every endpoint that takes a JSON body.
func (a *fuzzAPI) bodyEndpoints() [][2]string {
	return [][2]string{
		{"POST", "/api/v1/auth/register"},
		{"POST", "/api/v1/auth/login"},
		{"POST", "/api/v1/auth/refresh"},
		{"POST", "/api/v1/auth/logout"},
		{"POST", "/api/v1/auth/password-reset"},
		{"POST", "/api/v1/auth/password-reset/confirm"},
		{"POST", "/api/v1/auth/verify-email/confirm"},
		{"PATCH", "/api/v1/users/me"},
		{"PUT", "/api/v1/users/me/password"},
		{"POST", "/api/v1/posts"},
		{"PATCH", "/api/v1/posts/" + a.postID},
		{"POST", "/api/v1/connection-requests"},
	}
}

// FuzzRequestBodies sends arbitrary bodies to every endpoint that decodes
// one: decoding and validation must answer 4xx (or 2xx), never 500 or panic.
func FuzzRequestBodies(f *testing.F) {
	seeds := []string{
		`{"username":"ab","email":"x","password":"short"}`,
		`{"login":"fuzzer","password":"correct horse battery"}`,
		`{"refresh_token":""}`, `{"email":"fuzzer@example.com"}`,
		`{"token":"x","new_password":"correct horse battery"}`,
		`{"display_name":null,"headline":"","bio":"` + string(bytes.Repeat([]byte("b"), 2001)) + `"}`,
		`{"current_password":"x","new_password":"y"}`,
		`{"body":"   ","visibility":"friends"}`, `{"body":"\u0000"}`, `{"username":"fuzzer","message":"hi"}`,
		`{}`, `[]`, `null`, `{"body":1}`, "\xff\xfe", `{"a":` + string(bytes.Repeat([]byte("["), 10000)),
	}
	for i, s := range seeds {
		f.Add(uint8(i), s, true)
	}
	f.Fuzz(func(t *testing.T, endpoint uint8, body string, json bool) {
		api := newFuzzAPI(t)
		eps := api.bodyEndpoints()
		ep := eps[int(endpoint)%len(eps)]
		ct := "application/json"
		if !json {
			ct = "text/plain"
		}
		rec := api.do(ep[0], ep[1], ct, []byte(body))
		if rec.Code >= 500 {
			t.Fatalf("%s %s with %q: %d %s", ep[0], ep[1], body, rec.Code, rec.Body.String())
		}
	})
}

func mustUUID(s string) uuid.UUID {
	id, err := uuid.Parse(s)
	if err != nil {
		panic(err)
	}
	return id
}
