package http

import "testing"

// Every string field of an identity body is read as the social ones are
// (nullableString): a null is "must not be null" and an omitted required
// field "is required", reported with the domain's rules for the other
// fields. Before, a null was taken as "" and answered with the field's
// length rule, and an omitted password with the length rule too.
func TestIdentityBodiesReadNullAndAbsenceOneWay(t *testing.T) {
	t.Parallel()
	api := newFuzzAPI(t)
	const rules = "the request breaks one or more rules"
	assertProblems(t, api, []problemCase{
		{"POST", "/api/v1/auth/register", `{}`, 422, rules + "|username: is required|email: is required|password: is required"},
		{"POST", "/api/v1/auth/register", `{"username": null, "email": "nope", "password": null, "display_name": null}`, 422,
			rules + "|username: must not be null|password: must not be null|display_name: must not be null|email: must be a valid email address (name@example.com, no invisible characters) of at most 254 characters"},
		{"POST", "/api/v1/auth/register", `{"username": "", "email": "a@example.com", "password": "short"}`, 422,
			rules + "|username: must be 3-30 characters of A-Z, a-z, 0-9 and _|password: must be 8-128 characters"},
		{"POST", "/api/v1/auth/login", `{"login": null, "password": null}`, 422, rules + "|login: must not be null|password: must not be null"},
		{"POST", "/api/v1/auth/login", `{"login": "fuzzer"}`, 422, rules + "|password: is required"},
		{"POST", "/api/v1/auth/login", `{"login": "", "password": ""}`, 422, rules + "|login: is required|password: must be 1-128 characters"},
		{"POST", "/api/v1/auth/refresh", `{"refresh_token": null}`, 422, rules + "|refresh_token: must not be null"},
		{"POST", "/api/v1/auth/logout", `{}`, 422, rules + "|refresh_token: is required"},
		{"POST", "/api/v1/auth/password-reset", `{"email": null}`, 422, rules + "|email: must not be null"},
		{"POST", "/api/v1/auth/password-reset/confirm", `{"token": null}`, 422, rules + "|token: must not be null|new_password: is required"},
		{"POST", "/api/v1/auth/verify-email/confirm", `{"token": null}`, 422, rules + "|token: must not be null"},
		{"PUT", "/api/v1/users/me/password", `{"current_password": null, "new_password": "short"}`, 422,
			rules + "|current_password: must not be null|new_password: must be 8-128 characters"},
		{"PATCH", "/api/v1/users/me", `{"headline": null}`, 422, rules + "|headline: must not be null"},
	})
}
