package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"agora/adapters/postgres"
	"agora/domain/errs"
	"agora/domain/user"
	"agora/ports"
)

// SQLSTATE class 22 (data exception: a NUL or invalid UTF-8 in text, a
// value out of range) is a bad request, never a 500, whatever store or
// query meets it: the last line of defence behind the domain's text rules.
func TestDataExceptionIsBadRequest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := openPool(t)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{"SELECT $1::text", []any{"a\x00b"}},
		{"SELECT $1::text", []any{"a\xffb"}},
		{"SELECT 1/0", nil},
		{"SELECT '2026-13-45'::date", nil},
		{"SELECT 99999999999::int4", nil},
	} {
		var v any
		err := pool.QueryRow(ctx, q.sql, q.args...).Scan(&v)
		if err == nil {
			t.Fatalf("%s %q: no error", q.sql, q.args)
		}
		got := postgres.Translate(err)
		if !errors.Is(got, errs.ErrBadRequest) {
			t.Errorf("%s %q: translated to %v, want ErrBadRequest", q.sql, q.args, got)
		}
		if msg := errs.MessageOf(got); msg == "" || msg == err.Error() {
			t.Errorf("the caller-safe message must not be the driver's text: %q", msg)
		}
	}

	// The stores, fed text the domain would refuse, answer a 4xx kind.
	ids := postgres.NewIdentityStore(pool)
	for _, login := range []string{"ada\x00", "\xff\xfe"} {
		_, err := ids.UserByUsername(ctx, user.Username(login))
		if !errors.Is(err, errs.ErrBadRequest) && !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("UserByUsername(%q) = %v", login, err)
		}
		_, err = ids.UserByEmail(ctx, user.Email(login))
		if !errors.Is(err, errs.ErrBadRequest) && !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("UserByEmail(%q) = %v", login, err)
		}
	}
	_, err := ids.SearchUsers(ctx, uuid.New(), "a\x00", ports.PageRequest{Limit: 5, After: &ports.Cursor{Time: time.Now(), Key: "\xff"}})
	if !errors.Is(err, errs.ErrBadRequest) {
		t.Errorf("SearchUsers with NUL: %v", err)
	}
	// A user that exists, so that the NUL reaches the UPDATE.
	u, _, _ := createUser(t, ids, "nul_bio", dbNow())
	_, err = ids.UpdateProfile(ctx, u.ID, func(cur user.User) (user.User, error) {
		cur.Bio = "x\x00y"
		return cur, nil
	})
	if !errors.Is(err, errs.ErrBadRequest) {
		t.Errorf("UpdateProfile with NUL: %v", err)
	}
}
