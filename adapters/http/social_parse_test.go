package http

import (
	"encoding/json"
	"strings"
	"testing"
)

// The social handlers parse every raw input (bodies, path usernames, the
// direction) into domain values before a use case runs. These are the
// answers the API gave before parsing moved out of the service, pinned
// whole: status, detail and every field error, in order. One answer grew
// since: a bad username and a bad message are reported together (every
// broken rule at once), where the username's error used to come alone.
func TestSocialInputIsParsedAtTheEdge(t *testing.T) {
	t.Parallel()
	api := newFuzzAPI(t)
	long := strings.Repeat("m", 301)
	assertProblems(t, api, []problemCase{
		{"POST", "/api/v1/posts", `{}`, 422, "the request breaks one or more rules|body: is required"},
		{"POST", "/api/v1/posts", `{"visibility": "bad"}`, 422, "the request breaks one or more rules|body: is required"},
		{"POST", "/api/v1/posts", `{"body": "  ", "visibility": "nope"}`, 422, "the request breaks one or more rules|body: must not be only white space or invisible characters|visibility: must be \"public\" or \"connections\""},
		{"POST", "/api/v1/posts", `{"body": null, "visibility": "nope"}`, 422, "the request breaks one or more rules|body: must not be null"},
		{"POST", "/api/v1/posts", `{"body": "` + strings.Repeat("b", 5001) + `"}`, 422, "the request breaks one or more rules|body: must be 1-5000 characters"},
		{"PATCH", "/api/v1/posts/{post}", `{"body": ""}`, 422, "the request breaks one or more rules|body: must be 1-5000 characters"},
		{"PATCH", "/api/v1/posts/{post}", `{"body": "", "visibility": "everyone"}`, 422, "the request breaks one or more rules|body: must be 1-5000 characters|visibility: must be \"public\" or \"connections\""},
		{"PATCH", "/api/v1/posts/{post}", `{"visibility": null}`, 422, "the request breaks one or more rules|visibility: must not be null"},
		{"PATCH", "/api/v1/posts/not-an-id", `{"body": ""}`, 404, "The post does not exist."},
		{"POST", "/api/v1/connection-requests", `{}`, 422, "the request breaks one or more rules|username: is required"},
		{"POST", "/api/v1/connection-requests", `{"username": null, "message": null}`, 422, "the request breaks one or more rules|username: must not be null|message: must not be null"},
		{"POST", "/api/v1/connection-requests", `{"username": "no"}`, 422, "the request breaks one or more rules|username: must be 3-30 characters of A-Z, a-z, 0-9 and _"},
		{"POST", "/api/v1/connection-requests", `{"username": "no", "message": "` + long + `"}`, 422, "the request breaks one or more rules|username: must be 3-30 characters of A-Z, a-z, 0-9 and _|message: must be at most 300 characters"},
		{"POST", "/api/v1/connection-requests", `{"username": "nobody_here", "message": "` + long + `"}`, 422, "the request breaks one or more rules|message: must be at most 300 characters"},
		{"POST", "/api/v1/connection-requests", `{"username": "nobody_here", "message": "a\u0000b"}`, 422, "the request breaks one or more rules|message: must not contain control characters"},
		{"POST", "/api/v1/connection-requests", `{"username": "nobody_here"}`, 404, "The user does not exist."},
		{"POST", "/api/v1/connection-requests", `{"username": "FUZZER"}`, 422, "the request breaks one or more rules|username: must not be yourself"},
		{"GET", "/api/v1/users/x", ``, 404, "The user does not exist."},
		{"GET", "/api/v1/users/nobody_here", ``, 404, "The user does not exist."},
		{"GET", "/api/v1/users/bad%20name/posts", ``, 404, "The user does not exist."},
		{"GET", "/api/v1/users/x/posts?limit=0", ``, 422, "the request breaks one or more rules|limit: must be from 1 to 100"},
		{"GET", "/api/v1/users/x/connections", ``, 404, "The user does not exist."},
		{"GET", "/api/v1/users/x/connections/mutual?cursor=xyz", ``, 400, "cursor is not a cursor this API issued.|cursor: not a valid cursor"},
		{"GET", "/api/v1/users/x/connections/mutual", ``, 404, "The user does not exist."},
		{"DELETE", "/api/v1/connections/x", ``, 404, "The user does not exist."},
		{"DELETE", "/api/v1/connections/fuzzer", ``, 404, "You are not connected to this user."},
		{"PUT", "/api/v1/blocks/x", ``, 404, "The user does not exist."},
		{"DELETE", "/api/v1/blocks/x", ``, 404, "The user does not exist."},
		{"PUT", "/api/v1/blocks/Fuzzer", ``, 422, "the request breaks one or more rules|username: must not be yourself"},
		{"GET", "/api/v1/connection-requests", ``, 400, "direction must be \"incoming\" or \"outgoing\".|direction: must be \"incoming\" or \"outgoing\""},
		{"GET", "/api/v1/connection-requests?direction=sideways", ``, 400, "direction must be \"incoming\" or \"outgoing\".|direction: must be \"incoming\" or \"outgoing\""},
		{"GET", "/api/v1/connection-requests?direction=sideways&limit=500", ``, 422, "the request breaks one or more rules|limit: must be from 1 to 100"},
	})
}

// problemCase is one request and the whole problem it answers.
type problemCase struct {
	method, path, body string
	status             int
	problem            string // detail, then "field: message" per field error
}

// assertProblems sends each request ({post} in a path is the fuzz API's
// post) and compares status, detail and every field error, in order.
func assertProblems(t *testing.T, api *fuzzAPI, cases []problemCase) {
	t.Helper()
	for _, tc := range cases {
		path := strings.ReplaceAll(tc.path, "{post}", api.postID)
		rec := api.do(tc.method, path, "application/json", []byte(tc.body))
		var p problemDTO
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
			t.Fatalf("%s %s %s: %d %s", tc.method, tc.path, tc.body, rec.Code, rec.Body)
		}
		got := p.Detail
		for _, f := range p.Errors {
			got += "|" + f.Field + ": " + f.Message
		}
		if rec.Code != tc.status || got != tc.problem {
			t.Errorf("%s %s %.60s:\n got %d %q\nwant %d %q", tc.method, tc.path, tc.body, rec.Code, got, tc.status, tc.problem)
		}
	}
}
